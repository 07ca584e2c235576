/**
 * Models whose only per-user parameters are rows of user tables (GMF, MLP, NeuMF, MF, the
 * classifier, the feature model). Such a model can score a user it was never trained on once
 * it has a vector for them, and that vector can be fitted on the user's own interactions with
 * everything else frozen (fold-in): the serving layer does both through this interface.
 *
 * A user's vector is the concatenation of their rows in every user table (e.g. NeuMF: the GMF
 * row, then the MLP row), followed by any fixed side information (the feature model's profile
 * features). Fold-in fits the first `trainableWidth` entries only.
 */
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { gather } from '../ops/gather';
import type { Recommender } from './types';
import type { UserProfile } from './popularity';

/** What a fold-in fits the vector to: clicks against sampled negatives, or rating values. */
export type FoldInObjective = 'implicit' | 'explicit';

/** Scores every item for user vectors; valid until the model's weights change. */
export interface VectorScorer {
  /** Ranking scores [n, nItems] for user vectors [n, width]. No gradients. */
  scoreAll(vectors: Tensor): Tensor;
  dispose(): void;
}

export interface UserVectorModel extends Recommender {
  /** Entries in a user's vector. */
  readonly userVectorWidth: number;
  /** The leading entries fold-in may change (the rest is fixed side information). */
  readonly trainableWidth: number;
  readonly foldInObjective: FoldInObjective;
  /** The trained vectors of `users`: [users.length, userVectorWidth]. */
  userVectors(users: Int32Array): Tensor;
  /**
   * The fold-in loss of pairs: per-pair user vectors [B, width] against items [B] with targets
   * (0/1 labels for 'implicit', ratings for 'explicit'). Differentiable in the vectors.
   */
  pairLoss(vectors: Tensor, items: Tensor, targets: Tensor): Tensor;
  /**
   * Optional, for speed: the same loss for one user's vector [1, width] against items [B], with
   * the per-item work every fold-in step shares done once. Dispose when the fold-in ends.
   */
  prepareFoldIn?(): { loss(vector: Tensor, items: Tensor, targets: Tensor): Tensor; dispose(): void };
  /** A scorer with whatever per-item work can be shared across users done once. */
  vectorScorer(): VectorScorer;
  /** The starting vector of a user the model has not seen (a profile where the model reads one). */
  newUserVector(profile?: UserProfile): Float32Array;
  /** Item representations [nItems, d] for nearest-item search. */
  itemVectors(): Tensor;
}

export function isUserVectorModel(m: Recommender): m is UserVectorModel {
  return typeof (m as Partial<UserVectorModel>).vectorScorer === 'function';
}

/** The mean of every trained user's vector (where a new user starts). */
export function meanUserVector(m: Pick<UserVectorModel, 'nUsers' | 'userVectorWidth' | 'userVectors'>): Float32Array {
  const t = m.userVectors(Int32Array.from({ length: m.nUsers }, (_, u) => u));
  try {
    return meanRow(t.toFloat32Array(), m.userVectorWidth);
  } finally {
    t.dispose();
  }
}

/** The mean row of a [n, d] table (the starting point for a new user). */
export function meanRow(table: Float32Array, d: number): Float32Array {
  const acc = new Float64Array(d), n = table.length / d;
  for (let k = 0; k < table.length; k++) acc[k % d] += table[k];
  return Float32Array.from(acc, (v) => (n > 0 ? v / n : 0));
}

/**
 * A VectorScorer for models without a shortcut: every (user, item) pair through `score`
 * (per-pair vectors [B, width] and items [B] → B scores), in passes of about 64k pairs.
 */
export function pairVectorScorer(nItems: number, score: (vectors: Tensor, items: Tensor) => Float32Array): VectorScorer {
  const allItems = Int32Array.from({ length: nItems }, (_, i) => i);
  const perPass = Math.max(1, Math.floor((1 << 16) / nItems));
  return {
    scoreAll: (v) => noGrad(() => {
      const n = v.shape[0], out = new Float32Array(n * nItems);
      for (let s = 0; s < n; s += perPass) {
        const c = Math.min(n, s + perPass) - s;
        const rep = new Int32Array(c * nItems), items = new Int32Array(c * nItems);
        for (let k = 0; k < c; k++) {
          rep.fill(s + k, k * nItems, (k + 1) * nItems);
          items.set(allItems, k * nItems);
        }
        tidy(() => out.set(score(gather(v, Tensor.fromArray(rep, [c * nItems], 'int32')), Tensor.fromArray(items, [c * nItems], 'int32')), s * nItems));
      }
      return Tensor.fromArray(out, [n, nItems]);
    }),
    dispose: () => {},
  };
}

/**
 * scoreAll for batch after batch of known users (full-ranking evaluation): a user-vector
 * model's per-item work (NeuMF: the tower's first layer over every item, transposed and packed)
 * is done once for all batches instead of once a batch. Dispose when done.
 */
export function allItemScorer(m: Recommender): { scoreAll(users: Int32Array): Tensor; dispose(): void } {
  if (!isUserVectorModel(m)) return { scoreAll: (users) => m.scoreAll(users), dispose: () => {} };
  const scorer = m.vectorScorer();
  return { scoreAll: (users) => tidy(() => scorer.scoreAll(m.userVectors(users))), dispose: () => scorer.dispose() };
}
