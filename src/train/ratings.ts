/**
 * Training loop for explicit-rating pair models (MF on ratings, the rating classifier, the
 * side-feature model): each epoch shuffles the (user, item, rating) triples with the epoch's
 * seeded stream and runs mini-batches of the model's own loss (`loss(users, items, ratings)`:
 * MSE, softmax cross-entropy, ... the model knows which and builds its own input tensors, side
 * features included). After each epoch the validation triples (carved from training data, never
 * the test set) are scored; the epoch with the lowest validation RMSE is kept and restored, and
 * training stops after `patience` epochs without improvement.
 */
import { makeOptimizer, type OptimizerOptions } from './optimizer_choice';
import { snapshotState, restoreState } from '../nn/module';
import type { Tensor } from '../tensor';
import { tidy } from '../scope';
import { LossMeter } from './loss_meter';
import type { Module } from '../nn/module';
import { Rng } from '../data/rng';
import { evaluatePairRatings, type RatingMetrics, type RatingTriples } from '../eval/pairs_rating';

/** A pair model trained on explicit ratings. */
export interface ExplicitPairModel extends Module {
  /** The mean loss of a batch of triples, on the tape (the model makes its tensors). */
  loss(users: Int32Array, items: Int32Array, ratings: Float32Array): Tensor;
  /** Ratings on the data's scale, without gradients (for RMSE / MAE). */
  predictRatings(users: Int32Array, items: Int32Array): Float32Array;
}

export interface RatingTrainOptions extends OptimizerOptions {
  epochs: number;
  /** Default 256. */
  batchSize?: number;
  /** Seeds the shuffles (default 42). */
  seed?: number;
  /** Scored after each epoch for model selection; null or absent trains every epoch and keeps the last. */
  valid?: RatingTriples | null;
  /** Stop after this many epochs without a lower validation RMSE (default: never). */
  patience?: number;
  onEpoch?: (r: RatingEpochReport) => void;
  /** Called every 256 batches with (rows done, rows, mean loss so far). */
  onProgress?: (done: number, total: number, loss: number) => void;
}

export interface RatingEpochReport {
  epoch: number;
  /** Mean training loss of the epoch (the model's loss, regularisers included). */
  loss: number;
  seconds: number;
  samplesPerSecond: number;
  valid: RatingMetrics | null;
  best: boolean;
}

export interface RatingTrainResult {
  history: RatingEpochReport[];
  /** The epoch whose weights the model holds now. */
  bestEpoch: number;
  /** Its validation metrics (null without validation). */
  bestValid: RatingMetrics | null;
  secondsPerEpoch: number;
  samplesPerSecond: number;
}

/** Copies of every tensor's values (parameters and buffers such as batch-norm statistics). */
/**
 * Batch boundaries: `size` rows each, except that a last batch of one row joins the one before
 * (batch statistics need two rows).
 */
function batchEnds(n: number, size: number): number[] {
  const ends: number[] = [];
  for (let s = 0; s < n; ) {
    let e = Math.min(n, s + size);
    if (n - e === 1) e = n;
    ends.push(e);
    s = e;
  }
  return ends;
}

export function trainRatings(model: ExplicitPairModel, train: RatingTriples, o: RatingTrainOptions): RatingTrainResult {
  const n = train.users.length;
  if (train.items.length !== n || train.ratings.length !== n)
    throw new Error(`trainRatings: columns differ in length (users ${n}, items ${train.items.length}, ratings ${train.ratings.length})`);
  if (n < 2) throw new Error(`trainRatings: need at least 2 training ratings, got ${n}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new Error(`trainRatings: epochs must be a positive integer, got ${o.epochs}`);
  const B = o.batchSize ?? 256;
  if (!Number.isInteger(B) || B < 2) throw new Error(`trainRatings: batchSize must be an integer >= 2, got ${B}`);
  const seed = o.seed ?? 42;
  const opt = makeOptimizer(model, o, 'trainRatings');
  const ends = batchEnds(n, B);
  const users = new Int32Array(n), items = new Int32Array(n), ratings = new Float32Array(n);
  const history: RatingEpochReport[] = [];
  let best = Infinity, bestEpoch = 0, bestValid: RatingMetrics | null = null;
  let bestSnap: Map<string, Float32Array | Int32Array> | null = null;
  let trainSeconds = 0, samples = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const perm = Rng.derive(seed, epoch).permutation(n);
      for (let k = 0; k < n; k++) {
        const r = perm[k];
        users[k] = train.users[r];
        items[k] = train.items[r];
        ratings[k] = train.ratings[r];
      }
      const t0 = performance.now();
      model.train();
      const meter = new LossMeter();
      let s = 0;
      for (let b = 0; b < ends.length; b++) {
        const e = ends[b];
        tidy(() => {
          const loss = model.loss(users.subarray(s, e), items.subarray(s, e), ratings.subarray(s, e));
          opt.zeroGrad();
          loss.backward();
          opt.step();
          meter.add(loss, e - s);
        });
        s = e;
        if (o.onProgress && (b & 255) === 0) o.onProgress(e, n, meter.total / e);
      }
      const loss = meter.total / n;
      meter.dispose();
      const seconds = (performance.now() - t0) / 1000;
      if (!Number.isFinite(loss))
        throw new Error(`trainRatings: loss became ${loss} at epoch ${epoch}; lower the learning rate (now ${o.lr ?? 'default'})`);
      const valid = o.valid ? evaluatePairRatings((u, i) => model.predictRatings(u, i), o.valid) : null;
      const score = valid ? valid.rmse : -epoch;
      const isBest = score < best;
      if (isBest) {
        best = score;
        bestEpoch = epoch;
        bestValid = valid;
        if (o.valid) bestSnap = snapshotState(model);
      }
      trainSeconds += seconds;
      samples += n;
      const report: RatingEpochReport = { epoch, loss, seconds, samplesPerSecond: n / seconds, valid, best: isBest };
      history.push(report);
      o.onEpoch?.(report);
      if (o.patience !== undefined && epoch - bestEpoch >= o.patience) break;
    }
  } finally {
    opt.dispose();
  }
  if (bestSnap) restoreState(model, bestSnap);
  return { history, bestEpoch, bestValid, secondsPerEpoch: trainSeconds / history.length, samplesPerSecond: samples / trainSeconds };
}
