/**
 * Training loop for implicit-feedback models (GMF, MLP, NeuMF): each epoch draws fresh
 * negatives, shuffles, and runs mini-batches of binary cross-entropy with logits. After each
 * epoch the validation set (carved from training data, never the test set) is ranked; the best
 * epoch's weights are kept and restored, and training stops after `patience` epochs without
 * improvement. With `lrDecay`, a plateau first sends training back to the best weights at a lower
 * learning rate.
 */
import { makeOptimizer, type OptimizerOptions } from './optimizer_choice';
import { Plateau, type LrDecay } from './plateau';
import { snapshotState, restoreState } from '../nn/module';
import { Tensor } from '../tensor';
import { tidy } from '../scope';
import { LossMeter } from './loss_meter';
import { bceWithLogits } from '../ops/losses';
import type { Module } from '../nn/module';
import { NegativeSampler } from '../data/negatives';
import type { Interactions } from '../data/dataset';
import type { RankingEvalSet } from '../data/ncf_eval';
import { evaluateSampled, type PairScorer } from '../eval/ranking';
import type { RankingMetrics } from '../eval/metrics';
import type { ReadSquared } from '../models/read_squares';
import { add, mulScalar } from '../ops/elementwise';

export interface PairModel extends Module, Partial<ReadSquared> {
  forward(users: Tensor, items: Tensor): Tensor;
  scorePairs: PairScorer;
}

export interface ImplicitTrainOptions extends OptimizerOptions {
  epochs: number;
  batchSize?: number;
  negatives?: number;
  seed?: number;
  /** Ranked after each epoch for model selection; null trains all epochs and keeps the last. */
  valid?: RankingEvalSet | null;
  /** Stop after this many epochs without a better validation NDCG@10 (default: never). */
  patience?: number;
  /**
   * Per-sample L2 λ (Rendle et al. 2020): the batch loss gains λ/B times Σ over its samples of
   * |the embedding rows each read|², so rows shrink only when used (the reported loss includes
   * it). Default 0.
   */
  rowL2?: number;
  /**
   * Rank the validation set with the starting weights too (reported as epoch 0), so fine-tuning
   * pre-trained or resumed weights keeps them when every epoch scores worse. Default false.
   */
  validateStart?: boolean;
  /**
   * After `patience` epochs without a better validation score (counted from the best epoch or
   * the last decay), restore the best weights and multiply every learning rate by `factor`.
   * Needs validation data; off by default (the paper keeps a constant rate).
   */
  lrDecay?: LrDecay;
  /**
   * The rates of each epoch relative to the starting ones (`epochs` of them, each > 0): a
   * validated run's schedule replayed on all training data (see lr_schedule.ts). Not with lrDecay.
   */
  lrScales?: readonly number[];
  onEpoch?: (e: EpochReport) => void;
  onProgress?: (done: number, total: number, loss: number) => void;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  seconds: number;
  sampleSeconds: number;
  samplesPerSecond: number;
  valid: RankingMetrics | null;
  best: boolean;
  /** The learning rates of this epoch relative to the starting ones (below 1 after a decay). */
  lrScale: number;
}

export interface TrainResult {
  history: EpochReport[];
  bestEpoch: number;
  /** The validation metrics of the kept weights (null without a validation set). */
  bestValid: RankingMetrics | null;
  secondsPerEpoch: number;
  samplesPerSecond: number;
}

export function trainImplicit(model: PairModel, train: Interactions, o: ImplicitTrainOptions): TrainResult {
  const B = o.batchSize ?? 256;
  // A batch of 0 never advanced through the epoch (it hung); negative epochs trained nothing.
  if (!(Number.isInteger(B) && B >= 1)) throw new Error(`trainImplicit: batchSize must be an integer >= 1, got ${B}`);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw new Error(`trainImplicit: epochs must be an integer >= 0, got ${o.epochs}`);
  const rowL2 = o.rowL2 ?? 0;
  if (!(rowL2 >= 0 && Number.isFinite(rowL2))) throw new Error(`trainImplicit: rowL2 must be a finite number >= 0, got ${rowL2}`);
  if (rowL2 > 0 && !model.forwardWithReadSquares)
    throw new Error(`trainImplicit: rowL2 needs a model that reports the rows it reads (MF, GMF, MLP, NeuMF); ${model.constructor.name} does not`);
  const plateau = o.lrDecay ? new Plateau(o.lrDecay, 'trainImplicit') : null;
  if (plateau && !o.valid) throw new Error('trainImplicit: lrDecay needs a validation set to find plateaus');
  if (o.lrScales) {
    if (plateau) throw new Error('trainImplicit: lrScales replays a schedule; it cannot be combined with lrDecay');
    if (o.lrScales.length !== o.epochs || !o.lrScales.every((v) => v > 0 && Number.isFinite(v)))
      throw new Error(`trainImplicit: lrScales needs one finite scale > 0 per epoch (${o.epochs}), got ${o.lrScales.length}: ${o.lrScales.join(',')}`);
  }
  const sampler = new NegativeSampler(train, { perPositive: o.negatives ?? 4, seed: o.seed ?? 42 });
  const opt = makeOptimizer(model, o, 'trainImplicit');
  const history: EpochReport[] = [];
  let best = -Infinity, bestEpoch = 0, bestSnap: Map<string, Float32Array | Int32Array> | null = null;
  let bestValid: RankingMetrics | null = null;
  let trainSeconds = 0, samples = 0, lrScale = 1;
  if (o.validateStart && o.valid) {
    const valid = evaluateSampled((uu, ii) => model.scorePairs(uu, ii), o.valid, [10]);
    best = valid['ndcg@10'];
    bestValid = valid;
    bestSnap = snapshotState(model);
    o.onEpoch?.({ epoch: 0, loss: NaN, seconds: 0, sampleSeconds: 0, samplesPerSecond: 0, valid, best: true, lrScale });
  }
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      if (o.lrScales && o.lrScales[epoch - 1] !== lrScale) {
        opt.scaleLr(o.lrScales[epoch - 1] / lrScale);
        lrScale = o.lrScales[epoch - 1];
      }
      const t0 = performance.now();
      const inst = sampler.instances(epoch, { shuffle: true });
      const t1 = performance.now();
      const n = inst.users.length;
      const labels = new Float32Array(Math.min(B, n));
      const meter = new LossMeter();
      model.train();
      for (let s = 0; s < n; s += B) {
        const e = Math.min(n, s + B);
        tidy(() => {
          const u = Tensor.fromArray(inst.users.subarray(s, e), [e - s], 'int32');
          const i = Tensor.fromArray(inst.items.subarray(s, e), [e - s], 'int32');
          for (let k = s; k < e; k++) labels[k - s] = inst.labels[k];
          const y = Tensor.fromArray(labels.subarray(0, e - s), [e - s, 1]);
          let loss: Tensor;
          if (rowL2 > 0) {
            const { logits, readSquares } = model.forwardWithReadSquares!(u, i);
            loss = add(bceWithLogits(logits, y), mulScalar(readSquares, rowL2 / (e - s)));
          } else {
            loss = bceWithLogits(model.forward(u, i), y);
          }
          opt.zeroGrad();
          loss.backward();
          opt.step();
          meter.add(loss, e - s);
        });
        if (o.onProgress && ((s / B) & 255) === 0) o.onProgress(e, n, meter.total / e);
      }
      const loss = meter.total / n;
      meter.dispose();
      const t2 = performance.now();
      if (!Number.isFinite(loss)) throw new Error(`train: loss became ${loss} at epoch ${epoch}; lower the learning rate (now ${o.lr ?? 1e-3})`);
      const valid = o.valid ? evaluateSampled((uu, ii) => model.scorePairs(uu, ii), o.valid, [10]) : null;
      const score = valid ? valid['ndcg@10'] : epoch;
      const isBest = score > best;
      if (isBest) {
        best = score;
        bestEpoch = epoch;
        bestValid = valid;
        if (o.valid) bestSnap = snapshotState(model);
      }
      trainSeconds += (t2 - t1) / 1000;
      samples += n;
      const report: EpochReport = {
        epoch, loss, seconds: (t2 - t1) / 1000, sampleSeconds: (t1 - t0) / 1000,
        samplesPerSecond: n / ((t2 - t1) / 1000), valid, best: isBest, lrScale,
      };
      history.push(report);
      o.onEpoch?.(report);
      if (o.patience !== undefined && epoch - bestEpoch >= o.patience) break;
      if (plateau?.due(epoch, bestEpoch)) {
        // Overfitting is what plateaus here: go on from the best weights, in smaller steps.
        if (bestSnap) restoreState(model, bestSnap);
        opt.scaleLr(plateau.decay.factor);
        lrScale *= plateau.decay.factor;
      }
    }
  } finally {
    opt.dispose();
  }
  if (bestSnap) restoreState(model, bestSnap);
  const trained = history.length > 0;
  return { history, bestEpoch, bestValid, secondsPerEpoch: trained ? trainSeconds / history.length : 0, samplesPerSecond: trained ? samples / trainSeconds : 0 };
}
