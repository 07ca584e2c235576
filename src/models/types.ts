/**
 * What every recommender offers the evaluation, CLI and serving code, whatever it is inside
 * (pairwise NCF models, autoencoders over rating rows, baselines).
 */
import type { Tensor } from '../tensor';

export interface Recommender {
  /** CLI name of the model, e.g. 'neumf', 'autorec', 'mf'. */
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  /** Ranking scores of (user, item) pairs: higher ranks first. No gradients. */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array;
  /** Ranking scores of every item for each user: [users.length, nItems]. No gradients. */
  scoreAll(users: Int32Array): Tensor;
  /** Frees the model's tensors. */
  dispose(): void;
}

/** A model that predicts ratings on the data's scale (for RMSE / MAE). */
export interface RatingModel extends Recommender {
  predictRatings(users: Int32Array, items: Int32Array): Float32Array;
}
