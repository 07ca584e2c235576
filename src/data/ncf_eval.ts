/**
 * The NCF evaluation set (He et al. 2017: leave-one-out, each held-out item ranked against 99
 * sampled negatives), built exactly as ../shared/peers/movielens.py's docstring defines it, so
 * our HR@10/NDCG@10 compare with the PyTorch peer's on identical test cases. `fingerprint` is
 * the same FNV-1a hash the peers print: equal fingerprints prove equal test cases.
 *   rule 1  dense ids by ascending raw id: the loaders already number ids that way;
 *   rule 2  held-out = latest timestamp per user, ties to the later line (row);
 *   rule 3  negatives from one xorshift32 stream seeded 42, users in order, value % nItems,
 *           keeping never-interacted items not yet picked, until 99;
 *   rule 6  NCF-format data (loadNcf) carries its own test items and negatives: used as given.
 */
import { Interactions, selectRows } from './dataset';
import { indexByUser } from './csr';
import { XorShift32 } from './rng';

/** Ranking test cases: users[k] ranks items[k] against negatives[k*nNeg .. (k+1)*nNeg). */
export interface RankingEvalSet {
  users: Int32Array;
  items: Int32Array;
  negatives: Int32Array;
  nNeg: number;
  /** 0 where a negative equals the case's own item (156 users of ml-1m-ncf): do not count it. */
  negValid: Uint8Array;
}

export interface NcfEvalSet extends RankingEvalSet {
  nUsers: number;
  nItems: number;
  /** Every other interaction: the training data (ratings kept; implicit models read them as 1). */
  train: Interactions;
  /** FNV-1a over (user, item, negatives...) per case, as int32 little-endian: 8 hex digits. */
  fingerprint: string;
  /** 'sampled': rules 1-3 applied here; 'files': the NCF files' own set (rule 6). */
  source: 'sampled' | 'files';
}

export interface NcfEvalOptions {
  /** Negatives per user (99). */
  nNeg?: number;
  /** xorshift32 seed (42). */
  seed?: number;
  /** For NCF-format data: ignore the files' own set and apply rules 1-3 (default false). */
  resample?: boolean;
}

const FNV_OFFSET = 2166136261, FNV_PRIME = 16777619;

/** 32-bit FNV-1a of bytes, continuing from `h` (the offset basis by default). */
export function fnv1a32(bytes: Uint8Array, h = FNV_OFFSET): number {
  for (let k = 0; k < bytes.length; k++) h = Math.imul(h ^ bytes[k], FNV_PRIME) >>> 0;
  return h >>> 0;
}

/** FNV-1a over the int32 little-endian sequence, as 8 lowercase hex digits. */
export function fnv1aInt32(values: ArrayLike<number>, h = FNV_OFFSET): number {
  for (let k = 0; k < values.length; k++) {
    const v = values[k] | 0;
    h = Math.imul(h ^ (v & 255), FNV_PRIME);
    h = Math.imul(h ^ ((v >>> 8) & 255), FNV_PRIME);
    h = Math.imul(h ^ ((v >>> 16) & 255), FNV_PRIME);
    h = Math.imul(h ^ (v >>> 24), FNV_PRIME);
  }
  return h >>> 0;
}

export function hex32(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The peers' fingerprint (rule 4) of a set of ranking cases. */
export function fingerprint(set: Pick<RankingEvalSet, 'users' | 'items' | 'negatives' | 'nNeg'>): string {
  const { users, items, negatives, nNeg } = set;
  if (negatives.length !== users.length * nNeg || items.length !== users.length) {
    throw new Error(`fingerprint: ${users.length} users need ${users.length} items and ${users.length * nNeg} negatives, got ${items.length} and ${negatives.length}`);
  }
  let h = FNV_OFFSET;
  const one = new Int32Array(2);
  for (let k = 0; k < users.length; k++) {
    one[0] = users[k];
    one[1] = items[k];
    h = fnv1aInt32(one, h);
    h = fnv1aInt32(negatives.subarray(k * nNeg, (k + 1) * nNeg), h);
  }
  return hex32(h);
}

/** Which negatives differ from their case's item. */
export function validNegatives(items: Int32Array, negatives: Int32Array, nNeg: number): Uint8Array {
  const v = new Uint8Array(negatives.length);
  for (let k = 0; k < items.length; k++) {
    for (let j = k * nNeg; j < (k + 1) * nNeg; j++) v[j] = negatives[j] !== items[k] ? 1 : 0;
  }
  return v;
}

/**
 * Row index of each user's held-out interaction (rule 2): latest timestamp, ties (and rows
 * without a time, which count as earliest) to the later row. -1 for a user with no rows.
 */
export function latestRowPerUser(data: Interactions): Int32Array {
  const best = new Float64Array(data.nUsers).fill(-Infinity);
  const row = new Int32Array(data.nUsers).fill(-1);
  const ts = data.timestamps, users = data.users;
  for (let r = 0; r < data.length; r++) {
    const u = users[r];
    let t = ts ? ts[r] : -Infinity;
    if (t !== t) t = -Infinity; // NaN: no time
    if (t >= best[u]) {
      best[u] = t;
      row[u] = r;
    }
  }
  return row;
}

/** Builds the NCF evaluation set of `data` (rules 1-3, or rule 6 for NCF-format data). */
export function ncfEvalSet(data: Interactions, opts: NcfEvalOptions = {}): NcfEvalSet {
  const nNeg = opts.nNeg ?? 99, seed = opts.seed ?? 42;
  const { nUsers, nItems } = data;
  if (data.ncf && !opts.resample) {
    const f = data.ncf;
    const users = new Int32Array(nUsers);
    for (let u = 0; u < nUsers; u++) users[u] = u;
    const trainRows = new Int32Array(f.trainRows);
    for (let r = 0; r < f.trainRows; r++) trainRows[r] = r;
    const set = { users, items: f.testItems, negatives: f.negatives, nNeg: f.nNeg };
    return {
      ...set, negValid: validNegatives(f.testItems, f.negatives, f.nNeg), nUsers, nItems,
      train: selectRows(data, trainRows, `${data.name} train`), fingerprint: fingerprint(set), source: 'files',
    };
  }
  if (!Number.isInteger(nNeg) || nNeg < 1) throw new Error(`ncfEvalSet: nNeg must be a positive integer, got ${nNeg}`);

  // Rule 2.
  const held = latestRowPerUser(data);
  for (let u = 0; u < nUsers; u++) {
    if (held[u] < 0) throw new Error(`ncfEvalSet ${data.name}: user ${data.userIds.raw(u)} has no interactions (densify the data first: clean.densify)`);
  }
  const isHeld = new Uint8Array(data.length);
  const items = new Int32Array(nUsers), users = new Int32Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    users[u] = u;
    items[u] = data.items[held[u]];
    isHeld[held[u]] = 1;
  }
  const keep = new Uint8Array(data.length);
  for (let r = 0; r < data.length; r++) keep[r] = 1 - isHeld[r];

  // Rule 3: one stream, users in order; a mark table holds the user's items (1) and picks (2).
  const ix = indexByUser(data.users, data.items, nUsers, nItems);
  const mark = new Uint8Array(nItems);
  const negatives = new Int32Array(nUsers * nNeg);
  const rng = new XorShift32(seed);
  for (let u = 0; u < nUsers; u++) {
    const s = ix.offsets[u], e = ix.offsets[u + 1];
    let seen = 0;
    for (let p = s; p < e; p++) if (!mark[ix.items[p]]) { mark[ix.items[p]] = 1; seen++; }
    if (nItems - seen < nNeg) {
      throw new Error(`ncfEvalSet ${data.name}: user ${data.userIds.raw(u)} has rated all but ${nItems - seen} items: fewer than the ${nNeg} negatives the protocol needs`);
    }
    const base = u * nNeg;
    for (let k = 0; k < nNeg; ) {
      const c = rng.next() % nItems;
      if (mark[c]) continue;
      mark[c] = 2;
      negatives[base + k++] = c;
    }
    for (let p = s; p < e; p++) mark[ix.items[p]] = 0;
    for (let k = 0; k < nNeg; k++) mark[negatives[base + k]] = 0;
  }
  const set = { users, items, negatives, nNeg };
  return {
    ...set, negValid: validNegatives(items, negatives, nNeg), nUsers, nItems,
    train: selectRows(data, keep, `${data.name} train`), fingerprint: fingerprint(set), source: 'sampled',
  };
}
