/**
 * Uniform negative sampling for implicit training (NCF: 4 never-interacted items per positive,
 * drawn afresh every epoch). Users are visited one at a time with their items marked in a byte
 * table, so each draw costs one random number and one byte read: ml-1m's 994k positives x 4
 * take tens of milliseconds. Epoch e draws from Rng.derive(seed, e): any epoch can be
 * regenerated alone, and results do not depend on which epochs ran before.
 */
import { indexByUser, UserItemIndex } from './csr';
import { Rng } from './rng';

/** The positives to sample against: dense (user, item) pairs, e.g. an Interactions table. */
export interface Positives {
  users: Int32Array;
  items: Int32Array;
  nUsers: number;
  nItems: number;
}

export interface NegativeSamplerOptions {
  /** Negatives per positive (default 4, as in NCF). */
  perPositive?: number;
  /** Base seed (default 0). */
  seed?: number;
  /**
   * More (user, item) pairs never to return, besides the positives: e.g. the held-out test items,
   * when training must not even see them as negatives. The NCF reference code (and the peer)
   * exclude only training items, the default.
   */
  exclude?: { users: Int32Array; items: Int32Array };
}

/** One epoch of NCF training instances: positives (label 1) and their negatives (label 0). */
export interface TrainingInstances {
  users: Int32Array;
  items: Int32Array;
  labels: Float32Array;
}

export class NegativeSampler {
  readonly perPositive: number;
  readonly seed: number;
  private readonly index: UserItemIndex;
  private readonly excluded: UserItemIndex | null;
  private buffers: { neg: Int32Array; users: Int32Array; items: Int32Array; labels: Float32Array } | null = null;

  constructor(private readonly positives: Positives, opts: NegativeSamplerOptions = {}) {
    this.perPositive = opts.perPositive ?? 4;
    this.seed = opts.seed ?? 0;
    if (!Number.isInteger(this.perPositive) || this.perPositive < 0) {
      throw new Error(`NegativeSampler: perPositive must be a non-negative integer, got ${this.perPositive}`);
    }
    const { users, items, nUsers, nItems } = positives;
    if (users.length !== items.length) throw new Error(`NegativeSampler: ${users.length} users but ${items.length} items`);
    this.index = indexByUser(users, items, nUsers, nItems);
    this.excluded = opts.exclude ? indexByUser(opts.exclude.users, opts.exclude.items, nUsers, nItems) : null;
    // A user who has every item has no negatives: say so now rather than loop forever later.
    const mark = new Uint8Array(nItems);
    for (let u = 0; u < nUsers; u++) {
      const s = this.index.offsets[u], e = this.index.offsets[u + 1];
      if (s === e || this.perPositive === 0) continue;
      let k = 0;
      const visit = (ix: UserItemIndex) => {
        for (let p = ix.offsets[u]; p < ix.offsets[u + 1]; p++) if (!mark[ix.items[p]]) { mark[ix.items[p]] = 1; k++; }
      };
      visit(this.index);
      if (this.excluded) visit(this.excluded);
      const clear = (ix: UserItemIndex) => { for (let p = ix.offsets[u]; p < ix.offsets[u + 1]; p++) mark[ix.items[p]] = 0; };
      clear(this.index);
      if (this.excluded) clear(this.excluded);
      if (k >= nItems) throw new Error(`NegativeSampler: user ${u} has interacted with all ${nItems} items: no negatives to sample`);
    }
  }

  /**
   * Negatives for epoch `epoch`: perPositive items for positive row r at [r*perPositive, ...),
   * each uniform over the items user r has not interacted with (repeats across draws allowed,
   * as in NCF).
   */
  sample(epoch: number, out: Int32Array = new Int32Array(this.positives.users.length * this.perPositive)): Int32Array {
    const N = this.perPositive, { nUsers, nItems } = this.positives;
    const ix = this.index, ex = this.excluded;
    const mark = new Uint8Array(nItems);
    const rng = Rng.derive(this.seed, epoch);
    for (let u = 0; u < nUsers; u++) {
      const s = ix.offsets[u], e = ix.offsets[u + 1];
      if (s === e) continue;
      for (let p = s; p < e; p++) mark[ix.items[p]] = 1;
      if (ex) for (let p = ex.offsets[u]; p < ex.offsets[u + 1]; p++) mark[ex.items[p]] = 1;
      for (let p = s; p < e; p++) {
        const base = ix.rows[p] * N;
        for (let k = 0; k < N; ) {
          const c = Math.floor(rng.next() * nItems);
          if (mark[c] === 0) out[base + k++] = c;
        }
      }
      for (let p = s; p < e; p++) mark[ix.items[p]] = 0;
      if (ex) for (let p = ex.offsets[u]; p < ex.offsets[u + 1]; p++) mark[ex.items[p]] = 0;
    }
    return out;
  }

  /**
   * The epoch's training instances: every positive (label 1) followed by its negatives (label
   * 0), shuffled with the epoch's stream unless `shuffle` is false. The arrays are reused by the
   * next call (an epoch of ml-1m is 60 MB; fresh arrays each epoch piled up faster than the
   * garbage collector freed them): copy them to keep them.
   */
  instances(epoch: number, opts: { shuffle?: boolean } = {}): TrainingInstances {
    const N = this.perPositive, { users: pu, items: pi } = this.positives;
    const n = pu.length * (1 + N);
    if (!this.buffers) {
      this.buffers = { neg: new Int32Array(pu.length * N), users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
    }
    const { users, items, labels } = this.buffers;
    const neg = this.sample(epoch, this.buffers.neg);
    let k = 0;
    for (let r = 0; r < pu.length; r++) {
      users[k] = pu[r]; items[k] = pi[r]; labels[k++] = 1;
      for (let j = 0; j < N; j++) { users[k] = pu[r]; items[k] = neg[r * N + j]; labels[k++] = 0; }
    }
    if (opts.shuffle ?? true) {
      const rng = Rng.derive(this.seed, epoch, 0x5f1e);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        let t = users[i]; users[i] = users[j]; users[j] = t;
        t = items[i]; items[i] = items[j]; items[j] = t;
        const l = labels[i]; labels[i] = labels[j]; labels[j] = l;
      }
    }
    return { users, items, labels };
  }
}
