/**
 * Item-based AutoRec: each item's column of ratings by all users is what the model encodes, and
 * each user is one output unit: rating(u, i) = w_u · h(r_i) + b_u, h the last hidden layer.
 * A known user is scored from the items' reconstructions (computed once). Their new ratings
 * would change only the reconstructions of the items they rated, and those are excluded from
 * their list anyway, so new events only exclude. A new user gets a new output unit fitted to
 * their ratings: ridge regression of (rating − training mean) on the rated items' h, in closed
 * form, b = the training mean; every item is then scored as the model scores its own users.
 */
import { Tensor } from '../../tensor';
import { tidy } from '../../scope';
import { matmul } from '../../ops/linear';
import type { AutoRec } from '../../models/autorec';
import type { History, ModelAdapter } from './adapter';
import { centerColumns, normalizeRows } from './normalize';

type ItemAutoRecRep = { user: number } | { unit: Float32Array; bias: number };

/** Ridge strength, relative to the mean squared norm of the rated items' h. */
const RIDGE = 0.1;

export class ItemAutoRecAdapter implements ModelAdapter<ItemAutoRecRep> {
  readonly foldIn = "known users: new events only exclude (their ratings change only the rated items' rows); new users: a new output unit fitted to their ratings by ridge regression on the items' last hidden layer";
  readonly readsProfile = false;
  /** Last hidden layer of every item row, [nItems × D]. */
  private readonly h: Float32Array;
  private readonly dim: number;
  private readonly hTensor: Tensor;

  constructor(private readonly model: AutoRec) {
    const last = model.hidden.length - 1;
    this.dim = model.hidden[last];
    this.h = model.encodeRows(Int32Array.from({ length: model.nItems }, (_, i) => i), last);
    this.hTensor = Tensor.fromArray(this.h, [model.nItems, this.dim]).keep();
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
    const n = rated.length, D = this.dim, mu = this.model.mean;
    // Dual ridge: w = Hᵀ (H Hᵀ + λI)⁻¹ (r − μ), an n × n solve for n ratings.
    const H = rated.map((k) => this.h.subarray(history.items[k] * D, (history.items[k] + 1) * D));
    const K = new Float64Array(n * n);
    let trace = 0;
    for (let a = 0; a < n; a++)
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += H[a][d] * H[b][d];
        K[a * n + b] = K[b * n + a] = s;
        if (a === b) trace += s;
      }
    const lambda = RIDGE * (trace / n || 1);
    for (let a = 0; a < n; a++) K[a * n + a] += lambda;
    const alpha = solveSymmetric(K, Float64Array.from(rated, (k) => history.values[k] - mu), n);
    const unit = new Float32Array(D);
    for (let a = 0; a < n; a++) for (let d = 0; d < D; d++) unit[d] += alpha[a] * H[a][d];
    return { unit, bias: mu };
  }

  profileRep(): null {
    return null;
  }

  scoreBatch(reps: readonly ItemAutoRecRep[]): Float32Array {
    const I = this.model.nItems, out = new Float32Array(reps.length * I);
    const known = reps.map((r, k) => ('user' in r ? k : -1)).filter((k) => k >= 0);
    const fresh = reps.map((r, k) => ('unit' in r ? k : -1)).filter((k) => k >= 0);
    if (known.length) {
      const s = tidy(() => this.model.scoreAll(Int32Array.from(known, (k) => (reps[k] as { user: number }).user)).toFloat32Array());
      known.forEach((k, j) => out.set(s.subarray(j * I, (j + 1) * I), k * I));
    }
    if (fresh.length) {
      const D = this.dim, q = new Float32Array(fresh.length * D);
      fresh.forEach((k, j) => q.set((reps[k] as { unit: Float32Array }).unit, j * D));
      const s = tidy(() => matmul(Tensor.fromArray(q, [fresh.length, D]), this.hTensor, { transB: true }).toFloat32Array());
      fresh.forEach((k, j) => {
        const bias = (reps[k] as { bias: number }).bias, row = out.subarray(k * I, (k + 1) * I);
        for (let i = 0; i < I; i++) row[i] = s[j * I + i] + bias;
      });
    }
    return out;
  }

  /** Items compared by their codes (middle hidden layer), centred: sigmoid codes share a large common part. */
  itemVectors(): { data: Float32Array; dim: number } {
    const t = this.model.itemVectors();
    const dim = t.shape[1];
    const data = normalizeRows(centerColumns(t.toFloat32Array(), dim), dim);
    t.dispose();
    return { data, dim };
  }

  dispose(): void {
    this.hTensor.dispose();
  }
}

/** x with K x = y for a symmetric positive definite K (n × n), by Cholesky. */
function solveSymmetric(K: Float64Array, y: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = K[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * n + j];
    }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}
