/**
 * GMF, MLP and NeuMF (He et al. 2017): user and item embeddings, an element-wise product
 * (GMF), a ReLU tower over the concatenated embeddings (MLP), or both side by side (NeuMF),
 * then one linear unit giving the logit of "user u interacts with item i".
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { Embedding, Linear, MLPTower } from '../nn/layers';
import { concat, mul } from '../ops';
import { SeedSequence, uniform } from '../init';

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
}

export class NCF extends Module {
  readonly kind: NcfKind;
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
    this.factors = config.factors ?? 8;
    this.layers = config.layers ?? [64, 32, 16, 8];
    const seeds = new SeedSequence(config.seed ?? 42);
    const sparse = config.sparse ?? true;
    let width = 0;
    if (this.kind !== 'mlp') {
      this.gmfUser = this.child('gmf_user', new Embedding(config.nUsers, this.factors, seeds, { sparse }));
      this.gmfItem = this.child('gmf_item', new Embedding(config.nItems, this.factors, seeds, { sparse }));
      width += this.factors;
    }
    if (this.kind !== 'gmf') {
      const half = this.layers[0] / 2;
      if (!Number.isInteger(half)) throw new Error(`ncf: layers[0] must be even (user and item halves), got ${this.layers[0]}`);
      this.mlpUser = this.child('mlp_user', new Embedding(config.nUsers, half, seeds, { sparse }));
      this.mlpItem = this.child('mlp_item', new Embedding(config.nItems, half, seeds, { sparse }));
      this.tower = this.child('tower', new MLPTower(this.layers, seeds));
      width += this.layers[this.layers.length - 1];
    }
    this.predict = this.child('predict', new Linear(width, 1, seeds));
    // The paper's predict layer: Kaiming-uniform with the sigmoid gain (bound sqrt(3/fan_in)).
    const bound = Math.sqrt(3 / width);
    const w = uniform([1, width], -bound, bound, seeds);
    this.predict.weight.handle.copyFrom(w.handle);
    w.dispose();
  }

  /** Logits [B,1] for user and item index tensors (int32 [B]). */
  forward(users: Tensor, items: Tensor): Tensor {
    const parts: Tensor[] = [];
    if (this.gmfUser && this.gmfItem) parts.push(mul(this.gmfUser.forward(users), this.gmfItem.forward(items)));
    if (this.tower && this.mlpUser && this.mlpItem)
      parts.push(this.tower.forward(concat([this.mlpUser.forward(users), this.mlpItem.forward(items)])));
    return this.predict.forward(parts.length > 1 ? concat(parts) : parts[0]);
  }
}
