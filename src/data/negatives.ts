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
  /** 1 for a positive, 0 for a negative (bytes: an ml-20m epoch has 100M of them). */
  labels: Uint8Array;
}

/** Instances per shuffle bucket: 2^18 of them (2.3 MB) stay in the cache while shuffled. */
const BUCKET_TARGET = 1 << 18;

export class NegativeSampler {
  readonly perPositive: number;
  readonly seed: number;
  private readonly index: Omit<UserItemIndex, 'rows'>;
  private rows: Int32Array | null = null;
  private readonly excluded: UserItemIndex | null;
  private buffers: TrainingInstances | null = null;

  constructor(private readonly positives: Positives, opts: NegativeSamplerOptions = {}) {
    this.perPositive = opts.perPositive ?? 4;
    this.seed = opts.seed ?? 0;
    if (!Number.isInteger(this.perPositive) || this.perPositive < 0) {
      throw new Error(`NegativeSampler: perPositive must be a non-negative integer, got ${this.perPositive}`);
    }
    const { users, items, nUsers, nItems } = positives;
    if (users.length !== items.length) throw new Error(`NegativeSampler: ${users.length} users but ${items.length} items`);
    // The table rows of the entries are needed only by sample(): built when it is first called
    // (80 MB at ml-20m's size, which training, through instances(), never needs).
    const { rows: _rows, ...index } = indexByUser(users, items, nUsers, nItems);
    this.index = index;
    this.excluded = opts.exclude ? indexByUser(opts.exclude.users, opts.exclude.items, nUsers, nItems) : null;
    // A user who has every item has no negatives: say so now rather than loop forever later.
    const mark = new Uint8Array(nItems);
    for (let u = 0; u < nUsers; u++) {
      const s = this.index.offsets[u], e = this.index.offsets[u + 1];
      if (s === e || this.perPositive === 0) continue;
      // Fewer entries than items (duplicates included) leave a negative: no need to count.
      const entries = e - s + (this.excluded ? this.excluded.offsets[u + 1] - this.excluded.offsets[u] : 0);
      if (entries < nItems) continue;
      let k = 0;
      const visit = (ix: Omit<UserItemIndex, 'rows'>) => {
        for (let p = ix.offsets[u]; p < ix.offsets[u + 1]; p++) if (!mark[ix.items[p]]) { mark[ix.items[p]] = 1; k++; }
      };
      visit(this.index);
      if (this.excluded) visit(this.excluded);
      const clear = (ix: Omit<UserItemIndex, 'rows'>) => { for (let p = ix.offsets[u]; p < ix.offsets[u + 1]; p++) mark[ix.items[p]] = 0; };
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
    const rows = (this.rows ??= indexByUser(this.positives.users, this.positives.items, nUsers, nItems).rows);
    const mark = new Uint8Array(nItems);
    const rng = Rng.derive(this.seed, epoch);
    for (let u = 0; u < nUsers; u++) {
      const s = ix.offsets[u], e = ix.offsets[u + 1];
      if (s === e) continue;
      for (let p = s; p < e; p++) mark[ix.items[p]] = 1;
      if (ex) for (let p = ex.offsets[u]; p < ex.offsets[u + 1]; p++) mark[ex.items[p]] = 1;
      for (let p = s; p < e; p++) {
        const base = rows[p] * N;
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
   * 0), shuffled with the epoch's streams unless `shuffle` is false. The negatives are those
   * `sample(epoch)` draws. The arrays are reused by the next call (an epoch of ml-20m is 100M
   * instances, 900 MB; fresh arrays each epoch piled up faster than the garbage collector freed
   * them): copy them to keep them.
   */
  instances(epoch: number, opts: { shuffle?: boolean } = {}): TrainingInstances {
    const n = this.positives.users.length * (1 + this.perPositive);
    if (!this.buffers || this.buffers.users.length !== n) {
      this.buffers = { users: new Int32Array(n), items: new Int32Array(n), labels: new Uint8Array(n) };
    }
    if (opts.shuffle ?? true) this.fillShuffled(epoch, this.buffers);
    else this.fillInOrder(epoch, this.buffers);
    return this.buffers;
  }

  /** Positive row r at r*(1+N), its negatives right after it. */
  private fillInOrder(epoch: number, { users, items, labels }: TrainingInstances): void {
    const N = this.perPositive, { users: pu, items: pi } = this.positives;
    const neg = this.sample(epoch);
    let k = 0;
    for (let r = 0; r < pu.length; r++) {
      users[k] = pu[r]; items[k] = pi[r]; labels[k++] = 1;
      for (let j = 0; j < N; j++) { users[k] = pu[r]; items[k] = neg[r * N + j]; labels[k++] = 0; }
    }
  }

  /**
   * A uniformly random order, made cache-friendly at any size: each instance is dealt to one of
   * K buckets at random as it is drawn (K sequential write streams), then every bucket, a few
   * MB, is shuffled in place. Iid buckets plus a uniform shuffle within each give a uniform
   * permutation of the whole; one Fisher-Yates over 100M instances (ml-20m) instead missed the
   * cache on every swap (7 s an epoch against under 2 s). The bucket sizes are counted by
   * replaying the bucket stream once, so no per-instance bucket array is kept.
   */
  private fillShuffled(epoch: number, { users, items, labels }: TrainingInstances): void {
    const N = this.perPositive, { nUsers, nItems } = this.positives;
    const n = users.length;
    const K = Math.max(1, Math.min(1024, Math.ceil(n / BUCKET_TARGET)));
    const start = new Int32Array(K + 1);
    let deal = Rng.derive(this.seed, epoch, 0xb0c7);
    for (let k = 0; k < n; k++) start[1 + ((deal.next() * K) | 0)]++;
    for (let b = 0; b < K; b++) start[b + 1] += start[b];
    const fill = start.slice(0, K);
    deal = Rng.derive(this.seed, epoch, 0xb0c7);
    // The same stream, users and order as sample(epoch): the same negatives.
    const rng = Rng.derive(this.seed, epoch);
    const ix = this.index, ex = this.excluded, mark = new Uint8Array(nItems);
    for (let u = 0; u < nUsers; u++) {
      const s = ix.offsets[u], e = ix.offsets[u + 1];
      if (s === e) continue;
      for (let p = s; p < e; p++) mark[ix.items[p]] = 1;
      if (ex) for (let p = ex.offsets[u]; p < ex.offsets[u + 1]; p++) mark[ex.items[p]] = 1;
      for (let p = s; p < e; p++) {
        let at = fill[(deal.next() * K) | 0]++;
        users[at] = u; items[at] = ix.items[p]; labels[at] = 1;
        for (let k = 0; k < N; ) {
          const c = Math.floor(rng.next() * nItems);
          if (mark[c] !== 0) continue;
          at = fill[(deal.next() * K) | 0]++;
          users[at] = u; items[at] = c; labels[at] = 0;
          k++;
        }
      }
      for (let p = s; p < e; p++) mark[ix.items[p]] = 0;
      if (ex) for (let p = ex.offsets[u]; p < ex.offsets[u + 1]; p++) mark[ex.items[p]] = 0;
    }
    const rng2 = Rng.derive(this.seed, epoch, 0x5f1e);
    for (let b = 0; b < K; b++) {
      const lo = start[b];
      for (let i = start[b + 1] - 1; i > lo; i--) {
        const j = lo + Math.floor(rng2.next() * (i - lo + 1));
        let t = users[i]; users[i] = users[j]; users[j] = t;
        t = items[i]; items[i] = items[j]; items[j] = t;
        t = labels[i]; labels[i] = labels[j]; labels[j] = t;
      }
    }
  }
}
