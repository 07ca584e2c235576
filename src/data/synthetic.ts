/**
 * A seeded synthetic rating set with MovieLens's structure, for speed and scale work and for
 * tests that must run without the real data (never for accuracy claims):
 *   - user activity log-normal (at least minPerUser ratings each, capped), as in MovieLens;
 *   - item popularity a power law with an exponential cut-off (ranks shuffled over item ids),
 *     every item rated at least once;
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
  /** Most ratings per user (the shape's; for custom sizes half the items). */
  maxPerUser?: number;
  seed?: number;
  /** Latent factors (16). */
  factors?: number;
  /**
   * Item popularity is a power law with an exponential cut-off, weight(rank) =
   * rank^-popularity * exp(-cutoff * rank / nItems): a pure Zipf tail is far too flat (every
   * item would get dozens of ratings); 0.3 and 5 reproduce ml-1m's ratings-per-item quantiles
   * within about 25%.
   */
  popularity?: number;
  cutoff?: number;
  /** Rating noise standard deviation (0.8). */
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
  // Custom sizes: nobody rates more than half the catalogue (ml-1m's busiest user: 62%).
  const maxPer = Math.min(opts.maxPerUser ?? (custom ? Math.max(minPer, Math.floor(I / 2)) : shape.maxPerUser), I);
  const k = opts.factors ?? 16, alpha = opts.popularity ?? 0.3, cut = opts.cutoff ?? 5, noise = opts.noise ?? 0.8;
  for (const [n, v] of [['nUsers', U], ['nItems', I], ['nRatings', R], ['factors', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`synthetic: ${n} must be a positive integer, got ${v}`);
  }
  if (R < I) throw new Error(`synthetic: ${R} ratings cannot give each of the ${I} items one`);
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
  for (let u = 0; u < U; u++) bu[u] = 0.45 * rng.normal();
  for (let i = 0; i < I; i++) bi[i] = 0.35 * rng.normal() + 0.08 * (Math.log(I) * 0.5 - Math.log(rank[i] + 1));

  const userMeta = syntheticUsers(U, rng, P, k);
  const rawItems = syntheticItemIds(I, rng);
  const itemMeta = syntheticItems(I, rng, Q, k, rawItems);

  // Each user's items: popularity-weighted draws without repeats; user u owns rows start[u]..
  const users = new Int32Array(R), items = new Int32Array(R), ratings = new Float32Array(R), ts = new Float64Array(R);
  const start = new Int32Array(U + 1);
  for (let u = 0; u < U; u++) start[u + 1] = start[u] + counts[u];
  const mark = new Uint8Array(I);
  for (let u = 0; u < U; u++) {
    const c = counts[u], s0 = start[u];
    if (c * 4 <= I) {
      // Few items: rejection on a mark table is cheap.
      for (let n = 0; n < c; ) {
        const x = rng.next() * acc;
        let lo = 0, hi = I - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] <= x) lo = mid + 1; else hi = mid; }
        if (mark[lo]) continue;
        mark[lo] = 1;
        items[s0 + n++] = lo;
      }
      for (let n = 0; n < c; n++) mark[items[s0 + n]] = 0;
    } else {
      // Many items: weighted sampling without replacement by exponential keys (Efraimidis-Spirakis).
      const keys = new Float64Array(I), idx = Int32Array.from({ length: I }, (_, i) => i);
      for (let i = 0; i < I; i++) keys[i] = -Math.log(1 - rng.next()) / weight[i];
      idx.sort((a, b) => keys[a] - keys[b]);
      for (let n = 0; n < c; n++) items[s0 + n] = idx[n];
    }
  }
  coverEveryItem(items, start, counts, I, rng);

  // Ratings from the factors; each user's timestamps increase from a random start.
  const t0 = 956703932; // ml-1m's first timestamp (2000-04-25)
  for (let u = 0; u < U; u++) {
    let t = t0 + rng.int(80_000_000);
    const pu = u * k;
    for (let row = start[u]; row < start[u + 1]; row++) {
      const i = items[row], qi = i * k;
      let s = 3.7 + bu[u] + bi[i] + noise * rng.normal();
      for (let f = 0; f < k; f++) s += P[pu + f] * Q[qi + f];
      users[row] = u;
      ratings[row] = Math.min(5, Math.max(1, Math.round(s)));
      ts[row] = t += 1 + rng.int(4000);
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

/**
 * Gives every item at least one rating (MovieLens lists only rated items): an unrated item
 * replaces a random row of a random user who lacks it, taken from an item rated more than once.
 */
function coverEveryItem(items: Int32Array, start: Int32Array, counts: Int32Array, I: number, rng: Rng): void {
  const cnt = new Int32Array(I);
  for (let r = 0; r < items.length; r++) cnt[items[r]]++;
  const U = counts.length;
  for (let i = 0; i < I; i++) {
    if (cnt[i] > 0) continue;
    for (let tries = 0; ; tries++) {
      if (tries > 1000 * (U + I)) throw new Error('synthetic: cannot give every item a rating (too few ratings for the items)');
      const u = rng.int(U), row = start[u] + rng.int(counts[u]);
      if (cnt[items[row]] < 2) continue;
      let has = false;
      for (let r = start[u]; r < start[u + 1] && !has; r++) has = items[r] === i;
      if (has) continue;
      cnt[items[row]]--;
      items[row] = i;
      cnt[i]++;
      break;
    }
  }
}

/** Raw item ids: a sorted random subset of 1..1.07*I, gaps as in MovieLens's MovieIDs. */
function syntheticItemIds(I: number, rng: Rng): Float64Array {
  const span = Math.ceil(I * 1.07);
  const pool = rng.permutation(span).subarray(0, I).sort();
  return Float64Array.from(pool, (x) => x + 1);
}

/** ml-1m's movies per genre (of 3,883), in ML1M_GENRES order: each genre's synthetic share. */
const GENRE_COUNTS: Record<string, number> = {
  Drama: 1603, Comedy: 1200, Action: 503, Thriller: 492, Romance: 471, Horror: 343, Adventure: 283, 'Sci-Fi': 276,
  "Children's": 251, Crime: 211, War: 143, Documentary: 127, Musical: 114, Mystery: 106, Animation: 105,
  Western: 68, Fantasy: 68, 'Film-Noir': 44,
};

/** Standard normal upper-tail quantile: t with P(Z > t) = p (bisection on erfc). */
function upperQuantile(p: number): number {
  const tail = (t: number) => 0.5 * erfc(t / Math.SQRT2);
  let lo = -8, hi = 8;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886187 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

function syntheticItems(I: number, rng: Rng, Q: Float32Array, k: number, raw: Float64Array): ItemMeta {
  const names = ML1M_GENRES.slice();
  const G = names.length;
  // Genre g is present when a score tied to factor g mod k passes the threshold that gives the
  // genre its ml-1m share: items of a genre share a taste direction, as real genres do.
  const threshold = names.map((g) => upperQuantile(GENRE_COUNTS[g] / 3883));
  const meta: ItemMeta = {
    title: new Array(I), genres: new Array(I), genreNames: names, year: new Int16Array(I), month: new Int8Array(I),
  };
  for (let i = 0; i < I; i++) {
    const g: string[] = [];
    let best = 0, bestMargin = -Infinity;
    for (let x = 0; x < G; x++) {
      const z = 0.8 * (Q[i * k + (x % k)] / 0.35) + 0.6 * rng.normal();
      const margin = z - threshold[x];
      if (margin > bestMargin) { bestMargin = margin; best = x; }
      if (margin > 0) g.push(names[x]);
    }
    meta.genres[i] = g.length ? g : [names[best]];
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
