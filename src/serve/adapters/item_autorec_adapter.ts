/**
 * Item-based AutoRec: each item's column of ratings by all users is what the model encodes, so
 * a user has no input of their own. A known user is scored from the items' reconstructions
 * (computed once). Their new ratings would change only the reconstructions of the items they
 * rated, and those are excluded from their list anyway, so new events only exclude. A new user
 * has no column at all: they are scored by item similarity in the model's code space, the
 * items they rated weighted by how far each rating is above or below their own mean.
 */
import { Tensor } from '../../tensor';
import { tidy } from '../../scope';
import { matmul } from '../../ops/linear';
import type { AutoRec } from '../../models/autorec';
import type { History, ModelAdapter } from './adapter';
import { normalizeRows } from './normalize';

type ItemAutoRecRep = { user: number } | { taste: Float32Array };

export class ItemAutoRecAdapter implements ModelAdapter<ItemAutoRecRep> {
  readonly foldIn = 'known users: new events only exclude (their ratings change only the rated items\' rows); new users: items similar in the model\'s item codes to the ones they rated, weighted by rating above or below their mean';
  readonly readsProfile = false;
  private readonly codes: Float32Array;
  private readonly dim: number;

  constructor(private readonly model: AutoRec) {
    const t = model.itemVectors();
    this.dim = t.shape[1];
    this.codes = normalizeRows(t.toFloat32Array(), this.dim);
    t.dispose();
    // The reconstruction every known user is scored from, computed now rather than on the first request.
    model.reconstruction();
  }

  knownRep(user: number): ItemAutoRecRep {
    return { user };
  }

  foldInKnown(): null {
    return null;
  }

  foldInNew(history: History): ItemAutoRecRep | null {
    const rated: number[] = [];
    for (let k = 0; k < history.items.length; k++) if (!Number.isNaN(history.values[k])) rated.push(k);
    if (rated.length === 0) return null;
    const vals = rated.map((k) => history.values[k]);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    // Ratings that are all equal (or a lone one) have no spread: each counts as liked.
    const flat = Math.max(...vals) === Math.min(...vals);
    const D = this.dim, taste = new Float32Array(D);
    rated.forEach((k, j) => {
      const w = flat ? 1 : vals[j] - mean, i = history.items[k];
      for (let d = 0; d < D; d++) taste[d] += w * this.codes[i * D + d];
    });
    return { taste };
  }

  profileRep(): null {
    return null;
  }

  scoreBatch(reps: readonly ItemAutoRecRep[]): Float32Array {
    const I = this.model.nItems, out = new Float32Array(reps.length * I);
    const known = reps.map((r, k) => ('user' in r ? k : -1)).filter((k) => k >= 0);
    const fresh = reps.map((r, k) => ('taste' in r ? k : -1)).filter((k) => k >= 0);
    if (known.length) {
      const s = tidy(() => this.model.scoreAll(Int32Array.from(known, (k) => (reps[k] as { user: number }).user)).toFloat32Array());
      known.forEach((k, j) => out.set(s.subarray(j * I, (j + 1) * I), k * I));
    }
    if (fresh.length) {
      const D = this.dim, q = new Float32Array(fresh.length * D);
      fresh.forEach((k, j) => q.set((reps[k] as { taste: Float32Array }).taste, j * D));
      const s = tidy(() => matmul(Tensor.fromArray(q, [fresh.length, D]), Tensor.fromArray(this.codes, [I, D]), { transB: true }).toFloat32Array());
      fresh.forEach((k, j) => out.set(s.subarray(j * I, (j + 1) * I), k * I));
    }
    return out;
  }

  itemVectors(): { data: Float32Array; dim: number } {
    return { data: this.codes, dim: this.dim };
  }

  dispose(): void {}
}
