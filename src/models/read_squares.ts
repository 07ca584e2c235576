/**
 * Per-sample L2 (Rendle et al. 2020, "Neural Collaborative Filtering vs. Matrix Factorization
 * Revisited"): each sample is penalised for the embedding rows it read. A row is then shrunk
 * in proportion to how often it is used, and rows a batch did not read stay untouched; dense
 * weight decay instead shrinks every row on every step, which collapses rare items first.
 * Dense weights every sample reads (GMF's h, the MLP tower) are left out: counted once per
 * sample they shrink to zero within an epoch of SGD and the model collapses to a constant.
 */
import type { Tensor } from '../tensor';
import { add, square } from '../ops/elementwise';
import { sum } from '../ops/reduce';

/** Σ|row|² over the gathered rows ([B,D] each) of every table: a scalar. */
export function readSquares(rows: Tensor[]): Tensor {
  if (rows.length === 0) throw new Error('readSquares: no rows given');
  let total = sum(square(rows[0]));
  for (let k = 1; k < rows.length; k++) total = add(total, sum(square(rows[k])));
  return total;
}

/** A pair model that can report the embedding rows its forward pass read. */
export interface ReadSquared {
  /** Logits [B,1] and Σ over the batch's samples of |every embedding row (and bias) the sample read|². */
  forwardWithReadSquares(users: Tensor, items: Tensor): { logits: Tensor; readSquares: Tensor };
}
