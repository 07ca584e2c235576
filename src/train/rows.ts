/**
 * Training over the rows of a sparse rating matrix: the loop of the row autoencoders (AutoRec,
 * Mult-VAE). A RowMatrix is the training data in compressed sparse rows, by user (a user's
 * ratings of every item) or by item (an item's ratings by every user); each mini-batch is a
 * dense block of rows built on the fly (input, and mask where observed), so the full dense
 * matrix never exists. Rows are shuffled once per epoch from one seeded stream; after each epoch
 * the validation data (carved from training data, never the test set) is scored, the best
 * epoch's weights are kept and restored, and training stops after `patience` epochs without
 * improvement, as in ./implicit.ts.
 *
 * AutoRec's objective is the PyTorch peer's (../shared/peers/torch_autorec.py), which is the
 * paper's (Sedhain et al. 2015), summed, not averaged:
 *     Σ over observed entries (h(r) - r)²  +  λ/2 · Σ over weight matrices ‖W‖²   (no biases)
 * A mini-batch of B rows out of nRows takes its squared errors plus the regulariser times
 * B / nRows, so an epoch's batch losses add up to the whole objective. The reported loss is that
 * epoch sum divided by the number of observed training ratings, as the peer prints it.
 *
 * Mult-VAE's (Liang et al. 2018) is the negative ELBO per user: multinomial NLL of the binary
 * row under softmax(logits) + β·KL(q(z|x) ‖ N(0, I)), β annealed linearly from 0 to the cap (0.2),
 * optionally + l2·Σ‖W‖² (the authors' code uses 2·tf l2_regularizer(lam) = lam·Σ‖W‖²).
 */
import { Plateau, type LrDecay } from './plateau';
import { snapshotState, restoreState } from '../nn/module';
import { Tensor } from '../tensor';
import { tidy } from '../scope';
import { noGrad } from '../autograd';
import { add, mulScalar, square } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { maskedMseLoss } from '../ops/losses';
import { Adam } from '../optim/adam';
import type { Module } from '../nn/module';
import type { Interactions } from '../data/dataset';
import type { RankingEvalSet } from '../data/ncf_eval';
import { indexByUser } from '../data/csr';
import { Rng } from '../data/rng';
import { evaluateFull } from '../eval/ranking';
import type { RankingMetrics } from '../eval/metrics';
import { evaluateRatings, type RatingMetrics } from '../eval/rating';
import type { AutoRec } from '../models/autorec';
import type { MultVAE } from '../models/multvae';

// ------------------------------------------------------------------------------ row matrix

/** A sparse matrix in compressed sparse rows: row r holds cols/values[offsets[r] .. offsets[r+1]). */
export interface RowMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** nRows + 1 offsets. */
  readonly offsets: Int32Array;
  /** Column of each entry, ascending within a row, no repeats. */
  readonly cols: Int32Array;
  readonly values: Float32Array;
}

export interface RowMatrixOptions {
  /** Every entry 1 (implicit feedback), whatever the rating. Default false. */
  binary?: boolean;
}

/**
 * The training ratings as rows: by 'user' (nUsers rows × nItems columns) or by 'item' (nItems ×
 * nUsers). A (user, item) pair rated more than once keeps the rating of its last table row, as
 * the peer's dense assignment does.
 */
export function rowMatrix(data: Interactions, by: 'user' | 'item', opts: RowMatrixOptions = {}): RowMatrix {
  const byUser = by === 'user';
  const nRows = byUser ? data.nUsers : data.nItems, nCols = byUser ? data.nItems : data.nUsers;
  const ix = byUser
    ? indexByUser(data.users, data.items, data.nUsers, data.nItems)
    : indexByUser(data.items, data.users, data.nItems, data.nUsers);
  // Entries of a row are sorted by column, ties in table order: keep the last of each run.
  const offsets = new Int32Array(nRows + 1);
  const cols = new Int32Array(ix.items.length), values = new Float32Array(ix.items.length);
  let n = 0;
  for (let r = 0; r < nRows; r++) {
    const s = ix.offsets[r], e = ix.offsets[r + 1];
    for (let p = s; p < e; p++) {
      if (p + 1 < e && ix.items[p + 1] === ix.items[p]) continue;
      cols[n] = ix.items[p];
      values[n] = opts.binary ? 1 : data.ratings[ix.rows[p]];
      n++;
    }
    offsets[r + 1] = n;
  }
  return { nRows, nCols, offsets, cols: cols.slice(0, n), values: values.slice(0, n) };
}

export interface FillOptions {
  /** Multiplies every value (e.g. 1/5 for a sigmoid output on 1-5 ratings). Default 1. */
  scale?: number;
  /** Divides each row by its L2 norm (Mult-VAE's input); an empty row stays 0. */
  normalize?: boolean;
  /** Receives 1 where an entry is observed, 0 elsewhere (same size as out). */
  mask?: Float32Array;
}

/**
 * Writes rows ids[0..n) of m densely into out (n × nCols, row-major), zeros elsewhere; returns
 * the number of observed entries written. Ids outside [0, nRows) throw.
 */
export function fillRows(m: RowMatrix, ids: ArrayLike<number>, out: Float32Array, opts: FillOptions = {}): number {
  const n = ids.length, C = m.nCols;
  if (out.length < n * C) throw new Error(`fillRows: out holds ${out.length} values, need ${n} × ${C}`);
  const mask = opts.mask;
  if (mask && mask.length < n * C) throw new Error(`fillRows: mask holds ${mask.length} values, need ${n} × ${C}`);
  out.fill(0, 0, n * C);
  if (mask) mask.fill(0, 0, n * C);
  const scale = opts.scale ?? 1;
  let nnz = 0;
  for (let k = 0; k < n; k++) {
    const r = ids[k];
    if (!(r >= 0 && r < m.nRows)) throw new Error(`fillRows: row ${r} out of range [0, ${m.nRows})`);
    const s = m.offsets[r], e = m.offsets[r + 1], base = k * C;
    let f = scale;
    if (opts.normalize) {
      let ss = 0;
      for (let p = s; p < e; p++) ss += m.values[p] * m.values[p];
      f = ss > 0 ? scale / Math.sqrt(ss) : 0;
    }
    for (let p = s; p < e; p++) out[base + m.cols[p]] = m.values[p] * f;
    if (mask) for (let p = s; p < e; p++) mask[base + m.cols[p]] = 1;
    nnz += e - s;
  }
  return nnz;
}

/** Number of stored entries in each row (0: the row has no training data). */
export function rowCounts(m: RowMatrix): Int32Array {
  const c = new Int32Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) c[r] = m.offsets[r + 1] - m.offsets[r];
  return c;
}

// ------------------------------------------------------------------------------ shared loop

export interface RowEpochReport<V> {
  epoch: number;
  /** AutoRec: the epoch's objective / observed ratings; Mult-VAE: mean negative ELBO per row. */
  loss: number;
  /** Training seconds (batch building included, validation excluded). */
  seconds: number;
  rowsPerSecond: number;
  /** Validation seconds. */
  validSeconds: number;
  /** Learning rate the epoch trained with. */
  lr: number;
  valid: V | null;
  /** Mult-VAE: β at the epoch's last step (absent for AutoRec). */
  beta?: number;
  best: boolean;
}

export interface RowTrainResult<V> {
  history: RowEpochReport<V>[];
  /** The epoch whose weights the model holds now (the last one without validation). */
  bestEpoch: number;
  secondsPerEpoch: number;
}

/** Options both row trainers take. */
export interface RowTrainOptions {
  epochs: number;
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Seeds the row shuffle (default 42). */
  seed?: number;
  /** Stop after this many epochs without a better validation score (default: never). */
  patience?: number;
  /**
   * Multiply the learning rate by `factor` after `patience` epochs without a better validation
   * score (counted from the best epoch or the last decay), down to `minLr` (default 0). Needs
   * validation data; off by default (the peer keeps a constant rate).
   */
  lrDecay?: LrDecay & { minLr?: number };
  /** The learning rate of each epoch (e.g. a history's, to retrain the same way); overrides lr and lrDecay. */
  lrs?: number[];
  onProgress?: (done: number, total: number, loss: number) => void;
}

/**
 * The epoch loop both trainers share: shuffled batches of row ids go to `step` (which returns
 * its loss contribution); `evaluate` scores the epoch (higher is better) or returns null.
 */
function runEpochs<V>(
  model: Module, opt: Adam, nRows: number, B: number, o: RowTrainOptions,
  step: (ids: Int32Array) => number,
  finish: (lossSum: number) => { loss: number; beta?: number },
  evaluate: (() => { score: number; metrics: V }) | null,
  onEpoch: ((r: RowEpochReport<V>) => void) | undefined,
  afterRestore: () => void,
): RowTrainResult<V> {
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new Error(`train: epochs must be a positive integer, got ${o.epochs}`);
  if (!(Number.isInteger(B) && B >= 1)) throw new Error(`train: batchSize must be a positive integer, got ${B}`);
  const plateau = o.lrDecay ? new Plateau(o.lrDecay, 'train') : null;
  if (o.lrs && !(o.lrs.length > 0 && o.lrs.every((v) => v >= 0 && Number.isFinite(v))))
    throw new Error('train: lrs must hold at least one finite learning rate >= 0');
  const rng = new Rng(o.seed ?? 42);
  const history: RowEpochReport<V>[] = [];
  let best = -Infinity, bestEpoch = 0, bestSnap: Map<string, Float32Array | Int32Array> | null = null, trainSeconds = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    if (o.lrs) opt.lr = o.lrs[Math.min(epoch, o.lrs.length) - 1];
    const lr = opt.lr;
    model.train();
    const order = rng.permutation(nRows);
    let lossSum = 0;
    for (let s = 0; s < nRows; s += B) {
      const ids = order.subarray(s, Math.min(nRows, s + B));
      lossSum += step(ids);
      if (o.onProgress && ((s / B) & 63) === 0) o.onProgress(s + ids.length, nRows, lossSum);
    }
    const t1 = performance.now();
    const { loss, beta } = finish(lossSum);
    if (!Number.isFinite(loss)) throw new Error(`train: loss became ${loss} at epoch ${epoch}; lower the learning rate (now ${o.lr ?? 1e-3})`);
    model.eval();
    const ev = evaluate ? evaluate() : null;
    const t2 = performance.now();
    const score = ev ? ev.score : epoch;
    const isBest = score > best;
    if (isBest) {
      best = score;
      bestEpoch = epoch;
      if (evaluate) bestSnap = snapshotState(model);
    }
    trainSeconds += (t1 - t0) / 1000;
    const report: RowEpochReport<V> = {
      epoch, loss, seconds: (t1 - t0) / 1000, rowsPerSecond: nRows / ((t1 - t0) / 1000), validSeconds: (t2 - t1) / 1000, lr,
      valid: ev ? ev.metrics : null, best: isBest,
    };
    if (beta !== undefined) report.beta = beta;
    history.push(report);
    onEpoch?.(report);
    if (o.patience !== undefined && epoch - bestEpoch >= o.patience) break;
    if (plateau && evaluate && !o.lrs && plateau.due(epoch, bestEpoch)) opt.lr = Math.max(o.lrDecay?.minLr ?? 0, opt.lr * plateau.decay.factor);
  }
  if (bestSnap && bestEpoch !== history.length) restoreState(model, bestSnap);
  afterRestore();
  model.eval();
  return { history, bestEpoch, secondsPerEpoch: trainSeconds / history.length };
}

// ------------------------------------------------------------------------------ AutoRec

export interface AutoRecTrainOptions extends RowTrainOptions {
  /** Rows per batch (default 256). */
  batchSize?: number;
  /** L2 strength λ of λ/2·Σ‖W‖² over the weight matrices (default 0; the peer's I-AutoRec uses 200). */
  lambda?: number;
  /** Held-out training ratings: RMSE after each epoch selects the epoch (null: keep the last). */
  valid?: Interactions | null;
  /**
   * Denoising: each observed input entry is zeroed with this probability (the rest scaled by
   * 1 / (1 - p)) while the loss still covers every observed entry, so the network learns to
   * predict ratings it was not shown, which is what it does at test time. Default 0.
   */
  inputDropout?: number;
  onEpoch?: (r: RowEpochReport<RatingMetrics>) => void;
}

/** Zeroes each observed entry of rows `ids` (as fillRows laid them out) with probability p, scaling the rest. */
export function dropInputs(m: RowMatrix, ids: Int32Array, x: Float32Array, p: number, rng: Rng): void {
  const keep = 1 / (1 - p), C = m.nCols;
  for (let k = 0; k < ids.length; k++) {
    const base = k * C;
    for (let q = m.offsets[ids[k]]; q < m.offsets[ids[k] + 1]; q++) {
      const j = base + m.cols[q];
      x[j] = rng.next() < p ? 0 : x[j] * keep;
    }
  }
}

/**
 * Trains an AutoRec on `train` (which becomes the model's input rows, see AutoRec.setInputs)
 * with Adam on the peer's objective; see the file comment.
 */
export function trainAutoRec(model: AutoRec, train: Interactions, o: AutoRecTrainOptions): RowTrainResult<RatingMetrics> {
  const B = o.batchSize ?? 256, lambda = o.lambda ?? 0, drop = o.inputDropout ?? 0;
  if (!(lambda >= 0)) throw new Error(`trainAutoRec: lambda must be >= 0, got ${lambda}`);
  if (!(drop >= 0 && drop < 1)) throw new Error(`trainAutoRec: inputDropout must be in [0, 1), got ${drop}`);
  model.setInputs(train);
  const m = model.rows, C = m.nCols, nRows = m.nRows;
  const x = new Float32Array(B * C), mask = new Float32Array(B * C);
  const noisy = drop > 0 ? new Float32Array(B * C) : null;
  const dropRng = Rng.derive(o.seed ?? 42, 0x6e6f6973);
  const weights = model.weights();
  const opt = new Adam(model.parameters(), { lr: o.lr ?? 1e-3 });
  let nObs = 0;
  for (let r = 0; r < nRows; r++) nObs += m.offsets[r + 1] - m.offsets[r];
  const valid = o.valid ?? null;
  try {
    return runEpochs<RatingMetrics>(
      model, opt, nRows, B, o,
      (ids) => {
        const n = ids.length;
        const obs = fillRows(m, ids, x, { scale: model.inputScale, mask });
        if (noisy) {
          noisy.set(x.subarray(0, n * C));
          dropInputs(m, ids, noisy, drop, dropRng);
        }
        return tidy(() => {
          const X = Tensor.fromArray(x.subarray(0, n * C), [n, C]);
          const M = Tensor.fromArray(mask.subarray(0, n * C), [n, C]);
          const input = noisy ? Tensor.fromArray(noisy.subarray(0, n * C), [n, C]) : X;
          // Σ mask·(h - r)² = masked mean × observed count (the kernel averages over the mask).
          let loss = mulScalar(maskedMseLoss(model.forward(input), X, M), obs);
          if (lambda > 0) {
            let reg: Tensor | null = null;
            for (const w of weights) reg = reg ? add(reg, sum(square(w))) : sum(square(w));
            loss = add(loss, mulScalar(reg!, (lambda / 2) * (n / nRows)));
          }
          opt.zeroGrad();
          loss.backward();
          opt.step();
          return loss.item();
        });
      },
      (lossSum) => {
        model.invalidate();
        return { loss: lossSum / Math.max(1, nObs) };
      },
      valid ? () => {
        const metrics = evaluateRatings(model, valid);
        return { score: -metrics.rmse, metrics };
      } : null,
      o.onEpoch,
      () => model.invalidate(),
    );
  } finally {
    opt.dispose();
  }
}

// ------------------------------------------------------------------------------ Mult-VAE

export interface MultVaeTrainOptions extends RowTrainOptions {
  /** Users per batch (default 500, the authors'). */
  batchSize?: number;
  /** β's cap (default 0.2). */
  annealCap?: number;
  /**
   * β = min(annealCap, step / totalAnnealSteps), step = updates done before this one (the
   * authors' rule). Default: all of this run's steps / annealCap, so β rises linearly from 0 and
   * reaches the cap at the last step.
   */
  totalAnnealSteps?: number;
  /** lam of lam·Σ‖W‖² over the weight matrices (default 0, as the authors' Mult-VAE). */
  l2?: number;
  /** Held-out items ranked after each epoch (full ranking, training items excluded); null: keep the last. */
  valid?: RankingEvalSet | null;
  /** The selection metric's cut-off: NDCG@validK (default 100, the authors'). */
  validK?: number;
  onEpoch?: (r: RowEpochReport<RankingMetrics>) => void;
}

/** Trains a Mult-VAE on `train` (binarised; its user rows become the model's inputs). */
export function trainMultVae(model: MultVAE, train: Interactions, o: MultVaeTrainOptions): RowTrainResult<RankingMetrics> {
  const B = o.batchSize ?? 500, cap = o.annealCap ?? 0.2, l2 = o.l2 ?? 0;
  if (!(cap >= 0)) throw new Error(`trainMultVae: annealCap must be >= 0, got ${cap}`);
  model.setInputs(train);
  const m = model.rows, C = m.nCols, nRows = m.nRows;
  const totalSteps = o.epochs * Math.ceil(nRows / B);
  const annealSteps = o.totalAnnealSteps ?? (cap > 0 ? totalSteps / cap : 1);
  if (!(annealSteps > 0)) throw new Error(`trainMultVae: totalAnnealSteps must be > 0, got ${annealSteps}`);
  const raw = new Float32Array(B * C), norm = new Float32Array(B * C);
  const weights = model.weights();
  const opt = new Adam(model.parameters(), { lr: o.lr ?? 1e-3 });
  const valid = o.valid ?? null, K = o.validK ?? 100;
  const seen = valid ? indexByUser(train.users, train.items, train.nUsers, train.nItems) : null;
  let step = 0, beta = 0;
  try {
    return runEpochs<RankingMetrics>(
      model, opt, nRows, B, o,
      (ids) => {
        const n = ids.length;
        fillRows(m, ids, raw);
        fillRows(m, ids, norm, { normalize: true });
        beta = Math.min(cap, step / annealSteps);
        step++;
        return tidy(() => {
          const X = Tensor.fromArray(raw.subarray(0, n * C), [n, C]);
          const Xn = Tensor.fromArray(norm.subarray(0, n * C), [n, C]);
          let loss = model.elbo(X, Xn, beta).loss;
          if (l2 > 0) {
            let reg: Tensor | null = null;
            for (const w of weights) reg = reg ? add(reg, sum(square(w))) : sum(square(w));
            loss = add(loss, mulScalar(reg!, l2));
          }
          opt.zeroGrad();
          loss.backward();
          opt.step();
          return loss.item() * n;
        });
      },
      (lossSum) => ({ loss: lossSum / nRows, beta }),
      valid ? () => {
        const metrics = noGrad(() => evaluateFull((u) => model.scoreAll(u), valid, seen!, [10, K]));
        return { score: metrics[`ndcg@${K}`], metrics };
      } : null,
      o.onEpoch,
      () => undefined,
    );
  } finally {
    opt.dispose();
  }
}
