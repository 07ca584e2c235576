/**
 * Matrix factorisation with biases (Koren, Bell & Volinsky 2009): the score of (u, i) is
 * μ + b_u + b_i + p_u·q_i. Two objectives:
 *   - 'explicit': the score is a rating, trained with squared error (plus L2 on the rows a batch
 *     touches) for RMSE; μ is the training mean, fixed;
 *   - 'implicit': the score is the logit of "u interacts with i", trained with binary
 *     cross-entropy on sampled negatives; forward() then matches NCF, so trainImplicit (a
 *     PairModel) trains it unchanged. Rendle et al. 2020 ("Neural Collaborative Filtering vs.
 *     Matrix Factorization Revisited") show a well-tuned MF matches NeuMF there.
 * Also here: the chunked no-grad scoring helpers the other pair models share.
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { Embedding } from '../nn/layers';
import { add, addScalar, clone, mul, mulScalar } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { matmul } from '../ops/linear';
import { concat, reshape, slice } from '../ops/shape';
import { bceWithLogits, mseLoss } from '../ops/losses';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { SeedSequence } from '../init';
import { clipTo, predictPairs, scoreAllByPairs } from './scoring';
import type { Interactions } from '../data/dataset';
import { meanRating, ratingRange } from '../eval/pairs_rating';
import type { RatingModel } from './types';
import { readSquares, type ReadSquared } from './read_squares';
import { meanUserVector, type FoldInObjective, type UserVectorModel, type VectorScorer } from './user_vectors';

export type MfObjective = 'explicit' | 'implicit';

export interface MfConfig {
  nUsers: number;
  nItems: number;
  /** Latent factors (default 64). */
  factors?: number;
  /** 'explicit' ratings with MSE (default) or 'implicit' feedback with BCE on logits. */
  objective?: MfObjective;
  /** μ, added to every score: the training mean for explicit data (default 0). */
  globalMean?: number;
  /** predictRatings clips to this range (e.g. [1, 5]); default: no clipping. */
  ratingRange?: [number, number];
  /**
   * L2 penalty on the factors of the rows in a batch, λ·mean(|p_u|² + |q_i|²), added by loss()
   * (explicit default 0.1, implicit 0: trainImplicit uses its weightDecay instead).
   */
  l2?: number;
  /** The same on the biases, λ_b·mean(b_u² + b_i²) (default l2 / 10). */
  l2Bias?: number;
  /** Standard deviation of the initial factors (default 0.1, Koren's). */
  initStd?: number;
  seed?: number;
  /** Tables update only the rows a batch touched (lazy Adam). Default true. */
  sparse?: boolean;
}

export class MF extends Module implements RatingModel, ReadSquared, UserVectorModel {
  readonly name = 'mf';
  readonly nUsers: number;
  readonly nItems: number;
  readonly factors: number;
  readonly objective: MfObjective;
  readonly globalMean: number;
  readonly range: [number, number] | null;
  readonly l2: number;
  readonly l2Bias: number;
  readonly userFactors: Embedding;
  readonly itemFactors: Embedding;
  readonly userBias: Embedding;
  readonly itemBias: Embedding;

  constructor(readonly config: MfConfig) {
    super();
    const { nUsers, nItems } = config;
    for (const [k, v] of [['nUsers', nUsers], ['nItems', nItems]] as const)
      if (!Number.isInteger(v) || v < 1) throw new Error(`mf: ${k} must be a positive integer, got ${v}`);
    this.nUsers = nUsers;
    this.nItems = nItems;
    this.factors = config.factors ?? 64;
    this.objective = config.objective ?? 'explicit';
    if (this.objective !== 'explicit' && this.objective !== 'implicit')
      throw new Error(`mf: objective must be 'explicit' or 'implicit', got ${this.objective}`);
    this.globalMean = config.globalMean ?? 0;
    this.range = config.ratingRange ?? null;
    this.l2 = config.l2 ?? (this.objective === 'explicit' ? 0.1 : 0);
    this.l2Bias = config.l2Bias ?? this.l2 / 10;
    const seeds = new SeedSequence(config.seed ?? 42);
    const sparse = config.sparse ?? true;
    const std = config.initStd ?? 0.1;
    this.userFactors = this.child('user_factors', new Embedding(nUsers, this.factors, seeds, { std, sparse }));
    this.itemFactors = this.child('item_factors', new Embedding(nItems, this.factors, seeds, { std, sparse }));
    // Biases start at zero: the mean is μ.
    this.userBias = this.child('user_bias', new Embedding(nUsers, 1, seeds, { std: 0, sparse }));
    this.itemBias = this.child('item_bias', new Embedding(nItems, 1, seeds, { std: 0, sparse }));
  }

  /** An explicit-rating MF for a training table: μ is its mean, predictions clip to its range. */
  static forRatings(train: Interactions, config: Omit<MfConfig, 'nUsers' | 'nItems' | 'objective'> = {}): MF {
    return new MF({
      globalMean: meanRating(train.ratings), ratingRange: ratingRange(train.ratings), ...config,
      nUsers: train.nUsers, nItems: train.nItems, objective: 'explicit',
    });
  }

  /** The rows a batch reads and its scores [B,1]. */
  private terms(users: Tensor, items: Tensor) {
    const pu = this.userFactors.forward(users), qi = this.itemFactors.forward(items);
    // Bias tables are [n,1], so their gathers are already [B,1].
    const bu = this.userBias.forward(users), bi = this.itemBias.forward(items);
    const s = add(sum(mul(pu, qi), 1, true), add(bu, bi));
    return { pu, qi, bu, bi, score: this.globalMean === 0 ? s : addScalar(s, this.globalMean) };
  }

  /** Scores [B,1] (ratings, or logits for implicit) for user and item index tensors (int32 [B]). */
  forward(users: Tensor, items: Tensor): Tensor {
    return this.terms(users, items).score;
  }

  /** Scores [B,1] and Σ|row|² of the factor and bias rows the batch read (per-sample L2). */
  forwardWithReadSquares(users: Tensor, items: Tensor): { logits: Tensor; readSquares: Tensor } {
    const { pu, qi, bu, bi, score } = this.terms(users, items);
    return { logits: score, readSquares: readSquares([pu, qi, bu, bi]) };
  }

  /**
   * The training loss of a batch: MSE against the ratings (explicit) or BCE against 0/1 labels
   * (implicit), plus the L2 penalties on the rows the batch touched.
   */
  loss(users: Int32Array, items: Int32Array, targets: Float32Array): Tensor {
    const B = users.length;
    const { pu, qi, bu, bi, score } = this.terms(Tensor.fromArray(users, [B], 'int32'), Tensor.fromArray(items, [B], 'int32'));
    const y = Tensor.fromArray(targets, [B, 1]);
    let loss = this.objective === 'explicit' ? mseLoss(score, y) : bceWithLogits(score, y);
    if (this.l2 > 0) loss = add(loss, mulScalar(readSquares([pu, qi]), this.l2 / B));
    if (this.l2Bias > 0) loss = add(loss, mulScalar(readSquares([bu, bi]), this.l2Bias / B));
    return loss;
  }

  /** Scores of (user, item) pairs (ratings, unclipped, or logits), without gradients. */
  scorePairs(users: Int32Array, items: Int32Array, chunk = 1 << 16): Float32Array {
    return predictPairs(this, (u, i) => this.forward(u, i), users, items, chunk);
  }

  /** Predicted ratings, clipped to the rating range. Explicit MF only. */
  predictRatings(users: Int32Array, items: Int32Array): Float32Array {
    if (this.objective !== 'explicit')
      throw new Error('mf: predictRatings needs an explicit-rating MF; an implicit one scores logits (use scorePairs)');
    return clipTo(this.scorePairs(users, items), this.range);
  }

  /** Scores of every item for each user, [users.length, nItems]: P_u·Qᵀ + b_i + b_u + μ. */
  scoreAll(users: Int32Array): Tensor {
    return noGrad(() =>
      tidy(() => {
        const n = users.length;
        const u = Tensor.fromArray(users, [n], 'int32');
        const dots = matmul(this.userFactors.forward(u), this.itemFactors.weight, { transB: true });
        const withItem = add(dots, reshape(this.itemBias.weight, [this.nItems]));
        const s = add(withItem, this.userBias.forward(u));
        return this.globalMean === 0 ? s : addScalar(s, this.globalMean);
      }),
    );
  }

  // ---- User vectors (serving: new users, fold-in): [factors; bias] ----

  get userVectorWidth(): number {
    return this.factors + 1;
  }

  get trainableWidth(): number {
    return this.factors + 1;
  }

  get foldInObjective(): FoldInObjective {
    return this.objective;
  }

  userVectors(users: Int32Array): Tensor {
    return noGrad(() => {
      const u = Tensor.fromArray(users, [users.length], 'int32');
      return concat([this.userFactors.forward(u), this.userBias.forward(u)]);
    });
  }

  /** Scores [B,1] of per-pair user vectors [B, factors+1] and items [B]. */
  forwardVectors(v: Tensor, items: Tensor): Tensor {
    const p = slice(v, 0, this.factors), b = slice(v, this.factors, 1);
    const s = add(sum(mul(p, this.itemFactors.forward(items)), 1, true), add(b, this.itemBias.forward(items)));
    return this.globalMean === 0 ? s : addScalar(s, this.globalMean);
  }

  pairLoss(v: Tensor, items: Tensor, targets: Tensor): Tensor {
    const y = reshape(targets, [targets.size, 1]), s = this.forwardVectors(v, items);
    return this.objective === 'explicit' ? mseLoss(s, y) : bceWithLogits(s, y);
  }

  newUserVector(): Float32Array {
    return meanUserVector(this);
  }

  itemVectors(): Tensor {
    return noGrad(() => clone(this.itemFactors.weight));
  }

  vectorScorer(): VectorScorer {
    const itemBias = noGrad(() => clone(reshape(this.itemBias.weight, [this.nItems]))).keep();
    return {
      scoreAll: (v: Tensor): Tensor => noGrad(() => tidy(() => {
        const p = slice(v, 0, this.factors), b = slice(v, this.factors, 1);
        const s = add(add(matmul(p, this.itemFactors.weight, { transB: true }), itemBias), b);
        return this.globalMean === 0 ? s : addScalar(s, this.globalMean);
      })),
      dispose: () => itemBias.dispose(),
    };
  }
}
