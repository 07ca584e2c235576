/**
 * Rating-prediction metrics: RMSE and MAE of a RatingModel's predictions against held-out
 * ratings, and the "top-k accuracy" of seed 004 (an AutoRec on ml-1m; README table "Top-k
 * Accuracy", K = 5 and 10), pinned down from its notebook (compute_top_k_accuracy in
 * longday1102/RS-AutoEncoder, AE-Recommender-System.ipynb):
 *
 *   for every user: rank the items the user rated in the TEST set by predicted score,
 *   take the first k, count those whose test rating is 4 or 5 ("liked"), divide by k
 *   (not by min(k, the user's test items): the seed's padded slots count as misses);
 *   average over users.
 *
 * It is a precision@k restricted to the items each user rated. Differences from the seed, both
 * deliberate: the seed reconstructed each user's TEST row (the held-out ratings were the model's
 * input); here the scores are the model's predictions from its training data, as for RMSE. The
 * seed averaged over every user (all 6040 had test ratings in its split); here the mean is over
 * users with at least one test rating. Ties in score go to the lower item id. Note the seed's
 * README has the two figures swapped: its notebook prints 69.87 for k = 10 and 77.55 for k = 5.
 */
import type { Interactions } from '../data/dataset';
import { indexByUser } from '../data/csr';
import type { RatingModel } from '../models/types';

export interface RatingMetrics {
  rmse: number;
  mae: number;
  /** Ratings compared. */
  count: number;
}

/** RMSE and MAE of predictions against true ratings (same length; NaN for none). */
export function ratingErrors(pred: ArrayLike<number>, truth: ArrayLike<number>): RatingMetrics {
  if (pred.length !== truth.length) throw new Error(`ratingErrors: ${pred.length} predictions for ${truth.length} ratings`);
  const n = truth.length;
  let se = 0, ae = 0;
  for (let k = 0; k < n; k++) {
    const d = pred[k] - truth[k];
    se += d * d;
    ae += Math.abs(d);
  }
  return { rmse: n ? Math.sqrt(se / n) : NaN, mae: n ? ae / n : NaN, count: n };
}

/** RMSE and MAE of model.predictRatings on every row of `test`. */
export function evaluateRatings(model: Pick<RatingModel, 'predictRatings'>, test: Interactions): RatingMetrics {
  return ratingErrors(model.predictRatings(test.users, test.items), test.ratings);
}

export interface TopKAccuracyOptions {
  /** A test rating at least this counts as liked (default 4: the seed's "4 or 5"). */
  threshold?: number;
  /** Scores of the test pairs, if already computed (default: model.predictRatings). */
  scores?: Float32Array;
}

/**
 * Seed 004's top-k accuracy (see the file comment) for each k, as fractions in [0, 1] keyed
 * `acc@k` (the seed printed percentages), plus `users`, the number of users averaged over.
 */
export function topKAccuracy(model: Pick<RatingModel, 'predictRatings'> | null, test: Interactions, ks: number[] = [5, 10], opts: TopKAccuracyOptions = {}): Record<string, number> {
  for (const k of ks) if (!(Number.isInteger(k) && k >= 1)) throw new Error(`topKAccuracy: k must be a positive integer, got ${k}`);
  const threshold = opts.threshold ?? 4;
  const scores = opts.scores ?? (model ? model.predictRatings(test.users, test.items) : null);
  if (!scores) throw new Error('topKAccuracy: pass a model or opts.scores');
  if (scores.length !== test.length) throw new Error(`topKAccuracy: ${scores.length} scores for ${test.length} test ratings`);
  const ix = indexByUser(test.users, test.items, test.nUsers, test.nItems);
  const sums = new Float64Array(ks.length);
  let users = 0;
  const order: number[] = [];
  for (let u = 0; u < test.nUsers; u++) {
    const s = ix.offsets[u], e = ix.offsets[u + 1];
    if (e === s) continue;
    users++;
    order.length = 0;
    for (let p = s; p < e; p++) order.push(ix.rows[p]);
    // Entries come sorted by item: a stable sort by descending score breaks ties to the lower item.
    order.sort((a, b) => scores[b] - scores[a]);
    ks.forEach((k, j) => {
      let hits = 0;
      for (let q = 0; q < Math.min(k, order.length); q++) if (test.ratings[order[q]] >= threshold) hits++;
      sums[j] += hits / k;
    });
  }
  const out: Record<string, number> = { users };
  ks.forEach((k, j) => { out[`acc@${k}`] = users ? sums[j] / users : NaN; });
  return out;
}
