/**
 * Mult-VAE (Liang, Krishnan, Hoffman & Jebara 2018, "Variational Autoencoders for Collaborative
 * Filtering"): a user's binary row x over all items is L2-normalised, dropped out (p 0.5, training
 * only), and encoded by tanh layers into the mean and log-variance of a Gaussian q(z|x); z is
 * sampled by reparameterisation (z = μ + ε·exp(logvar/2), ε ~ N(0, I) from a seeded stream;
 * z = μ at evaluation) and decoded by tanh layers into logits over all items, whose softmax is
 * the multinomial likelihood of x. Default sizes are the paper's: [nItems → 600 → 200] and
 * [200 → 600 → nItems]. Weights are Glorot-uniform and biases N(0, 0.001²), as the authors' code.
 *
 * Loss per batch (see trainMultVae): multinomialNll(logits, x) + β·gaussianKl(μ, logvar), both
 * averaged over the batch's users. Recommender: scoreAll = the decoder's logits from each user's
 * training row (setInputs), so a user's training items score high and evaluation excludes them.
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import { Linear } from '../nn/layers';
import { add, clone, exp, mul, mulScalar, tanh } from '../ops/elementwise';
import { slice } from '../ops/shape';
import { dropout } from '../ops/dropout';
import { gaussianKl, multinomialNll } from '../ops/losses';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { SeedSequence, normal } from '../init';
import type { Interactions } from '../data/dataset';
import { fillRows, rowMatrix, type RowMatrix } from '../train/rows';
import type { Recommender } from './types';
import { csrRow, denseRows, type SparseRow, type UserRowModel } from './user_rows';

export interface MultVaeConfig {
  nUsers: number;
  nItems: number;
  /** Hidden layer sizes of the encoder, input side first; the decoder mirrors them (default [600]). */
  hidden?: number[];
  /** Latent dimension (default 200). */
  latent?: number;
  /** Dropout on the normalised input while training (default 0.5). */
  dropout?: number;
  seed?: number;
}

export interface MultVaeOutput {
  logits: Tensor;
  mu: Tensor;
  logvar: Tensor;
}

export class MultVAE extends Module implements Recommender, UserRowModel {
  readonly name = 'multvae';
  readonly nUsers: number;
  readonly nItems: number;
  readonly hidden: number[];
  readonly latent: number;
  readonly dropoutP: number;
  readonly encoder: Linear[];
  readonly decoder: Linear[];
  /** Dropout masks and reparameterisation noise: one stream, advanced by every training forward. */
  private readonly noise: SeedSequence;
  private inputs: RowMatrix | null = null;

  constructor(readonly config: MultVaeConfig) {
    super();
    const { nUsers, nItems } = config;
    for (const [k, v] of [['nUsers', nUsers], ['nItems', nItems]] as const)
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`multvae: ${k} must be a positive integer, got ${v}`);
    this.nUsers = nUsers;
    this.nItems = nItems;
    this.hidden = (config.hidden ?? [600]).slice();
    this.latent = config.latent ?? 200;
    this.dropoutP = config.dropout ?? 0.5;
    if (this.hidden.some((h) => !(Number.isInteger(h) && h >= 1))) throw new Error(`multvae: hidden must list positive sizes, got [${this.hidden}]`);
    if (!(Number.isInteger(this.latent) && this.latent >= 1)) throw new Error(`multvae: latent must be a positive integer, got ${this.latent}`);
    if (!(this.dropoutP >= 0 && this.dropoutP < 1)) throw new Error(`multvae: dropout must be in [0, 1), got ${this.dropoutP}`);
    const seeds = new SeedSequence(config.seed ?? 42);
    const make = (prefix: string, sizes: number[]): Linear[] =>
      sizes.slice(1).map((out, l) => {
        const lin = this.child(`${prefix}${l}`, new Linear(sizes[l], out, seeds, { init: 'xavier' }));
        const b = normal([out], 0, 0.001, seeds);
        lin.bias!.handle.copyFrom(b.handle);
        b.dispose();
        return lin;
      });
    this.encoder = make('encoder', [nItems, ...this.hidden, 2 * this.latent]);
    this.decoder = make('decoder', [this.latent, ...this.hidden.slice().reverse(), nItems]);
    this.noise = seeds.spawn();
  }

  /** The weight matrices (for an L2 term). */
  weights(): Tensor[] {
    return [...this.encoder, ...this.decoder].map((l) => l.weight);
  }

  /** Takes the training interactions (any rating counts as 1) as the users' input rows. */
  setInputs(train: Interactions): this {
    if (train.nUsers !== this.nUsers || train.nItems !== this.nItems)
      throw new Error(`multvae: data has ${train.nUsers} users × ${train.nItems} items, the model ${this.nUsers} × ${this.nItems}`);
    this.inputs = rowMatrix(train, 'user', { binary: true });
    return this;
  }

  get rows(): RowMatrix {
    if (!this.inputs) throw new Error('multvae: no input rows yet; call setInputs(train) (trainMultVae does)');
    return this.inputs;
  }

  /** Encodes L2-normalised rows xn [B, nItems]; samples z when training. */
  forward(xn: Tensor): MultVaeOutput {
    let h = this.training ? dropout(xn, this.dropoutP, { training: true, seed: this.noise }) : xn;
    const E = this.encoder.length;
    this.encoder.forEach((l, k) => {
      h = l.forward(h);
      if (k < E - 1) h = tanh(h);
    });
    const D = this.latent;
    const mu = slice(h, 0, D), logvar = slice(h, D, D);
    let z = mu;
    if (this.training) {
      const eps = normal([xn.shape[0], D], 0, 1, this.noise);
      z = add(mu, mul(eps, exp(mulScalar(logvar, 0.5))));
    }
    let g = z;
    const L = this.decoder.length;
    this.decoder.forEach((l, k) => {
      g = l.forward(g);
      if (k < L - 1) g = tanh(g);
    });
    return { logits: g, mu, logvar };
  }

  /** Negative ELBO with KL weight beta for raw rows x and their normalised copies xn. */
  elbo(x: Tensor, xn: Tensor, beta: number): { loss: Tensor; nll: Tensor; kl: Tensor } {
    const { logits, mu, logvar } = this.forward(xn);
    const nll = multinomialNll(logits, x);
    const kl = gaussianKl(mu, logvar);
    return { loss: beta === 0 ? nll : add(nll, mulScalar(kl, beta)), nll, kl };
  }

  /** Logits of every item for each user, from the users' training rows: [users.length, nItems]. */
  scoreAll(users: Int32Array): Tensor {
    const m = this.rows, I = this.nItems, n = users.length;
    const out = new Float32Array(n * I);
    const chunk = 512, buf = new Float32Array(Math.min(chunk, Math.max(1, n)) * I);
    const wasTraining = this.training;
    this.training = false;
    try {
      noGrad(() => {
        for (let s = 0; s < n; s += chunk) {
          const e = Math.min(n, s + chunk);
          fillRows(m, users.subarray(s, e), buf, { normalize: true });
          tidy(() => {
            out.set(this.forward(Tensor.fromArray(buf.subarray(0, (e - s) * I), [e - s, I])).logits.toArray() as Float32Array, s * I);
          });
        }
      });
    } finally {
      this.training = wasTraining;
    }
    return Tensor.fromArray(out, [n, I]);
  }

  /** Logits of (user, item) pairs. */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    if (users.length !== items.length) throw new Error(`multvae: ${users.length} users but ${items.length} items`);
    const need = Int32Array.from(new Set(users)).sort();
    const where = new Map<number, number>();
    need.forEach((u, k) => where.set(u, k));
    const out = new Float32Array(users.length), I = this.nItems;
    for (let s = 0; s < need.length; s += 512) {
      const part = need.subarray(s, Math.min(need.length, s + 512));
      const scores = tidy(() => this.scoreAll(part).toArray() as Float32Array);
      for (let k = 0; k < users.length; k++) {
        const j = where.get(users[k])! - s;
        if (j >= 0 && j < part.length) {
          const i = items[k];
          if (!(i >= 0 && i < I)) throw new Error(`multvae: item ${i} out of range [0, ${I})`);
          out[k] = scores[j * I + i];
        }
      }
    }
    return out;
  }

  // ---- Serving: a user is their click row ----

  readonly rowInput = 'clicks' as const;

  trainingRow(user: number): SparseRow {
    const m = this.rows;
    return csrRow(m.offsets, m.cols, m.values, user);
  }

  /** Logits of every item for the given click rows (values ignored: an interaction is a 1). */
  scoreRows(rows: readonly SparseRow[]): Tensor {
    const x = denseRows(rows, this.nItems, { binary: true, normalize: true });
    const wasTraining = this.training;
    this.training = false;
    try {
      return noGrad(() => tidy(() => this.forward(Tensor.fromArray(x, [rows.length, this.nItems])).logits));
    } finally {
      this.training = wasTraining;
    }
  }

  /** The decoder's output rows [nItems, d]: what each item's logit reads from the code. */
  itemVectors(): Tensor {
    return noGrad(() => clone(this.decoder[this.decoder.length - 1].weight));
  }
}
