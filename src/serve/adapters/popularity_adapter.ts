/**
 * The popularity baseline as a served model: every known user gets the items most interacted
 * with (within their demographic group when it was trained grouped). It learns nothing from
 * events (they only exclude), and has no item representation for similar items.
 */
import { tidy } from '../../scope';
import type { Popularity } from '../../models/popularity';
import type { ModelAdapter } from './adapter';

export class PopularityAdapter implements ModelAdapter<number> {
  readonly foldIn = 'none: the popularity baseline ranks the same for everyone in a group; events only exclude';
  readonly readsProfile = false;

  constructor(private readonly model: Popularity) {}

  knownRep(user: number): number {
    return user;
  }

  foldInKnown(): null {
    return null;
  }

  foldInNew(): null {
    return null;
  }

  profileRep(): null {
    return null;
  }

  scoreBatch(reps: readonly number[]): Float32Array {
    return tidy(() => this.model.scoreAll(Int32Array.from(reps)).toFloat32Array());
  }

  itemVectors(): null {
    return null;
  }

  dispose(): void {}
}
