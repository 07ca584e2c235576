/**
 * GMF, MLP and NeuMF (He et al. 2017): user and item embeddings, an element-wise product
 * (GMF), a ReLU tower over the concatenated embeddings (MLP), or both side by side (NeuMF),
 * then one linear unit giving the logit of "user u interacts with item i".
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { Embedding, Linear, MLPTower } from '../nn/layers';
import { add, addScalar, bceWithLogits, clone, full, concat, gather, linear, matmul, mul, relu, reshape, slice, transpose } from '../ops';
import { packTower, towerScores, TOWER_MAX_LAYERS, TOWER_MAX_WIDTH, type PackedTower } from '../ops/tower';
import { noGrad } from '../autograd';
import { predictPairs } from './scoring';
import { SeedSequence, uniform } from '../init';
import type { Recommender } from './types';
import { readSquares, type ReadSquared } from './read_squares';
import { meanUserVector, type FoldInObjective, type UserVectorModel, type VectorScorer } from './user_vectors';
import { keep, tidy } from '../scope';

export type NcfKind = 'gmf' | 'mlp' | 'neumf';

export interface NcfConfig {
  model: NcfKind;
  nUsers: number;
  nItems: number;
  /** Predictive factors of GMF (and the last tower layer of MLP). Default 8. */
  factors?: number;
  /** MLP tower sizes; layers[0] is the concatenated embedding width. Default [64,32,16,8]. */
  layers?: number[];
  seed?: number;
  /** Embedding tables update only the rows a batch touched (lazy Adam). Default true. */
  sparse?: boolean;
  /** Standard deviation of the initial embeddings (default 0.01, the paper's). */
  initStd?: number;
  /**
   * GMF only: h fixed to ones, the paper's reduction of GMF to a dot product (MF without
   * biases). With per-sample L2 a learned h would grow to undo the shrinking of the rows.
   */
  unitH?: boolean;
}

export class NCF extends Module implements Recommender, ReadSquared, UserVectorModel {
  readonly kind: NcfKind;
  readonly nUsers: number;
  readonly nItems: number;
  readonly factors: number;
  readonly layers: number[];
  readonly gmfUser?: Embedding;
  readonly gmfItem?: Embedding;
  readonly mlpUser?: Embedding;
  readonly mlpItem?: Embedding;
  readonly tower?: MLPTower;
  readonly predict: Linear;

  constructor(readonly config: NcfConfig) {
    super();
    this.kind = config.model;
    this.nUsers = config.nUsers;
    this.nItems = config.nItems;
    this.factors = config.factors ?? 8;
    this.layers = config.layers ?? [64, 32, 16, 8];
    const seeds = new SeedSequence(config.seed ?? 42);
    const sparse = config.sparse ?? true;
    const std = config.initStd ?? 0.01;
    if (!(std >= 0 && Number.isFinite(std))) throw new Error(`ncf: initStd must be a finite number >= 0, got ${std}`);
    let width = 0;
    if (this.kind !== 'mlp') {
      this.gmfUser = this.child('gmf_user', new Embedding(config.nUsers, this.factors, seeds, { std, sparse }));
      this.gmfItem = this.child('gmf_item', new Embedding(config.nItems, this.factors, seeds, { std, sparse }));
      width += this.factors;
    }
    if (this.kind !== 'gmf') {
      const half = this.layers[0] / 2;
      if (!Number.isInteger(half)) throw new Error(`ncf: layers[0] must be even (user and item halves), got ${this.layers[0]}`);
      this.mlpUser = this.child('mlp_user', new Embedding(config.nUsers, half, seeds, { std, sparse }));
      this.mlpItem = this.child('mlp_item', new Embedding(config.nItems, half, seeds, { std, sparse }));
      this.tower = this.child('tower', new MLPTower(this.layers, seeds));
      width += this.layers[this.layers.length - 1];
    }
    this.predict = this.child('predict', new Linear(width, 1, seeds));
    // The paper's predict layer: Kaiming-uniform with the sigmoid gain (bound sqrt(3/fan_in)).
    const bound = Math.sqrt(3 / width);
    const w = uniform([1, width], -bound, bound, seeds);
    this.predict.weight.handle.copyFrom(w.handle);
    w.dispose();
    if (config.unitH) {
      if (this.kind !== 'gmf') throw new Error(`ncf: unitH applies to gmf, not ${this.kind}`);
      this.predict.weight.handle.fill(1);
      this.predict.weight.requireGrad(false);
    }
  }

  get name(): string {
    return this.kind;
  }

  /** Logits [B,1] for user and item index tensors (int32 [B]). */
  forward(users: Tensor, items: Tensor): Tensor {
    return this.run(users, items).logits;
  }

  /** Logits [B,1] and Σ|row|² of the embedding rows the batch read (per-sample L2). */
  forwardWithReadSquares(users: Tensor, items: Tensor): { logits: Tensor; readSquares: Tensor } {
    const { logits, rows } = this.run(users, items);
    return { logits, readSquares: readSquares(rows) };
  }

  private run(users: Tensor, items: Tensor): { logits: Tensor; rows: Tensor[] } {
    const parts: Tensor[] = [], rows: Tensor[] = [];
    if (this.gmfUser && this.gmfItem) {
      const pu = this.gmfUser.forward(users), qi = this.gmfItem.forward(items);
      rows.push(pu, qi);
      parts.push(mul(pu, qi));
    }
    if (this.tower && this.mlpUser && this.mlpItem) {
      const pu = this.mlpUser.forward(users), qi = this.mlpItem.forward(items);
      rows.push(pu, qi);
      parts.push(this.tower.forward(concat([pu, qi])));
    }
    return { logits: this.predict.forward(parts.length > 1 ? concat(parts) : parts[0]), rows };
  }

  /**
   * Logits of (user, item) pairs, without gradients, in chunks. With a tower, its first layer
   * over [user half; item half] is W_u·p_u + W_i·q_i + b: both halves are projected once for
   * every user and every item, and each pair then costs a gather-add instead of two gathers,
   * a concat and a 2·half × layers[1] product (about three quarters of an evaluation's work).
   */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    return this.withScorer((score) => score(users, items));
  }

  /**
   * Logits of every item for each user: [users.length, nItems]. Through the vector scorer: the
   * tower's first layer split into user and item halves, and the rest of it run over the whole
   * catalogue by the fused tower kernel (full-ranking evaluation is this, for every user).
   */
  scoreAll(users: Int32Array): Tensor {
    const scorer = this.vectorScorer();
    try {
      return tidy(() => scorer.scoreAll(this.userVectors(users)));
    } finally {
      scorer.dispose();
    }
  }

  /** Runs `fn` with a pair scorer, the tower's first layer projected once for all its calls. */
  private withScorer<T>(fn: (score: (u: Int32Array, i: Int32Array) => Float32Array) => T): T {
    if (!this.tower) return fn((u, i) => predictPairs(this, (a, b) => this.forward(a, b), u, i));
    const proj = noGrad(() => this.firstLayerProjections());
    try {
      return fn((u, i) => predictPairs(this, (a, b) => this.forwardProjected(a, b, proj), u, i));
    } finally {
      proj.user.dispose();
      proj.item.dispose();
    }
  }

  /** The first tower layer's pre-activation split by input half: [nUsers, L1] and [nItems, L1] (bias in the item part). */
  private firstLayerProjections(): { user: Tensor; item: Tensor } {
    const wu = slice(this.tower!.layers[0].weight, 0, this.layers[0] / 2);
    const user = matmul(this.mlpUser!.weight, wu, { transB: true });
    wu.dispose();
    return { user, item: this.itemProjection() };
  }

  /** The first tower layer over the item half, bias included: [nItems, L1]. */
  private itemProjection(): Tensor {
    return tidy(() => {
      const first = this.tower!.layers[0], half = this.layers[0] / 2;
      const ip = matmul(this.mlpItem!.weight, slice(first.weight, half, half), { transB: true });
      return first.bias ? add(ip, first.bias) : ip;
    });
  }

  /** forward() with the first tower layer read from the projections (same values, less work). */
  private forwardProjected(users: Tensor, items: Tensor, proj: { user: Tensor; item: Tensor }): Tensor {
    const layers = this.tower!.layers;
    let h = relu(add(gather(proj.user, users), gather(proj.item, items)));
    for (let k = 1; k < layers.length; k++) h = layers[k].forward(h, true);
    const parts: Tensor[] = [];
    if (this.gmfUser && this.gmfItem) parts.push(mul(this.gmfUser.forward(users), this.gmfItem.forward(items)));
    parts.push(h);
    return this.predict.forward(parts.length > 1 ? concat(parts) : parts[0]);
  }

  // ---- User vectors (serving: new users, fold-in): [GMF row; MLP row] ----

  get userVectorWidth(): number {
    return (this.gmfUser ? this.factors : 0) + (this.mlpUser ? this.layers[0] / 2 : 0);
  }

  get trainableWidth(): number {
    return this.userVectorWidth;
  }

  readonly foldInObjective: FoldInObjective = 'implicit';

  userVectors(users: Int32Array): Tensor {
    return noGrad(() => {
      const u = Tensor.fromArray(users, [users.length], 'int32');
      const parts = [this.gmfUser, this.mlpUser].filter((e): e is Embedding => !!e).map((e) => e.forward(u));
      return parts.length > 1 ? concat(parts) : parts[0];
    });
  }

  /** A vector's GMF and MLP parts. */
  private splitVectors(v: Tensor): { g: Tensor | null; m: Tensor | null } {
    const f = this.gmfUser ? this.factors : 0;
    const g = this.gmfUser ? (this.mlpUser ? slice(v, 0, f) : v) : null;
    const m = this.mlpUser ? (this.gmfUser ? slice(v, f, this.layers[0] / 2) : v) : null;
    return { g, m };
  }

  /** Logits [B,1] of per-pair user vectors [B, width] and items [B]. */
  forwardVectors(v: Tensor, items: Tensor): Tensor {
    const { g, m } = this.splitVectors(v);
    const parts: Tensor[] = [];
    if (g) parts.push(mul(g, this.gmfItem!.forward(items)));
    if (m) parts.push(this.tower!.forward(concat([m, this.mlpItem!.forward(items)])));
    return this.predict.forward(parts.length > 1 ? concat(parts) : parts[0]);
  }

  pairLoss(v: Tensor, items: Tensor, targets: Tensor): Tensor {
    return bceWithLogits(this.forwardVectors(v, items), reshape(targets, [targets.size, 1]));
  }

  /**
   * Fold-in's loss for one user vector [1, width] against items [B]: the vector is broadcast
   * instead of repeated, and the tower's first layer is split as in serving (the item half
   * projected once for all steps), so a step skips the [B, 2·half] concat and the largest
   * product of the tower, forward and backward. Equal to pairLoss on the repeated vector.
   */
  prepareFoldIn(): { loss(v: Tensor, items: Tensor, targets: Tensor): Tensor; dispose(): void } {
    const f = this.gmfUser ? this.factors : 0, half = this.layers[0] / 2;
    const first = this.tower?.layers[0] ?? null;
    const itemProj = first ? noGrad(() => this.itemProjection()) : null;
    return {
      loss: (v, items, targets) => {
        const parts: Tensor[] = [];
        if (this.gmfItem) parts.push(mul(this.mlpUser ? slice(v, 0, f) : v, this.gmfItem.forward(items)));
        if (first && itemProj) {
          const m = this.gmfUser ? slice(v, f, half) : v;
          let h = relu(add(gather(itemProj, items), matmul(m, slice(first.weight, 0, half), { transB: true })));
          for (let l = 1; l < this.tower!.layers.length; l++) h = this.tower!.layers[l].forward(h, true);
          parts.push(h);
        }
        const logits = this.predict.forward(parts.length > 1 ? concat(parts) : parts[0]);
        return bceWithLogits(logits, reshape(targets, [targets.size, 1]));
      },
      dispose: () => itemProj?.dispose(),
    };
  }

  newUserVector(): Float32Array {
    return meanUserVector(this);
  }

  itemVectors(): Tensor {
    return noGrad(() => {
      const parts = [this.gmfItem, this.mlpItem].filter((e): e is Embedding => !!e).map((e) => e.weight);
      return parts.length > 1 ? concat(parts) : clone(parts[0]);
    });
  }

  /**
   * Scores every item for user vectors. The item side is computed once: GMF's item rows times
   * the predict layer's GMF weights, and the tower's first layer over the item half (bias
   * included), so a user costs one [f]·[f, nItems] product plus the tower above its first layer.
   */
  vectorScorer(): VectorScorer {
    const f = this.gmfUser ? this.factors : 0, I = this.nItems;
    const last = this.layers[this.layers.length - 1];
    const cache = noGrad(() => tidy(() => {
      const w = this.predict.weight;
      const itemG = this.gmfItem ? keep(mul(this.gmfItem.weight, slice(w, 0, f))) : null;
      let itemProj: Tensor | null = null, itemProjT: Tensor | null = null, wu: Tensor | null = null, wm: Tensor | null = null, packed: PackedTower | null = null;
      if (this.tower) {
        const first = this.tower.layers[0], half = this.layers[0] / 2;
        wu = keep(slice(first.weight, 0, half));
        wm = keep(slice(w, f, last));
        // The fused kernel where the tower fits its limits (it takes the item half transposed);
        // else the composed ops below, on the item half as it is.
        const widths = this.layers.slice(1);
        if (widths.length <= TOWER_MAX_LAYERS && widths.every((h) => h <= TOWER_MAX_WIDTH)) {
          packed = packTower(widths[0], this.tower.layers.slice(1).map((l) => ({ weight: l.weight, bias: l.bias })), wm);
          keep(packed.params);
          itemProjT = keep(transpose(this.itemProjection()));
        } else {
          itemProj = keep(this.itemProjection());
        }
      }
      return { itemG, itemProj, itemProjT, wu, wm, packed };
    }));
    const bias = this.predict.bias ? this.predict.bias.item() : 0;
    const layers = this.tower?.layers ?? [];
    const L1 = this.layers[1] ?? 0;
    return {
      scoreAll: (v: Tensor): Tensor => noGrad(() => tidy(() => {
        const n = v.shape[0];
        const { g, m } = this.splitVectors(v);
        // In the engine's buffers throughout: the [n, nItems] block filled in JavaScript and
        // copied in and out (fresh pages every block) cost twice the tower itself.
        const out = g && cache.itemG ? addScalar(matmul(g, cache.itemG, { transB: true }), bias) : full([n, I], bias, v);
        (() => {
          if (!m || !cache.wu) return;
          const up = matmul(m, cache.wu!, { transB: true });
          if (cache.packed) {
            towerScores(up, cache.itemProjT!, cache.packed, out);
            return;
          }
          // Per user: the item half's first layer plus this user's row (a row broadcast), ReLU,
          // then the rest of the tower over the catalogue: a few calls on [nItems, ·] each.
          const ups = up.toFloat32Array(), o = out.toFloat32Array();
          for (let b = 0; b < n; b++) {
            tidy(() => {
              let h = relu(add(cache.itemProj!, Tensor.fromArray(ups.subarray(b * L1, (b + 1) * L1), [1, L1])));
              for (let l = 1; l < layers.length; l++) h = layers[l].forward(h, true);
              const y = linear(h, cache.wm!, null).toFloat32Array();
              const row = o.subarray(b * I, (b + 1) * I);
              for (let i = 0; i < I; i++) row[i] += y[i];
            });
          }
          out.handle.upload(o);
        })();
        return out;
      })),
      dispose: () => {
        for (const t of [cache.itemG, cache.itemProj, cache.itemProjT, cache.wu, cache.wm, cache.packed?.params]) t?.dispose();
      },
    };
  }

  /**
   * NeuMF initialised from trained GMF and MLP models as in the paper: their embeddings and
   * tower copied, the predict layer the concatenation of α·GMF's and (1-α)·MLP's. A part given
   * as null starts fresh: it keeps NeuMF's own random initialisation (sized by `fresh`), and
   * its half of the predict layer is not scaled, so with α 0 and a fresh GMF the starting
   * logits are the MLP's plus the fresh GMF's. The output bias is the trained parts' share.
   */
  static fromPretrained(gmf: NCF | null, mlp: NCF | null, alpha = 0.5, fresh: { seed?: number; factors?: number; layers?: number[]; initStd?: number } = {}): NCF {
    if (!gmf && !mlp) throw new Error('ncf pretraining: give a trained GMF, a trained MLP or both');
    if ((gmf && gmf.kind !== 'gmf') || (mlp && mlp.kind !== 'mlp'))
      throw new Error(`ncf pretraining: expected a GMF and an MLP model, got ${gmf?.kind ?? 'a fresh part'} and ${mlp?.kind ?? 'a fresh part'}`);
    if (gmf && mlp && (gmf.nUsers !== mlp.nUsers || gmf.nItems !== mlp.nItems)) throw new Error('ncf pretraining: the GMF and MLP models were trained on different data');
    const shape = (gmf ?? mlp)!;
    const net = new NCF({
      model: 'neumf', nUsers: shape.nUsers, nItems: shape.nItems, factors: gmf?.factors ?? fresh.factors, layers: mlp?.layers ?? fresh.layers,
      seed: fresh.seed ?? shape.config.seed, initStd: fresh.initStd,
    });
    const copy = (dst: Tensor, src: Tensor) => dst.handle.copyFrom(src.handle);
    const w = net.predict.weight.toArray();
    let b = 0;
    if (gmf) {
      copy(net.gmfUser!.weight, gmf.gmfUser!.weight);
      copy(net.gmfItem!.weight, gmf.gmfItem!.weight);
      gmf.predict.weight.toArray().forEach((v, k) => (w[k] = alpha * v));
      b += alpha * gmf.predict.bias!.item();
    }
    if (mlp) {
      copy(net.mlpUser!.weight, mlp.mlpUser!.weight);
      copy(net.mlpItem!.weight, mlp.mlpItem!.weight);
      net.tower!.layers.forEach((l, k) => {
        copy(l.weight, mlp.tower!.layers[k].weight);
        copy(l.bias!, mlp.tower!.layers[k].bias!);
      });
      mlp.predict.weight.toArray().forEach((v, k) => (w[net.factors + k] = (1 - alpha) * v));
      b += (1 - alpha) * mlp.predict.bias!.item();
    }
    net.predict.weight.handle.upload(w);
    net.predict.bias!.handle.upload(Float32Array.of(b));
    return net;
  }

  /**
   * Keeps one part's parameters fixed in training (they stop requiring grad, so optimizers
   * built afterwards leave them out): 'gmf' its tables, 'mlp' its tables and tower. The
   * predict layer stays trainable.
   */
  freeze(part: 'gmf' | 'mlp'): void {
    const tensors = part === 'gmf'
      ? [this.gmfUser, this.gmfItem].map((e) => e?.weight)
      : [this.mlpUser?.weight, this.mlpItem?.weight, ...(this.tower?.parameters() ?? [])];
    if (tensors.some((t) => !t)) throw new Error(`ncf: a ${this.kind} model has no ${part} part to freeze`);
    for (const t of tensors) t!.requireGrad(false);
  }
}
