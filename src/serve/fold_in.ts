/**
 * Fold-in: a user vector fitted to one user's interactions by a few Adam steps, with every
 * weight of the model frozen. The model's own pair loss is used: clicks against sampled
 * negatives (GMF, MLP, NeuMF, implicit MF), or the ratings themselves (explicit MF, the
 * classifier, the feature model). A pull toward the starting vector keeps a user with one or
 * two interactions from flying off.
 */
import { Tensor } from '../tensor';
import { tidy, keep } from '../scope';
import { backward } from '../autograd';
import { Adam } from '../optim/adam';
import { add, mulScalar, sub } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { gather } from '../ops/gather';
import { concat } from '../ops/shape';
import { mul } from '../ops/elementwise';
import { Rng } from '../data/rng';
import type { UserVectorModel } from '../models/user_vectors';

export interface FoldInOptions {
  /** Adam steps (default 50). */
  steps?: number;
  /** Adam learning rate (default 0.1). */
  lr?: number;
  /** Sampled negatives per positive, implicit models (default 4, NCF's). */
  negatives?: number;
  /** Most recent interactions used (default 256): bounds the cost for a long history. */
  maxInteractions?: number;
  /** Weight of the pull toward the starting vector, per entry (default 1e-4). */
  prior?: number;
  /** Implicit models: a rating below this is a dislike, fitted as a negative (default: none). */
  dislikeBelow?: number;
  /** Seeds the negative sampling, so a fold-in is repeatable. */
  seed?: number;
}

export interface History {
  /** Dense item indices, oldest first. */
  items: Int32Array;
  /** Rating of each (NaN for a click or view). */
  values: Float32Array;
}

/** The fitted vector (a copy of `start` with its trainable part changed). */
export function foldInVector(model: UserVectorModel, start: Float32Array, history: History, opts: FoldInOptions = {}): Float32Array {
  const W = model.userVectorWidth, T = model.trainableWidth;
  if (start.length !== W) throw new Error(`fold-in: start vector has ${start.length} entries, the model's vectors ${W}`);
  const n = history.items.length;
  if (n === 0) return start.slice();
  const keepN = Math.min(n, opts.maxInteractions ?? 256);
  const posItems = history.items.subarray(n - keepN), posValues = history.values.subarray(n - keepN);
  const implicit = model.foldInObjective === 'implicit';
  // Clicks-trained models: an interaction is a positive, except a rating below `dislikeBelow`,
  // which is a known negative (a 1-star rating says more than a random unseen item).
  const dislike = opts.dislikeBelow ?? -Infinity;
  const seen = implicit ? new Set(history.items) : null;
  // Negatives are items the user has not interacted with; none are left when they had them all.
  const neg = implicit && seen!.size < model.nItems ? (opts.negatives ?? 4) : 0;
  const steps = opts.steps ?? 50, prior = opts.prior ?? 1e-4;
  const B = keepN * (1 + neg);
  const items = new Int32Array(B), targets = new Float32Array(B);
  items.set(posItems);
  if (implicit) for (let k = 0; k < keepN; k++) targets[k] = posValues[k] < dislike ? 0 : 1;
  else targets.set(posValues);
  const rng = new Rng(opts.seed ?? 0);

  const v = keep(Tensor.fromArray(start.slice(0, T), [1, T]).requireGrad());
  const v0 = keep(Tensor.fromArray(start.slice(0, T), [1, T]));
  const fixed = W > T ? keep(Tensor.fromArray(start.slice(T), [1, W - T])) : null;
  const prepared = model.prepareFoldIn?.() ?? null;
  const zeros = prepared ? null : keep(Tensor.fromArray(new Int32Array(B), [B], 'int32'));
  const opt = new Adam([v], { lr: opts.lr ?? 0.1 });
  try {
    for (let s = 0; s < steps; s++) {
      for (let k = keepN; k < B; k++) {
        let i: number;
        do i = rng.int(model.nItems);
        while (seen!.has(i));
        items[k] = i;
      }
      tidy(() => {
        opt.zeroGrad();
        const full = fixed ? concat([v, fixed]) : v;
        const itemsT = Tensor.fromArray(items, [B], 'int32'), targetsT = Tensor.fromArray(targets, [B]);
        let loss = prepared ? prepared.loss(full, itemsT, targetsT) : model.pairLoss(gather(full, zeros!), itemsT, targetsT);
        if (prior > 0) {
          const d = sub(v, v0);
          loss = add(loss, mulScalar(sum(mul(d, d)), prior));
        }
        backward(loss);
        opt.step();
      });
    }
    const out = start.slice();
    out.set(v.toFloat32Array());
    return out;
  } finally {
    opt.dispose();
    prepared?.dispose();
    for (const t of [v, v0, fixed, zeros]) t?.dispose();
  }
}
