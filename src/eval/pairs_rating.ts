/**
 * Rating-prediction metrics for pair models (MF, the rating classifier, the side-feature model):
 * RMSE and MAE of predicted against observed ratings, and the evaluation of a model on a table
 * of (user, item, rating) triples in chunks.
 */

/** (user, item, rating) columns of equal length; an Interactions table is one. */
export interface RatingTriples {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
}

/** The same shape as src/eval/rating.ts's RatingMetrics, so either can stand for the other. */
export interface RatingMetrics {
  rmse: number;
  mae: number;
  /** Ratings compared. */
  count: number;
}

function checkLengths(what: string, pred: ArrayLike<number>, target: ArrayLike<number>): void {
  if (pred.length !== target.length) throw new Error(`${what}: ${pred.length} predictions but ${target.length} ratings`);
}

/** Root mean squared error (NaN for no ratings). */
export function rmse(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  checkLengths('rmse', pred, target);
  let s = 0;
  for (let k = 0; k < pred.length; k++) {
    const d = pred[k] - target[k];
    s += d * d;
  }
  return pred.length ? Math.sqrt(s / pred.length) : NaN;
}

/** Mean absolute error (NaN for no ratings). */
export function mae(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  checkLengths('mae', pred, target);
  let s = 0;
  for (let k = 0; k < pred.length; k++) s += Math.abs(pred[k] - target[k]);
  return pred.length ? s / pred.length : NaN;
}

export function ratingMetrics(pred: ArrayLike<number>, target: ArrayLike<number>): RatingMetrics {
  return { rmse: rmse(pred, target), mae: mae(pred, target), count: pred.length };
}

/** Anything that predicts ratings of (user, item) pairs on the data's scale. */
export type RatingPredictor = (users: Int32Array, items: Int32Array) => Float32Array;

/** RMSE and MAE of `predict` on every triple of `data`, `chunk` pairs at a time. */
export function evaluatePairRatings(predict: RatingPredictor, data: RatingTriples, chunk = 1 << 16): RatingMetrics {
  const n = data.users.length;
  if (data.items.length !== n || data.ratings.length !== n)
    throw new Error(`evaluatePairRatings: columns differ in length (users ${n}, items ${data.items.length}, ratings ${data.ratings.length})`);
  const pred = new Float32Array(n);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const p = predict(data.users.subarray(s, e), data.items.subarray(s, e));
    if (p.length !== e - s) throw new Error(`evaluatePairRatings: the model returned ${p.length} predictions for ${e - s} pairs`);
    pred.set(p, s);
  }
  return ratingMetrics(pred, data.ratings);
}

/** The mean rating of a table (the global-mean baseline and MF's μ). */
export function meanRating(ratings: ArrayLike<number>): number {
  if (ratings.length === 0) throw new Error('meanRating: no ratings');
  let s = 0;
  for (let k = 0; k < ratings.length; k++) s += ratings[k];
  return s / ratings.length;
}

/** [min, max] of the ratings (what predictions are clipped to). */
export function ratingRange(ratings: ArrayLike<number>): [number, number] {
  if (ratings.length === 0) throw new Error('ratingRange: no ratings');
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < ratings.length; k++) {
    const r = ratings[k];
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return [lo, hi];
}
