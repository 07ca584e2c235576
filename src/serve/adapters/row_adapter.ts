/**
 * User-based AutoRec and Mult-VAE: a user is their interaction row, encoded at scoring time.
 * Fold-in is the row itself: a known user's new events join their training row, a new user's
 * interactions are their row, and one forward pass scores them.
 */
import { tidy } from '../../scope';
import type { UserProfile } from '../../models/popularity';
import type { SparseRow, UserRowModel } from '../../models/user_rows';
import type { History, ModelAdapter } from './adapter';

export class RowAdapter implements ModelAdapter<SparseRow> {
  readonly foldIn: string;
  readonly readsProfile = false;

  constructor(private readonly model: UserRowModel, private readonly dislikeBelow = -Infinity) {
    this.foldIn = model.rowInput === 'clicks'
      ? `the user's click row (training plus stored events${Number.isFinite(dislikeBelow) ? `, less items rated below ${dislikeBelow}` : ''}) encoded by the model: new events count at once`
      : "the user's rating row (training plus stored ratings) encoded by the model; clicks and views without a rating are only excluded";
  }

  knownRep(u: number): SparseRow {
    return this.model.trainingRow(u);
  }

  private row(h: History): SparseRow {
    if (this.model.rowInput === 'clicks') {
      const liked = h.items.filter((_, k) => !(h.values[k] < this.dislikeBelow));
      return { items: liked, values: new Float32Array(liked.length).fill(1) };
    }
    const keep: number[] = [];
    for (let k = 0; k < h.items.length; k++) if (!Number.isNaN(h.values[k])) keep.push(k);
    return { items: Int32Array.from(keep, (k) => h.items[k]), values: Float32Array.from(keep, (k) => h.values[k]) };
  }

  foldInKnown(_u: number, history: History): SparseRow {
    return this.row(history);
  }

  foldInNew(history: History, _profile: UserProfile | null): SparseRow | null {
    const r = this.row(history);
    return r.items.length ? r : null;
  }

  profileRep(): null {
    return null;
  }

  scoreBatch(reps: readonly SparseRow[]): Float32Array {
    return tidy(() => this.model.scoreRows(reps).toFloat32Array());
  }

  itemVectors(): { data: Float32Array; dim: number } {
    return tidy(() => {
      const t = this.model.itemVectors();
      return { data: t.toFloat32Array(), dim: t.shape[1] };
    });
  }

  dispose(): void {}
}
