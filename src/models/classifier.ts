/**
 * Seed 000's deep classifier: user and item embeddings, concatenated, through a ReLU stack
 * [128, 64, 32, 16, 8], then a linear layer to one logit per rating class (ml-100k: 1..5, five
 * classes; half-star data: 0.5..5, ten). Trained with softmax cross-entropy on the class of each
 * rating. The predicted rating is the expected value Σ_c p_c·r_c under the softmax, which is
 * also the ranking score.
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { Embedding, Linear, MLPTower, Dropout, type LinearInit } from '../nn/layers';
import { concat } from '../ops/shape';
import { clone } from '../ops/elementwise';
import { noGrad } from '../autograd';
import { softmaxCrossEntropy } from '../ops/losses';
import { SeedSequence } from '../init';
import type { Interactions } from '../data/dataset';
import type { RatingModel } from './types';
import { predictPairs, scoreAllByPairs } from './scoring';
import { meanRow, pairVectorScorer, type FoldInObjective, type UserVectorModel, type VectorScorer } from './user_vectors';

export interface ClassifierConfig {
  nUsers: number;
  nItems: number;
  /** The rating values, one class each, ascending (e.g. [1,2,3,4,5]). */
  classes: number[];
  /** Width of each of the user and item embeddings (default 32). */
  embeddingDim?: number;
  /** Hidden ReLU layers (default [128, 64, 32, 16, 8], seed 000's stack). */
  hidden?: number[];
  /** Dropout after each hidden layer (default 0). */
  dropout?: number;
  /** Standard deviation of the initial embeddings (default 0.05). */
  initStd?: number;
  /** Initialiser of the linear layers (default 'he', for ReLU). */
  init?: LinearInit;
  seed?: number;
  /** Embedding tables update only the rows a batch touched (lazy Adam). Default true. */
  sparse?: boolean;
}

/** The distinct rating values of a table, ascending: the classes (checked to be few). */
export function ratingClasses(ratings: ArrayLike<number>, max = 20): number[] {
  const set = new Set<number>();
  for (let k = 0; k < ratings.length; k++) {
    set.add(ratings[k]);
    if (set.size > max) throw new Error(`ratingClasses: more than ${max} distinct rating values; a classifier needs a small rating scale`);
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * Expected ratings Σ_c softmax(logits)_c·values_c of each row of row-major logits (N, C), in
 * float64 with the max subtracted (stable for any logit).
 */
export function expectedRatings(logits: ArrayLike<number>, values: readonly number[]): Float32Array {
  const C = values.length;
  if (C === 0 || logits.length % C !== 0) throw new Error(`expectedRatings: ${logits.length} logits are not rows of ${C} classes`);
  const N = logits.length / C;
  const out = new Float32Array(N);
  for (let r = 0; r < N; r++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[r * C + c]);
    let z = 0, s = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(logits[r * C + c] - max);
      z += e;
      s += e * values[c];
    }
    out[r] = s / z;
  }
  return out;
}

export class RatingClassifier extends Module implements RatingModel, UserVectorModel {
  readonly name = 'classifier';
  readonly nUsers: number;
  readonly nItems: number;
  readonly classes: readonly number[];
  readonly embeddingDim: number;
  readonly hidden: readonly number[];
  readonly user: Embedding;
  readonly item: Embedding;
  readonly tower: MLPTower | null;
  readonly out: Linear;
  private readonly drops: Dropout[] = [];
  private readonly classOf = new Map<number, number>();

  constructor(readonly config: ClassifierConfig) {
    super();
    const { nUsers, nItems, classes } = config;
    for (const [k, v] of [['nUsers', nUsers], ['nItems', nItems]] as const)
      if (!Number.isInteger(v) || v < 1) throw new Error(`classifier: ${k} must be a positive integer, got ${v}`);
    if (!Array.isArray(classes) || classes.length < 2) throw new Error(`classifier: expected at least 2 rating classes but got ${JSON.stringify(classes)}`);
    for (let c = 1; c < classes.length; c++)
      if (!(classes[c] > classes[c - 1])) throw new Error(`classifier: classes must be ascending and distinct, got ${classes.join(',')}`);
    this.nUsers = nUsers;
    this.nItems = nItems;
    this.classes = classes.slice();
    classes.forEach((v, c) => this.classOf.set(v, c));
    this.embeddingDim = config.embeddingDim ?? 32;
    this.hidden = config.hidden ?? [128, 64, 32, 16, 8];
    const seeds = new SeedSequence(config.seed ?? 42);
    const sparse = config.sparse ?? true, std = config.initStd ?? 0.05, init = config.init ?? 'he';
    this.user = this.child('user', new Embedding(nUsers, this.embeddingDim, seeds, { std, sparse }));
    this.item = this.child('item', new Embedding(nItems, this.embeddingDim, seeds, { std, sparse }));
    const sizes = [2 * this.embeddingDim, ...this.hidden];
    this.tower = this.hidden.length > 0 ? this.child('tower', new MLPTower(sizes, seeds, { init })) : null;
    const p = config.dropout ?? 0;
    if (!(p >= 0 && p < 1)) throw new Error(`classifier: dropout must be in [0, 1), got ${p}`);
    if (p > 0) for (let l = 0; l < this.hidden.length; l++) this.drops.push(this.child(`dropout${l}`, new Dropout(p, seeds.next())));
    this.out = this.child('out', new Linear(sizes[sizes.length - 1], classes.length, seeds, { init: 'xavier' }));
  }

  /** A classifier for a training table: its distinct rating values are the classes. */
  static forRatings(train: Interactions, config: Omit<ClassifierConfig, 'nUsers' | 'nItems' | 'classes'> & { classes?: number[] } = {}): RatingClassifier {
    return new RatingClassifier({ classes: ratingClasses(train.ratings), ...config, nUsers: train.nUsers, nItems: train.nItems });
  }

  /** Class logits [B, C] for user and item index tensors (int32 [B]). */
  forward(users: Tensor, items: Tensor): Tensor {
    return this.forwardVectors(this.user.forward(users), items);
  }

  /** Class logits [B, C] for per-pair user vectors [B, embeddingDim] and item indices [B]. */
  forwardVectors(userRows: Tensor, items: Tensor): Tensor {
    let h = concat([userRows, this.item.forward(items)]);
    if (this.tower) {
      this.tower.layers.forEach((l, k) => {
        h = l.forward(h, true);
        if (this.drops.length) h = this.drops[k].forward(h);
      });
    }
    return this.out.forward(h);
  }

  /** The class index of each rating (throws on a rating that is not a class). */
  labels(ratings: ArrayLike<number>): Int32Array {
    const out = new Int32Array(ratings.length);
    for (let k = 0; k < ratings.length; k++) {
      const c = this.classOf.get(ratings[k]);
      if (c === undefined) throw new Error(`classifier: rating ${ratings[k]} (row ${k}) is not one of the classes ${this.classes.join(', ')}`);
      out[k] = c;
    }
    return out;
  }

  /** Mean softmax cross-entropy of a batch against the rating classes. */
  loss(users: Int32Array, items: Int32Array, ratings: Float32Array): Tensor {
    const B = users.length;
    const logits = this.forward(Tensor.fromArray(users, [B], 'int32'), Tensor.fromArray(items, [B], 'int32'));
    return softmaxCrossEntropy(logits, Tensor.fromArray(this.labels(ratings), [B], 'int32'));
  }

  /** Class logits of (user, item) pairs, row-major [pairs, C], without gradients. */
  logits(users: Int32Array, items: Int32Array): Float32Array {
    return predictPairs(this, (u, i) => this.forward(u, i), users, items);
  }

  /** Class probabilities of (user, item) pairs, row-major [pairs, C]. */
  probabilities(users: Int32Array, items: Int32Array): Float32Array {
    const C = this.classes.length, z = this.logits(users, items);
    for (let r = 0; r < users.length; r++) {
      let max = -Infinity, s = 0;
      for (let c = 0; c < C; c++) max = Math.max(max, z[r * C + c]);
      for (let c = 0; c < C; c++) s += z[r * C + c] = Math.exp(z[r * C + c] - max);
      for (let c = 0; c < C; c++) z[r * C + c] /= s;
    }
    return z;
  }

  /** Expected ratings Σ_c p_c·r_c: always within the class range. */
  predictRatings(users: Int32Array, items: Int32Array): Float32Array {
    return expectedRatings(this.logits(users, items), this.classes);
  }

  /** Ranking scores: the expected rating. */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    return this.predictRatings(users, items);
  }

  scoreAll(users: Int32Array): Tensor {
    return scoreAllByPairs((u, i) => this.scorePairs(u, i), users, this.nItems);
  }

  // ---- User vectors (serving: new users, fold-in): the user's embedding row ----

  get userVectorWidth(): number {
    return this.embeddingDim;
  }

  get trainableWidth(): number {
    return this.embeddingDim;
  }

  readonly foldInObjective: FoldInObjective = 'explicit';

  userVectors(users: Int32Array): Tensor {
    return noGrad(() => this.user.forward(Tensor.fromArray(users, [users.length], 'int32')));
  }

  /** Cross-entropy of the rating classes of `targets` (ratings) for per-pair vectors. */
  pairLoss(v: Tensor, items: Tensor, targets: Tensor): Tensor {
    return softmaxCrossEntropy(this.forwardVectors(v, items), Tensor.fromArray(this.labels(targets.toFloat32Array()), [targets.size], 'int32'));
  }

  newUserVector(): Float32Array {
    return meanRow(this.user.weight.toFloat32Array(), this.embeddingDim);
  }

  itemVectors(): Tensor {
    return noGrad(() => clone(this.item.weight));
  }

  /** Expected ratings of every item: the pairs through the tower (no shortcut for a deep stack). */
  vectorScorer(): VectorScorer {
    return pairVectorScorer(this.nItems, (v, items) => expectedRatings(this.forwardVectors(v, items).toFloat32Array(), this.classes));
  }
}
