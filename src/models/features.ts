/**
 * Seed 003's embedding model with side features: the user and item embeddings, concatenated
 * with the user's features (age standardised, gender one-hot, occupation one-hot) and the
 * item's (genre multi-hot, release year standardised, release month one-hot), then
 * linear → batch norm → ReLU (→ dropout) → linear to one rating, trained with squared error.
 *
 * Cold start: a new user has no embedding, only a profile. `scoreProfile` feeds the profile's
 * features with a stand-in embedding: zero, which the network has learnt to read as "unknown
 * user" when trained with `coldStartRate` > 0 (that fraction of training rows has its user
 * embedding zeroed, embedding dropout), or else the mean of the user table.
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { BatchNorm1d, Dropout, Embedding, Linear } from '../nn/layers';
import { concat, slice } from '../ops/shape';
import { clone, mul, relu } from '../ops/elementwise';
import { noGrad } from '../autograd';
import { gather } from '../ops/gather';
import { mseLoss } from '../ops/losses';
import { SeedSequence } from '../init';
import { Rng } from '../data/rng';
import type { Interactions, ItemMeta, UserMeta } from '../data/dataset';
import { meanRating, ratingRange } from '../eval/pairs_rating';
import type { RatingModel } from './types';
import type { UserProfile } from './popularity';
import { clipTo, predictPairs, scoreAllByPairs } from './scoring';
import { pairVectorScorer, type FoldInObjective, type UserVectorModel, type VectorScorer } from './user_vectors';

export type { UserProfile } from './popularity';

export interface FeatureModelConfig {
  nUsers: number;
  nItems: number;
  userMeta: UserMeta;
  itemMeta: ItemMeta;
  /** Width of each of the user and item embeddings (default 32). */
  embeddingDim?: number;
  /** Width of the hidden layer (default 64). */
  hidden?: number;
  /** Dropout after the hidden layer (default 0.2). */
  dropout?: number;
  /** Fraction of training rows whose user embedding is zeroed, for cold start (default 0.1). */
  coldStartRate?: number;
  /** The output bias starts here: the training mean (default 0). */
  globalMean?: number;
  /** predictRatings clips to this range (e.g. [1, 5]); default none. */
  ratingRange?: [number, number];
  /** Standard deviation of the initial embeddings (default 0.05). */
  initStd?: number;
  seed?: number;
  /** Embedding tables update only the rows a batch touched (lazy Adam). Default true. */
  sparse?: boolean;
}

/** How raw side information becomes feature columns; fixed at construction. */
export interface FeatureLayout {
  /** Occupation names, one column each (sorted). */
  occupations: string[];
  genres: string[];
  ageMean: number;
  ageStd: number;
  yearMean: number;
  yearStd: number;
  /** Columns of a user row: age, M, F, occupations. */
  userWidth: number;
  /** Columns of an item row: genres, year, 12 months. */
  itemWidth: number;
}

function meanStd(values: ArrayLike<number>): [number, number] {
  let n = 0, s = 0, ss = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!(v > 0)) continue;  // 0: unknown
    n++;
    s += v;
    ss += v * v;
  }
  if (n === 0) return [0, 1];
  const m = s / n, sd = Math.sqrt(Math.max(0, ss / n - m * m));
  return [m, sd > 0 ? sd : 1];
}

export function featureLayout(userMeta: UserMeta, itemMeta: ItemMeta): FeatureLayout {
  const occupations = [...new Set(userMeta.occupation.filter((o) => o !== ''))].sort();
  const [ageMean, ageStd] = meanStd(userMeta.age);
  const [yearMean, yearStd] = meanStd(itemMeta.year);
  const genres = itemMeta.genreNames.slice();
  return { occupations, genres, ageMean, ageStd, yearMean, yearStd, userWidth: 3 + occupations.length, itemWidth: genres.length + 13 };
}

/** A user's feature row; unknown fields give zeros (the mean age, no gender, no occupation). */
export function userFeatures(layout: FeatureLayout, p: UserProfile): Float32Array {
  const row = new Float32Array(layout.userWidth);
  if (p.age && p.age > 0) row[0] = (p.age - layout.ageMean) / layout.ageStd;
  if (p.gender === 'M') row[1] = 1;
  else if (p.gender === 'F') row[2] = 1;
  const o = p.occupation ? layout.occupations.indexOf(p.occupation) : -1;
  if (o >= 0) row[3 + o] = 1;
  return row;
}

/** An item's feature row: genre flags, standardised year (0 unknown), month one-hot. */
export function itemFeatures(layout: FeatureLayout, genres: readonly string[], year: number, month: number): Float32Array {
  const row = new Float32Array(layout.itemWidth);
  for (const g of genres) {
    const c = layout.genres.indexOf(g);
    if (c >= 0) row[c] = 1;
  }
  const G = layout.genres.length;
  if (year > 0) row[G] = (year - layout.yearMean) / layout.yearStd;
  if (month >= 1 && month <= 12) row[G + month] = 1;
  return row;
}

export class FeatureModel extends Module implements RatingModel, UserVectorModel {
  readonly name = 'features';
  readonly nUsers: number;
  readonly nItems: number;
  readonly layout: FeatureLayout;
  readonly embeddingDim: number;
  readonly coldStartRate: number;
  readonly range: [number, number] | null;
  readonly user: Embedding;
  readonly item: Embedding;
  /** Side features per user [nUsers, userWidth] and per item [nItems, itemWidth] (not trained). */
  readonly userTable: Tensor;
  readonly itemTable: Tensor;
  readonly fc1: Linear;
  readonly bn1: BatchNorm1d;
  readonly drop: Dropout | null;
  readonly fc2: Linear;
  private readonly maskSeed: number;
  private maskCalls = 0;

  constructor(readonly config: FeatureModelConfig) {
    super();
    const { nUsers, nItems, userMeta, itemMeta } = config;
    for (const [k, v] of [['nUsers', nUsers], ['nItems', nItems]] as const)
      if (!Number.isInteger(v) || v < 1) throw new Error(`features: ${k} must be a positive integer, got ${v}`);
    if (!userMeta || !itemMeta) throw new Error('features: needs user and item metadata (u.user and u.item for ml-100k)');
    if (userMeta.age.length !== nUsers) throw new Error(`features: userMeta has ${userMeta.age.length} users, expected ${nUsers}`);
    if (itemMeta.year.length !== nItems) throw new Error(`features: itemMeta has ${itemMeta.year.length} items, expected ${nItems}`);
    this.nUsers = nUsers;
    this.nItems = nItems;
    this.layout = featureLayout(userMeta, itemMeta);
    this.embeddingDim = config.embeddingDim ?? 32;
    this.coldStartRate = config.coldStartRate ?? 0.1;
    if (!(this.coldStartRate >= 0 && this.coldStartRate < 1)) throw new Error(`features: coldStartRate must be in [0, 1), got ${this.coldStartRate}`);
    this.range = config.ratingRange ?? null;
    const seeds = new SeedSequence(config.seed ?? 42);
    const sparse = config.sparse ?? true, std = config.initStd ?? 0.05;
    const E = this.embeddingDim, H = config.hidden ?? 64;
    this.user = this.child('user', new Embedding(nUsers, E, seeds, { std, sparse }));
    this.item = this.child('item', new Embedding(nItems, E, seeds, { std, sparse }));
    const L = this.layout;
    const uf = new Float32Array(nUsers * L.userWidth);
    for (let u = 0; u < nUsers; u++)
      uf.set(userFeatures(L, { age: userMeta.age[u], gender: userMeta.gender[u], occupation: userMeta.occupation[u] }), u * L.userWidth);
    const itf = new Float32Array(nItems * L.itemWidth);
    for (let i = 0; i < nItems; i++) itf.set(itemFeatures(L, itemMeta.genres[i], itemMeta.year[i], itemMeta.month[i]), i * L.itemWidth);
    this.userTable = this.buffer('user_features', Tensor.fromArray(uf, [nUsers, L.userWidth]));
    this.itemTable = this.buffer('item_features', Tensor.fromArray(itf, [nItems, L.itemWidth]));
    this.fc1 = this.child('fc1', new Linear(2 * E + L.userWidth + L.itemWidth, H, seeds, { init: 'he' }));
    this.bn1 = this.child('bn1', new BatchNorm1d(H));
    const p = config.dropout ?? 0.2;
    if (!(p >= 0 && p < 1)) throw new Error(`features: dropout must be in [0, 1), got ${p}`);
    this.drop = p > 0 ? this.child('dropout', new Dropout(p, seeds.next())) : null;
    this.fc2 = this.child('fc2', new Linear(H, 1, seeds));
    this.fc2.bias!.handle.fill(config.globalMean ?? 0);
    this.maskSeed = seeds.next();
  }

  /** A model for a training table with metadata: the output starts at its mean, predictions clip to its range. */
  static forRatings(train: Interactions, config: Omit<FeatureModelConfig, 'nUsers' | 'nItems' | 'userMeta' | 'itemMeta'> = {}): FeatureModel {
    if (!train.userMeta || !train.itemMeta)
      throw new Error(`features: ${train.name} lacks ${train.userMeta ? 'item' : 'user'} metadata (ml-100k: u.user and u.item)`);
    return new FeatureModel({
      globalMean: meanRating(train.ratings), ratingRange: ratingRange(train.ratings), ...config,
      nUsers: train.nUsers, nItems: train.nItems, userMeta: train.userMeta, itemMeta: train.itemMeta,
    });
  }

  /** Ratings [B,1] from user embeddings [B,E], user feature rows [B,Fu] and item indices. */
  private head(userEmb: Tensor, userFeat: Tensor, items: Tensor): Tensor {
    const x = concat([userEmb, this.item.forward(items), userFeat, gather(this.itemTable, items)]);
    let h = relu(this.bn1.forward(this.fc1.forward(x)));
    if (this.drop) h = this.drop.forward(h);
    return this.fc2.forward(h);
  }

  /** Predicted ratings [B,1] (unclipped) for user and item index tensors (int32 [B]). */
  forward(users: Tensor, items: Tensor): Tensor {
    return this.head(this.user.forward(users), gather(this.userTable, users), items);
  }

  /** Mean squared error of a batch; in training, coldStartRate of its rows lose their user embedding. */
  loss(users: Int32Array, items: Int32Array, ratings: Float32Array): Tensor {
    const B = users.length;
    const u = Tensor.fromArray(users, [B], 'int32'), i = Tensor.fromArray(items, [B], 'int32');
    let ue = this.user.forward(u);
    if (this.training && this.coldStartRate > 0) {
      const rng = Rng.derive(this.maskSeed, this.maskCalls++);
      const keep = new Float32Array(B);
      for (let k = 0; k < B; k++) keep[k] = rng.next() < this.coldStartRate ? 0 : 1;
      ue = mul(ue, Tensor.fromArray(keep, [B, 1]));
    }
    return mseLoss(this.head(ue, gather(this.userTable, u), i), Tensor.fromArray(ratings, [B, 1]));
  }

  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    return predictPairs(this, (u, i) => this.forward(u, i), users, items);
  }

  predictRatings(users: Int32Array, items: Int32Array): Float32Array {
    return clipTo(this.scorePairs(users, items), this.range);
  }

  scoreAll(users: Int32Array): Tensor {
    return scoreAllByPairs((u, i) => this.scorePairs(u, i), users, this.nItems);
  }

  /** The mean row of the user embedding table. */
  meanUserEmbedding(): Float32Array {
    const E = this.embeddingDim, w = this.user.weight.toFloat32Array();
    const acc = new Float64Array(E);
    for (let k = 0; k < w.length; k++) acc[k % E] += w[k];
    return Float32Array.from(acc, (v) => v / this.nUsers);
  }

  /**
   * Cold start: predicted ratings of `items` for a new user known only by a profile. The user
   * embedding is zero ('zero', the default when trained with coldStartRate > 0) or the mean of
   * the user table ('mean', the default otherwise). Clipped to the rating range.
   */
  scoreProfile(profile: UserProfile, items: Int32Array, opts: { coldUser?: 'zero' | 'mean' } = {}): Float32Array {
    const how = opts.coldUser ?? (this.coldStartRate > 0 ? 'zero' : 'mean');
    if (how !== 'zero' && how !== 'mean') throw new Error(`features: coldUser must be 'zero' or 'mean', got ${how}`);
    const feat = userFeatures(this.layout, profile);
    const E = this.embeddingDim, Fu = this.layout.userWidth;
    const emb = how === 'mean' ? this.meanUserEmbedding() : new Float32Array(E);
    const out = predictPairs(this, (_u, i) => {
      const B = i.size;
      const ue = new Float32Array(B * E), uf = new Float32Array(B * Fu);
      for (let k = 0; k < B; k++) {
        ue.set(emb, k * E);
        uf.set(feat, k * Fu);
      }
      return this.head(Tensor.fromArray(ue, [B, E]), Tensor.fromArray(uf, [B, Fu]), i);
    }, new Int32Array(items.length), items);
    return clipTo(out, this.range);
  }

  // ---- User vectors (serving): [embedding; profile features], fold-in fits the embedding ----

  get userVectorWidth(): number {
    return this.embeddingDim + this.layout.userWidth;
  }

  get trainableWidth(): number {
    return this.embeddingDim;
  }

  readonly foldInObjective: FoldInObjective = 'explicit';

  userVectors(users: Int32Array): Tensor {
    return noGrad(() => {
      const u = Tensor.fromArray(users, [users.length], 'int32');
      return concat([this.user.forward(u), gather(this.userTable, u)]);
    });
  }

  /** Predicted ratings [B,1] (unclipped) for per-pair vectors [B, E + Fu] and items [B]. */
  forwardVectors(v: Tensor, items: Tensor): Tensor {
    return this.head(slice(v, 0, this.embeddingDim), slice(v, this.embeddingDim, this.layout.userWidth), items);
  }

  pairLoss(v: Tensor, items: Tensor, targets: Tensor): Tensor {
    return mseLoss(this.forwardVectors(v, items), Tensor.fromArray(targets.toFloat32Array(), [targets.size, 1]));
  }

  /** The stand-in embedding scoreProfile uses (zero or the table mean), then the profile's features. */
  newUserVector(profile: UserProfile = {}): Float32Array {
    const E = this.embeddingDim, out = new Float32Array(this.userVectorWidth);
    if (this.coldStartRate === 0) out.set(this.meanUserEmbedding());
    out.set(userFeatures(this.layout, profile), E);
    return out;
  }

  itemVectors(): Tensor {
    return noGrad(() => clone(this.item.weight));
  }

  vectorScorer(): VectorScorer {
    return pairVectorScorer(this.nItems, (v, items) => this.forwardVectors(v, items).toFloat32Array());
  }
}
