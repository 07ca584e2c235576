/**
 * A seeded synthetic rating set with MovieLens's structure, for speed and scale work and for
 * tests that must run without the real data (never for accuracy claims):
 *   - user activity log-normal (at least minPerUser ratings each, capped), as in MovieLens;
 *   - item popularity Zipf-like (weight 1/rank^0.9, ranks shuffled over item ids);
 *   - ratings from latent factors plus biases and noise, rounded to 1..5, so models can learn;
 *   - genres derived from the item factors (so genre side features carry signal), release years
 *     skewed to recent decades, demographics with ml-1m's age groups and occupations;
 *   - each user's timestamps increase, so temporal and leave-one-out splits make sense.
 * The shapes mirror ../shared/peers/make_synth.py (same sizes, not the same numbers).
 */
import { Interactions, ItemMeta, UserMeta, makeInteractions } from './dataset';
import { IdMap } from './ids';
import { ML1M_GENRES, ML1M_OCCUPATIONS } from './movielens';
import { Rng } from './rng';

/** Users, items, ratings and the most ratings one user has, of the real data sets. */
export const SYNTHETIC_SHAPES = {
  'ml-100k': { nUsers: 943, nItems: 1682, nRatings: 100000, maxPerUser: 737 },
  'ml-1m': { nUsers: 6040, nItems: 3706, nRatings: 1000209, maxPerUser: 2314 },
  'ml-20m': { nUsers: 138493, nItems: 26744, nRatings: 20000263, maxPerUser: 9254 },
} as const;

export interface SyntheticOptions {
  /** Sizes of a real data set (default 'ml-100k'); the fields below override it. */
  shape?: keyof typeof SYNTHETIC_SHAPES;
  nUsers?: number;
  nItems?: number;
  nRatings?: number;
  /** Fewest ratings per user (20, as MovieLens guarantees). */
  minPerUser?: number;
  /** Most ratings per user (the shape's, else all items). */
  maxPerUser?: number;
  seed?: number;
  /** Latent factors (16). */
  factors?: number;
  /** Zipf exponent of item popularity (0.9). */
  popularity?: number;
  /** Exponential cut-off of the popularity tail: weight *= exp(-cutoff * rank / nItems). */
  cutoff?: number;
  /** Rating noise standard deviation (0.6). */
  noise?: number;
  name?: string;
}

const AGE_GROUPS = [1, 18, 25, 35, 45, 50, 56];
const AGE_WEIGHTS = [222, 1103, 2096, 1193, 550, 496, 380]; // ml-1m's users per group

export function synthetic(opts: SyntheticOptions = {}): Interactions {
  const shape = SYNTHETIC_SHAPES[opts.shape ?? 'ml-100k'];
  if (!shape) throw new Error(`synthetic: unknown shape "${opts.shape}" (expected ${Object.keys(SYNTHETIC_SHAPES).join(', ')})`);
  const U = opts.nUsers ?? shape.nUsers, I = opts.nItems ?? shape.nItems, R = opts.nRatings ?? shape.nRatings;
  const custom = opts.nUsers !== undefined || opts.nItems !== undefined || opts.nRatings !== undefined;
  const minPer = Math.min(opts.minPerUser ?? 20, I);
  const maxPer = Math.min(opts.maxPerUser ?? (custom ? I : shape.maxPerUser), I);
  const k = opts.factors ?? 16, alpha = opts.popularity ?? 0.9, cut = opts.cutoff ?? 5, noise = opts.noise ?? 0.6;
  for (const [n, v] of [['nUsers', U], ['nItems', I], ['nRatings', R], ['factors', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`synthetic: ${n} must be a positive integer, got ${v}`);
  }
  if (R < minPer * U || R > maxPer * U) {
    throw new Error(`synthetic: ${R} ratings cannot be spread over ${U} users with ${minPer}..${maxPer} ratings each`);
  }
  const rng = new Rng(opts.seed ?? 1);

  // Ratings per user: log-normal activity scaled to the total, clamped to [minPer, maxPer].
  const act = new Float64Array(U);
  let actSum = 0;
  for (let u = 0; u < U; u++) actSum += act[u] = Math.exp(1.1 * rng.normal());
  const counts = new Int32Array(U);
  let total = 0;
  for (let u = 0; u < U; u++) {
    counts[u] = Math.min(maxPer, minPer + Math.floor((act[u] / actSum) * (R - minPer * U)));
    total += counts[u];
  }
  // Hand out what rounding and the cap left, one rating at a time to random users with room.
  while (total < R) {
    const u = rng.int(U);
    if (counts[u] < maxPer) { counts[u]++; total++; }
  }

  // Item popularity: Zipf weights on shuffled ranks; cumulative table for sampling.
  const rank = rng.permutation(I);
  const weight = new Float64Array(I), cdf = new Float64Array(I);
  let acc = 0;
  for (let i = 0; i < I; i++) {
    weight[i] = Math.exp(-cut * rank[i] / I) / Math.pow(rank[i] + 1, alpha);
    cdf[i] = acc += weight[i];
  }

  // Latent factors and biases; popular items are rated a little higher, as in MovieLens.
  const P = new Float32Array(U * k), Q = new Float32Array(I * k), bu = new Float32Array(U), bi = new Float32Array(I);
  for (let x = 0; x < P.length; x++) P[x] = 0.35 * rng.normal();
  for (let x = 0; x < Q.length; x++) Q[x] = 0.35 * rng.normal();
  for (let u = 0; u < U; u++) bu[u] = 0.3 * rng.normal();
  for (let i = 0; i < I; i++) bi[i] = 0.35 * rng.normal() + 0.08 * (Math.log(I) * 0.5 - Math.log(rank[i] + 1));

  const userMeta = syntheticUsers(U, rng, P, k);
  const rawItems = syntheticItemIds(I, rng);
  const itemMeta = syntheticItems(I, rng, Q, k, rawItems);

  // Each user's items: popularity-weighted draws without repeats.
  const users = new Int32Array(R), items = new Int32Array(R), ratings = new Float32Array(R), ts = new Float64Array(R);
  const mark = new Uint8Array(I);
  const chosen = new Int32Array(maxPer);
  const t0 = 956703932; // ml-1m's first timestamp (2000-04-25)
  let row = 0;
  for (let u = 0; u < U; u++) {
    const c = counts[u];
    if (c * 4 <= I) {
      // Few items: rejection on a mark table is cheap.
      for (let n = 0; n < c; ) {
        const x = rng.next() * acc;
        let lo = 0, hi = I - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] <= x) lo = mid + 1; else hi = mid; }
        if (mark[lo]) continue;
        mark[lo] = 1;
        chosen[n++] = lo;
      }
    } else {
      // Many items: weighted sampling without replacement by exponential keys (Efraimidis-Spirakis).
      const keys = new Float64Array(I), idx = Int32Array.from({ length: I }, (_, i) => i);
      for (let i = 0; i < I; i++) keys[i] = -Math.log(1 - rng.next()) / weight[i];
      idx.sort((a, b) => keys[a] - keys[b]);
      for (let n = 0; n < c; n++) { chosen[n] = idx[n]; mark[idx[n]] = 1; }
    }
    let t = t0 + rng.int(80_000_000);
    const pu = u * k;
    for (let n = 0; n < c; n++) {
      const i = chosen[n], qi = i * k;
      mark[i] = 0;
      let s = 3.6 + bu[u] + bi[i] + noise * rng.normal();
      for (let f = 0; f < k; f++) s += P[pu + f] * Q[qi + f];
      users[row] = u;
      items[row] = i;
      ratings[row] = Math.min(5, Math.max(1, Math.round(s)));
      ts[row] = t += 1 + rng.int(4000);
      row++;
    }
  }
  return makeInteractions({
    name: opts.name ?? `synthetic (${U} users, ${I} items, ${R} ratings, seed ${opts.seed ?? 1})`,
    users, items, ratings, timestamps: ts,
    userIds: IdMap.fromSortedNumbers(Float64Array.from({ length: U }, (_, u) => u + 1)),
    itemIds: IdMap.fromSortedNumbers(rawItems),
    itemMeta, userMeta,
  });
}

/** Raw item ids: a sorted random subset of 1..1.07*I, gaps as in MovieLens's MovieIDs. */
function syntheticItemIds(I: number, rng: Rng): Float64Array {
  const span = Math.ceil(I * 1.07);
  const pool = rng.permutation(span).subarray(0, I).sort();
  return Float64Array.from(pool, (x) => x + 1);
}

function syntheticItems(I: number, rng: Rng, Q: Float32Array, k: number, raw: Float64Array): ItemMeta {
  const names = ML1M_GENRES.slice();
  const G = names.length;
  const meta: ItemMeta = {
    title: new Array(I), genres: new Array(I), genreNames: names, year: new Int16Array(I), month: new Int8Array(I),
  };
  for (let i = 0; i < I; i++) {
    // Genre g follows factor g mod k: its items share a taste direction.
    const g: string[] = [];
    let best = 0, bestScore = -Infinity;
    for (let x = 0; x < G; x++) {
      const score = Q[i * k + (x % k)] + 0.15 * rng.normal() - (x >= k ? 0.25 : 0);
      if (score > bestScore) { bestScore = score; best = x; }
      if (score > 0.5) g.push(names[x]);
    }
    meta.genres[i] = g.length ? g.slice(0, 4) : [names[best]];
    const year = Math.max(1919, 2000 - Math.floor(-12 * Math.log(1 - rng.next())));
    meta.year[i] = year;
    meta.month[i] = 1 + rng.int(12);
    meta.title[i] = `Synthetic Movie ${raw[i]} (${year})`;
  }
  return meta;
}

function syntheticUsers(U: number, rng: Rng, P: Float32Array, k: number): UserMeta {
  const meta: UserMeta = { age: new Int16Array(U), gender: new Array(U), occupation: new Array(U), zip: new Array(U) };
  const wsum = AGE_WEIGHTS.reduce((a, b) => a + b, 0);
  for (let u = 0; u < U; u++) {
    let x = rng.next() * wsum, a = 0;
    while (x >= AGE_WEIGHTS[a]) x -= AGE_WEIGHTS[a++];
    meta.age[u] = AGE_GROUPS[a];
    const female = rng.next() < 0.28;
    meta.gender[u] = female ? 'F' : 'M';
    // Demographics shift taste a little, so side features are informative.
    P[u * k] += female ? 0.15 : -0.05;
    P[u * k + (1 % k)] += (a - 3) * 0.04;
    meta.occupation[u] = ML1M_OCCUPATIONS[rng.int(ML1M_OCCUPATIONS.length)];
    meta.zip[u] = String(rng.int(100000)).padStart(5, '0');
  }
  return meta;
}
