/**
 * AutoRec (Sedhain et al. 2015, "AutoRec: Autoencoders Meet Collaborative Filtering"), item- or
 * user-based, with any stack of hidden layers:
 *   I-AutoRec ('item'): each item's ratings by all users is a row (nUsers wide);
 *   U-AutoRec ('user'): each user's ratings of all items is a row (nItems wide);
 *     h(r) = out(W_L act(... act(W_1 r + b_1) ...) + b_L)
 * with unobserved entries 0 in r. hidden [500] with sigmoid is the paper's model (and the
 * PyTorch peer's default); [200, 100, 200] is seed 004's stack; [128, 64] seed 001's (whose
 * 2 + 2 layers are [128, 64, 128] here, hidden listing every hidden layer).
 *
 * The output is the identity by default (the paper, the peer). With outputActivation 'sigmoid'
 * (seed 001) the network works on ratings divided by the largest training rating, so that its
 * (0, 1) output covers the scale; predictions are mapped back to ratings.
 *
 * Layers are initialised as PyTorch's nn.Linear (the peer's): weights and biases
 * U(-1/√fan_in, 1/√fan_in), from one seed.
 *
 * The model reads its input rows from training data (setInputs; trainAutoRec calls it).
 * Predictions follow the peer and the paper: a pair whose user or item has no training rating
 * gets the training mean; every prediction is clipped to the training rating range. For
 * evaluation the whole reconstruction is computed once and cached (user-major, nUsers × nItems
 * floats) until the weights may change: train() or invalidate() drops it.
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { Linear } from '../nn/layers';
import { linear } from '../ops/linear';
import { add, addScalar, clone, exp, mulScalar, neg, relu, sigmoid, tanh } from '../ops/elementwise';
import { transpose } from '../ops/shape';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { SeedSequence, uniform } from '../init';
import type { Interactions } from '../data/dataset';
import { fillRows, rowCounts, rowMatrix, type RowMatrix } from '../train/rows';
import type { RatingModel } from './types';
import { csrRow, denseRows, type SparseRow, type UserRowModel } from './user_rows';

export type Activation = 'sigmoid' | 'relu' | 'tanh' | 'selu' | 'elu' | 'identity';
export type OutputActivation = 'identity' | 'sigmoid';

export interface AutoRecConfig {
  variant: 'item' | 'user';
  nUsers: number;
  nItems: number;
  /** Hidden layer sizes, input to output (default [500]). */
  hidden?: number[];
  /** Hidden activation (default 'sigmoid'). */
  activation?: Activation;
  /** Output activation (default 'identity'). */
  outputActivation?: OutputActivation;
  seed?: number;
  /** Prediction range; default the training ratings' [min, max]. */
  ratingRange?: [number, number];
  /** Largest reconstruction (nUsers × nItems values) kept for evaluation (default 2^27, 512 MB). */
  maxCacheEntries?: number;
}

const ACTIVATIONS: readonly string[] = ['sigmoid', 'relu', 'tanh', 'selu', 'elu', 'identity'];
const SELU_ALPHA = 1.6732632423543772, SELU_SCALE = 1.0507009873554805;

/** scale·(relu(x) + alpha·(exp(min(x, 0)) - 1)): ELU (1, 1) and SELU from existing ops. */
function elu(x: Tensor, alpha: number, scale: number): Tensor {
  const negPart = mulScalar(addScalar(exp(neg(relu(neg(x)))), -1), alpha);
  const y = add(relu(x), negPart);
  return scale === 1 ? y : mulScalar(y, scale);
}

export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'sigmoid': return sigmoid(x);
    case 'relu': return relu(x);
    case 'tanh': return tanh(x);
    case 'selu': return elu(x, SELU_ALPHA, SELU_SCALE);
    case 'elu': return elu(x, 1, 1);
    case 'identity': return x;
  }
}

export class AutoRec extends Module implements RatingModel, UserRowModel {
  readonly name = 'autorec';
  readonly variant: 'item' | 'user';
  readonly nUsers: number;
  readonly nItems: number;
  readonly hidden: number[];
  readonly activation: Activation;
  readonly outputActivation: OutputActivation;
  readonly layers: Linear[];
  /** Width of a row: nUsers for I-AutoRec, nItems for U-AutoRec. */
  readonly width: number;
  /** Number of rows: nItems for I-AutoRec, nUsers for U-AutoRec. */
  readonly height: number;
  /** Ratings are multiplied by this on the way in (and divided on the way out). */
  inputScale = 1;
  /** Training mean: the prediction for pairs whose user or item has no training rating. */
  mean = NaN;
  lo = -Infinity;
  hi = Infinity;
  private inputs: RowMatrix | null = null;
  private rowSeen: Uint8Array | null = null;
  private colSeen: Uint8Array | null = null;
  private cache: Float32Array | null = null;
  private readonly maxCache: number;

  constructor(readonly config: AutoRecConfig) {
    super();
    const { variant, nUsers, nItems } = config;
    if (variant !== 'item' && variant !== 'user') throw new Error(`autorec: variant must be 'item' or 'user', got ${variant}`);
    for (const [k, v] of [['nUsers', nUsers], ['nItems', nItems]] as const)
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`autorec: ${k} must be a positive integer, got ${v}`);
    this.variant = variant;
    this.nUsers = nUsers;
    this.nItems = nItems;
    this.hidden = (config.hidden ?? [500]).slice();
    if (this.hidden.length === 0 || this.hidden.some((h) => !(Number.isInteger(h) && h >= 1)))
      throw new Error(`autorec: hidden must list positive layer sizes, got [${this.hidden}]`);
    this.activation = config.activation ?? 'sigmoid';
    if (!ACTIVATIONS.includes(this.activation)) throw new Error(`autorec: activation must be one of ${ACTIVATIONS.join(', ')}, got ${this.activation}`);
    this.outputActivation = config.outputActivation ?? 'identity';
    if (this.outputActivation !== 'identity' && this.outputActivation !== 'sigmoid')
      throw new Error(`autorec: outputActivation must be 'identity' or 'sigmoid', got ${this.outputActivation}`);
    this.width = variant === 'item' ? nUsers : nItems;
    this.height = variant === 'item' ? nItems : nUsers;
    this.maxCache = config.maxCacheEntries ?? 2 ** 27;
    const seeds = new SeedSequence(config.seed ?? 42);
    const sizes = [this.width, ...this.hidden, this.width];
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const lin = this.child(`layer${l}`, new Linear(sizes[l], sizes[l + 1], seeds, { init: 'lecun' }));
      const bound = 1 / Math.sqrt(sizes[l]);
      const b = uniform([sizes[l + 1]], -bound, bound, seeds);
      lin.bias!.handle.copyFrom(b.handle);
      b.dispose();
      this.layers.push(lin);
    }
  }

  /** The weight matrices (what the L2 term covers; biases are not regularised). */
  weights(): Tensor[] {
    return this.layers.map((l) => l.weight);
  }

  /**
   * Takes the training ratings as the model's input rows, and from them the fallback mean, the
   * clipping range (unless configured) and the input scale. Drops the cached reconstruction.
   */
  setInputs(train: Interactions): this {
    if (train.nUsers !== this.nUsers || train.nItems !== this.nItems)
      throw new Error(`autorec: data has ${train.nUsers} users × ${train.nItems} items, the model ${this.nUsers} × ${this.nItems}`);
    if (train.length === 0) throw new Error(`autorec: ${train.name} has no ratings`);
    this.inputs = rowMatrix(train, this.variant);
    const v = this.inputs.values;
    let s = 0, lo = Infinity, hi = -Infinity;
    for (let k = 0; k < v.length; k++) {
      s += v[k];
      if (v[k] < lo) lo = v[k];
      if (v[k] > hi) hi = v[k];
    }
    this.mean = s / v.length;
    [this.lo, this.hi] = this.config.ratingRange ?? [lo, hi];
    if (this.outputActivation === 'sigmoid') {
      if (!(this.hi > 0)) throw new Error(`autorec: a sigmoid output needs positive ratings, the largest is ${this.hi}`);
      this.inputScale = 1 / this.hi;
    } else {
      this.inputScale = 1;
    }
    const counts = rowCounts(this.inputs);
    this.rowSeen = Uint8Array.from(counts, (c) => (c > 0 ? 1 : 0));
    this.colSeen = new Uint8Array(this.width);
    for (const c of this.inputs.cols) this.colSeen[c] = 1;
    this.invalidate();
    return this;
  }

  /** The input rows (set by setInputs). */
  get rows(): RowMatrix {
    if (!this.inputs) throw new Error('autorec: no input rows yet; call setInputs(train) (trainAutoRec does)');
    return this.inputs;
  }

  /** Reconstruction of a batch of rows x [B, width] (scaled ratings in, scaled ratings out). */
  forward(x: Tensor): Tensor {
    let h = x;
    const last = this.layers.length - 1;
    this.layers.forEach((l, k) => {
      if (k < last) h = this.activation === 'relu' ? l.forward(h, true) : activate(l.forward(h), this.activation);
      else h = linear(h, l.weight, l.bias);
    });
    return this.outputActivation === 'sigmoid' ? sigmoid(h) : h;
  }

  /** Forgets the cached reconstruction (call after changing the weights by hand). */
  invalidate(): void {
    this.cache = null;
  }

  override train(on = true): this {
    if (on) this.invalidate();
    return super.train(on);
  }

  /** Reconstructions (rating scale, unclipped) of model rows `ids`: [ids.length × width]. */
  reconstructRows(rowIds: ArrayLike<number>, chunk = 512): Float32Array {
    const m = this.rows, W = this.width, n = rowIds.length;
    const ids = rowIds instanceof Int32Array ? rowIds : Int32Array.from(rowIds);
    const out = new Float32Array(n * W);
    const buf = new Float32Array(Math.min(chunk, Math.max(1, n)) * W);
    const wasTraining = this.training;
    this.training = false;
    try {
      noGrad(() => {
        for (let s = 0; s < n; s += chunk) {
          const e = Math.min(n, s + chunk);
          fillRows(m, ids.subarray(s, e), buf, { scale: this.inputScale });
          tidy(() => {
            const y = this.forward(Tensor.fromArray(buf.subarray(0, (e - s) * W), [e - s, W]));
            const yy = this.inputScale === 1 ? y : mulScalar(y, 1 / this.inputScale);
            out.set(yy.toArray() as Float32Array, s * W);
          });
        }
      });
    } finally {
      this.training = wasTraining;
    }
    return out;
  }

  private cacheable(): boolean {
    return this.nUsers * this.nItems <= this.maxCache;
  }

  /** The whole reconstruction, user-major [nUsers × nItems], rating scale, unclipped (cached). */
  reconstruction(): Float32Array {
    if (this.cache) return this.cache;
    const all = Int32Array.from({ length: this.height }, (_, r) => r);
    let full = this.reconstructRows(all);
    if (this.variant === 'item') {
      // [nItems, nUsers] -> [nUsers, nItems] with the native transpose.
      full = tidy(() => transpose(Tensor.fromArray(full, [this.nItems, this.nUsers])).toArray() as Float32Array);
    }
    if (this.cacheable()) this.cache = full;
    return full;
  }

  /** Raw scores (rating scale, unclipped) of (user, item) pairs; NaN where the fallback applies. */
  private rawPairs(users: Int32Array, items: Int32Array): Float32Array {
    if (users.length !== items.length) throw new Error(`autorec: ${users.length} users but ${items.length} items`);
    void this.rows; // throws when no input rows were set
    const n = users.length, out = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const u = users[k], i = items[k];
      if (!(u >= 0 && u < this.nUsers && Number.isInteger(u))) throw new Error(`autorec: user ${u} out of range [0, ${this.nUsers})`);
      if (!(i >= 0 && i < this.nItems && Number.isInteger(i))) throw new Error(`autorec: item ${i} out of range [0, ${this.nItems})`);
    }
    const rowOf = this.variant === 'item' ? items : users, colOf = this.variant === 'item' ? users : items;
    const rowSeen = this.rowSeen!, colSeen = this.colSeen!;
    if (this.cache || this.cacheable()) {
      const full = this.reconstruction();
      for (let k = 0; k < n; k++) out[k] = full[users[k] * this.nItems + items[k]];
    } else {
      // Too large to keep: reconstruct only the rows asked for.
      const need = Array.from(new Set(rowOf)).sort((a, b) => a - b);
      const where = new Map<number, number>(need.map((r, k) => [r, k]));
      const rec = this.reconstructRows(need);
      for (let k = 0; k < n; k++) out[k] = rec[where.get(rowOf[k])! * this.width + colOf[k]];
    }
    for (let k = 0; k < n; k++) if (!rowSeen[rowOf[k]] || !colSeen[colOf[k]]) out[k] = NaN;
    return out;
  }

  /** Predicted ratings: the reconstruction clipped to [lo, hi]; the training mean for unseen users or items. */
  predictRatings(users: Int32Array, items: Int32Array): Float32Array {
    const out = this.rawPairs(users, items);
    const { lo, hi, mean } = this;
    for (let k = 0; k < out.length; k++) {
      const v = out[k];
      out[k] = v !== v ? mean : v < lo ? lo : v > hi ? hi : v;
    }
    return out;
  }

  /**
   * Ranking scores of pairs: the reconstruction, not clipped (clipping ties every item predicted
   * above the top rating), with the training mean for unseen users or items.
   */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    const out = this.rawPairs(users, items);
    for (let k = 0; k < out.length; k++) if (out[k] !== out[k]) out[k] = this.mean;
    return out;
  }

  /**
   * Reconstructed ratings (unclipped) of every item for each user, [users.length, nItems]: the
   * users' rows for U-AutoRec; for I-AutoRec the users' columns of every item's reconstruction.
   */
  scoreAll(users: Int32Array): Tensor {
    const n = users.length, I = this.nItems;
    for (const u of users) if (!(u >= 0 && u < this.nUsers && Number.isInteger(u))) throw new Error(`autorec: user ${u} out of range [0, ${this.nUsers})`);
    let out: Float32Array;
    if (this.cache || this.cacheable()) {
      const full = this.reconstruction();
      out = new Float32Array(n * I);
      for (let k = 0; k < n; k++) out.set(full.subarray(users[k] * I, (users[k] + 1) * I), k * I);
    } else if (this.variant === 'user') {
      out = this.reconstructRows(users);
    } else {
      // Every item's reconstruction, in chunks, keeping only the asked-for users' columns.
      out = new Float32Array(n * I);
      const chunk = 512;
      for (let s = 0; s < I; s += chunk) {
        const e = Math.min(I, s + chunk);
        const rec = this.reconstructRows(Int32Array.from({ length: e - s }, (_, k) => s + k));
        for (let i = s; i < e; i++) for (let k = 0; k < n; k++) out[k * I + i] = rec[(i - s) * this.nUsers + users[k]];
      }
    }
    return Tensor.fromArray(out, [n, I]);
  }

  // ---- Serving: user rows (U-AutoRec) and item codes (I-AutoRec) ----

  /** U-AutoRec reads a user's rating row; I-AutoRec reads item rows, so none. */
  get rowInput(): 'ratings' | null {
    return this.variant === 'user' ? 'ratings' : null;
  }

  /** The user's training ratings (U-AutoRec). */
  trainingRow(user: number): SparseRow {
    if (this.variant !== 'user') throw new Error('autorec: trainingRow reads user rows, which an item-based AutoRec has not');
    const m = this.rows;
    return csrRow(m.offsets, m.cols, m.values, user);
  }

  /** U-AutoRec: reconstructed ratings (unclipped) of every item for the given rating rows. */
  scoreRows(rows: readonly SparseRow[]): Tensor {
    if (this.variant !== 'user') throw new Error('autorec: scoreRows encodes user rows; this AutoRec is item-based');
    const x = denseRows(rows, this.nItems, { scale: this.inputScale });
    return noGrad(() => tidy(() => {
      const y = this.forward(Tensor.fromArray(x, [rows.length, this.nItems]));
      return this.inputScale === 1 ? y : mulScalar(y, 1 / this.inputScale);
    }));
  }

  /**
   * A hidden layer's activations of model rows, [ids.length, hidden[layer]]: by default the
   * middle one (the code); the last one is what the output layer reads.
   */
  encodeRows(rowIds: ArrayLike<number>, layer = Math.floor((this.hidden.length - 1) / 2), chunk = 512): Float32Array {
    const m = this.rows, W = this.width, n = rowIds.length;
    if (!(Number.isInteger(layer) && layer >= 0 && layer < this.hidden.length)) throw new Error(`autorec: hidden layer ${layer} out of range [0, ${this.hidden.length})`);
    const mid = layer, D = this.hidden[mid];
    const ids = Int32Array.from(rowIds), out = new Float32Array(n * D);
    const buf = new Float32Array(Math.min(chunk, Math.max(1, n)) * W);
    noGrad(() => {
      for (let s = 0; s < n; s += chunk) {
        const e = Math.min(n, s + chunk);
        fillRows(m, ids.subarray(s, e), buf, { scale: this.inputScale });
        tidy(() => {
          let h = Tensor.fromArray(buf.subarray(0, (e - s) * W), [e - s, W]);
          for (let k = 0; k <= mid; k++) h = this.activation === 'relu' ? this.layers[k].forward(h, true) : activate(this.layers[k].forward(h), this.activation);
          out.set(h.toFloat32Array(), s * D);
        });
      }
    });
    return out;
  }

  /**
   * Item representations [nItems, d]: I-AutoRec's item codes (each item's ratings encoded),
   * U-AutoRec's output weights (the row of the last layer that reconstructs the item).
   */
  itemVectors(): Tensor {
    if (this.variant === 'user') return noGrad(() => clone(this.layers[this.layers.length - 1].weight));
    const mid = Math.floor((this.hidden.length - 1) / 2);
    return Tensor.fromArray(this.encodeRows(Int32Array.from({ length: this.nItems }, (_, i) => i)), [this.nItems, this.hidden[mid]]);
  }

  override dispose(): void {
    this.cache = null;
    super.dispose();
  }
}
