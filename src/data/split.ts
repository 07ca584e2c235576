/**
 * Train/test(/validation) splits, all deterministic given their seed:
 *   leaveOneOut      each user's latest interaction (ties to the later row: NCF rule 2)
 *   randomSplit      a uniformly random fraction of rows (80/20, 90/10, ...), optional
 *                    validation carved from what remains for training
 *   temporalSplit    the latest fraction of rows, globally or per user
 *   carveValidation  for implicit models: one training item per user plus 99 sampled
 *                    negatives, for early stopping without touching the test set
 * Each split keeps the source's id maps, so dense ids mean the same in every part; rows keep
 * file order within a part.
 */
import { Interactions, selectRows } from './dataset';
import { indexByUser } from './csr';
import { RankingEvalSet, latestRowPerUser, validNegatives } from './ncf_eval';
import { Rng } from './rng';

export interface Split {
  train: Interactions;
  test: Interactions;
  /** Present when a validation fraction was asked for. */
  valid?: Interactions;
}

function checkFraction(what: string, f: number, max = 1): void {
  if (!(f >= 0 && f < max)) throw new Error(`${what} must be in [0, ${max}), got ${f}`);
}

/** Rows where part[r] === k, ascending. */
function rowsOf(part: Uint8Array, k: number): Int32Array {
  let n = 0;
  for (let r = 0; r < part.length; r++) if (part[r] === k) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let r = 0; r < part.length; r++) if (part[r] === k) out[n++] = r;
  return out;
}

const TRAIN = 0, TEST = 1, VALID = 2;

function assemble(data: Interactions, part: Uint8Array, withValid: boolean): Split {
  const out: Split = {
    train: selectRows(data, rowsOf(part, TRAIN), `${data.name} train`),
    test: selectRows(data, rowsOf(part, TEST), `${data.name} test`),
  };
  if (withValid) out.valid = selectRows(data, rowsOf(part, VALID), `${data.name} valid`);
  return out;
}

/**
 * Moves one row back to train for every user left with none there (the first of their held-out
 * rows in `order`), so every user in test or validation has training data.
 */
function keepUsersInTrain(data: Interactions, part: Uint8Array, order: Int32Array | null): void {
  const hasTrain = new Uint8Array(data.nUsers);
  for (let r = 0; r < data.length; r++) if (part[r] === TRAIN) hasTrain[data.users[r]] = 1;
  const n = data.length;
  for (let k = 0; k < n; k++) {
    const r = order ? order[k] : k;
    const u = data.users[r];
    if (!hasTrain[u]) {
      part[r] = TRAIN;
      hasTrain[u] = 1;
    }
  }
}

export interface LeaveOneOutOptions {
  /** Users with fewer interactions keep them all in train (default 2: never empty a user). */
  minInteractions?: number;
}

/** Each user's latest interaction is the test row (NCF rule 2); the rest is training data. */
export function leaveOneOut(data: Interactions, opts: LeaveOneOutOptions = {}): Split {
  const min = opts.minInteractions ?? 2;
  const count = new Int32Array(data.nUsers);
  for (let r = 0; r < data.length; r++) count[data.users[r]]++;
  const held = latestRowPerUser(data);
  const part = new Uint8Array(data.length);
  for (let u = 0; u < data.nUsers; u++) if (held[u] >= 0 && count[u] >= min) part[held[u]] = TEST;
  return assemble(data, part, false);
}

export interface RandomSplitOptions {
  /** Fraction of all rows for test (default 0.2). */
  testFraction?: number;
  /** Fraction of the remaining (training) rows carved out for validation (default 0). */
  validFraction?: number;
  seed?: number;
  /**
   * Give every user at least one training row by moving one of their held-out rows back
   * (default true; the split sizes then differ from the fractions by a few rows at most).
   */
  keepUsersInTrain?: boolean;
}

/** A uniformly random split of the rows (test = round(n * testFraction) rows). */
export function randomSplit(data: Interactions, opts: RandomSplitOptions = {}): Split {
  const tf = opts.testFraction ?? 0.2, vf = opts.validFraction ?? 0;
  checkFraction('randomSplit: testFraction', tf);
  checkFraction('randomSplit: validFraction', vf);
  const n = data.length;
  const perm = new Rng(opts.seed ?? 0).permutation(n);
  const nTest = Math.round(n * tf), nValid = Math.round((n - nTest) * vf);
  const part = new Uint8Array(n);
  for (let k = 0; k < nTest; k++) part[perm[k]] = TEST;
  for (let k = nTest; k < nTest + nValid; k++) part[perm[k]] = VALID;
  if (opts.keepUsersInTrain ?? true) keepUsersInTrain(data, part, perm);
  return assemble(data, part, vf > 0);
}

export interface TemporalSplitOptions {
  /** Fraction of rows (of each user's rows, with perUser) for test: the latest ones (0.2). */
  testFraction?: number;
  /** Fraction of the remaining rows for validation: the latest of those (0). */
  validFraction?: number;
  /** Split each user's own history (true), or cut the whole table at one time (false, default). */
  perUser?: boolean;
}

/**
 * The latest interactions are the test set. Globally (the default) a test user may have no
 * training rows: that is what a time cut means (new users); perUser keeps at least one.
 */
export function temporalSplit(data: Interactions, opts: TemporalSplitOptions = {}): Split {
  const tf = opts.testFraction ?? 0.2, vf = opts.validFraction ?? 0;
  checkFraction('temporalSplit: testFraction', tf);
  checkFraction('temporalSplit: validFraction', vf);
  const ts = data.timestamps;
  if (!ts) throw new Error(`temporalSplit: ${data.name} has no timestamps (use randomSplit or leaveOneOut)`);
  for (let r = 0; r < data.length; r++) {
    if (ts[r] !== ts[r]) throw new Error(`temporalSplit: ${data.name} row ${r} has no timestamp`);
  }
  // Rows by (time, row): ties keep file order.
  const order = Int32Array.from({ length: data.length }, (_, r) => r).sort((a, b) => ts[a] - ts[b] || a - b);
  const part = new Uint8Array(data.length);
  if (!opts.perUser) {
    const n = data.length, nTest = Math.round(n * tf), nValid = Math.round((n - nTest) * vf);
    for (let k = n - nTest; k < n; k++) part[order[k]] = TEST;
    for (let k = n - nTest - nValid; k < n - nTest; k++) part[order[k]] = VALID;
    return assemble(data, part, vf > 0);
  }
  // Per user: walk each user's rows newest first.
  const count = new Int32Array(data.nUsers), seen = new Int32Array(data.nUsers);
  for (let r = 0; r < data.length; r++) count[data.users[r]]++;
  for (let k = data.length - 1; k >= 0; k--) {
    const r = order[k], u = data.users[r], c = count[u];
    const nTest = Math.min(Math.round(c * tf), c - 1);
    const nValid = Math.min(Math.round((c - nTest) * vf), c - nTest - 1);
    const j = seen[u]++;
    part[r] = j < nTest ? TEST : j < nTest + nValid ? VALID : TRAIN;
  }
  return assemble(data, part, vf > 0);
}

export interface CarveValidationOptions {
  /** Negatives per validation case (99, as the NCF test). */
  nNeg?: number;
  seed?: number;
  /** Which training row becomes the validation item: 'latest' (rule 2; default when the data
   * has timestamps) or 'random' (default otherwise). */
  pick?: 'latest' | 'random';
  /** Interactions that negatives must also avoid, e.g. the NCF eval set (its held-out items). */
  exclude?: { users: Int32Array; items: Int32Array };
}

/**
 * Validation for implicit models: for each user with at least 2 training rows, one training
 * row is moved out and ranked against nNeg sampled items the user never interacted with
 * (neither in train nor in `exclude`). The test set stays untouched.
 */
export function carveValidation(train: Interactions, opts: CarveValidationOptions = {}): { train: Interactions; valid: RankingEvalSet } {
  const nNeg = opts.nNeg ?? 99;
  if (!Number.isInteger(nNeg) || nNeg < 1) throw new Error(`carveValidation: nNeg must be a positive integer, got ${nNeg}`);
  // 'latest' needs real timestamps: NCF-format training files have none (NaN), and a "latest"
  // row would then be an artefact of file order (rare, late-numbered items: a biased validation).
  const timed = !!train.timestamps && train.timestamps.some((t) => Number.isFinite(t));
  const pick = opts.pick ?? (timed ? 'latest' : 'random');
  const rng = new Rng(opts.seed ?? 0);
  const { nUsers, nItems } = train;
  const ix = indexByUser(train.users, train.items, nUsers, nItems);
  const ex = opts.exclude ? indexByUser(opts.exclude.users, opts.exclude.items, nUsers, nItems) : null;
  const latest = pick === 'latest' ? latestRowPerUser(train) : null;
  const chosen: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const s = ix.offsets[u], e = ix.offsets[u + 1];
    if (e - s < 2) continue;
    chosen.push(latest ? latest[u] : ix.rows[s + rng.int(e - s)]);
  }
  const m = chosen.length;
  const users = new Int32Array(m), items = new Int32Array(m), negatives = new Int32Array(m * nNeg);
  const mark = new Uint8Array(nItems);
  const isValid = new Uint8Array(train.length);
  for (let k = 0; k < m; k++) {
    const r = chosen[k], u = train.users[r];
    users[k] = u;
    items[k] = train.items[r];
    isValid[r] = 1;
    let seen = 0;
    const setMarks = (v: number) => {
      for (let p = ix.offsets[u]; p < ix.offsets[u + 1]; p++) { if (v && !mark[ix.items[p]]) seen++; mark[ix.items[p]] = v; }
      if (ex) for (let p = ex.offsets[u]; p < ex.offsets[u + 1]; p++) { if (v && !mark[ex.items[p]]) seen++; mark[ex.items[p]] = v; }
    };
    setMarks(1);
    if (nItems - seen < nNeg) {
      throw new Error(`carveValidation: user ${train.userIds.raw(u)} has only ${nItems - seen} items left to sample ${nNeg} negatives from`);
    }
    for (let j = 0; j < nNeg; ) {
      const c = rng.int(nItems);
      if (mark[c]) continue;
      mark[c] = 2;
      negatives[k * nNeg + j++] = c;
    }
    setMarks(0);
    for (let j = 0; j < nNeg; j++) mark[negatives[k * nNeg + j]] = 0;
  }
  const keep = new Uint8Array(train.length);
  for (let r = 0; r < train.length; r++) keep[r] = 1 - isValid[r];
  return {
    train: selectRows(train, keep, `${train.name} (validation carved out)`),
    valid: { users, items, negatives, nNeg, negValid: validNegatives(items, negatives, nNeg) },
  };
}
