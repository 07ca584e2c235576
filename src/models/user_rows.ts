/**
 * Models that read a user's whole interaction row at prediction time (user-based AutoRec,
 * Mult-VAE): a user they were never trained on is scored by encoding that user's row, so
 * fold-in is one forward pass, and a known user's new interactions count at once.
 */
import type { Tensor } from '../tensor';
import type { Recommender } from './types';

/** One user's interactions: dense item indices and their values (ratings; ignored for clicks). */
export interface SparseRow {
  items: Int32Array;
  values: Float32Array;
}

export interface UserRowModel extends Recommender {
  /**
   * 'ratings': the row holds rating values (AutoRec); 'clicks': any interaction is a 1 (Mult-VAE);
   * null: this instance reads no user rows (item-based AutoRec).
   */
  readonly rowInput: 'ratings' | 'clicks' | null;
  /** The user's training row. */
  trainingRow(user: number): SparseRow;
  /** Ranking scores [rows.length, nItems] for the given rows. No gradients. */
  scoreRows(rows: readonly SparseRow[]): Tensor;
  /** Item representations [nItems, d] for nearest-item search. */
  itemVectors(): Tensor;
}

export function isUserRowModel(m: Recommender): m is UserRowModel {
  return typeof (m as Partial<UserRowModel>).scoreRows === 'function' && (m as UserRowModel).rowInput != null;
}

/** Row `r` of a CSR matrix as a SparseRow (copies). */
export function csrRow(offsets: Int32Array, cols: Int32Array, values: Float32Array, r: number): SparseRow {
  return { items: cols.slice(offsets[r], offsets[r + 1]), values: values.slice(offsets[r], offsets[r + 1]) };
}

/** Dense [rows.length, width] buffer of sparse rows: values times `scale` (1s with `binary`), rows L2-normalised with `normalize`. */
export function denseRows(rows: readonly SparseRow[], width: number, opts: { scale?: number; binary?: boolean; normalize?: boolean } = {}): Float32Array {
  const out = new Float32Array(rows.length * width);
  const scale = opts.scale ?? 1;
  rows.forEach((r, k) => {
    const row = out.subarray(k * width, (k + 1) * width);
    for (let j = 0; j < r.items.length; j++) row[r.items[j]] = opts.binary ? 1 : r.values[j] * scale;
    if (opts.normalize) {
      let ss = 0;
      for (const i of new Set(r.items)) ss += row[i] * row[i];
      if (ss > 0) for (const i of new Set(r.items)) row[i] /= Math.sqrt(ss);
    }
  });
  return out;
}
