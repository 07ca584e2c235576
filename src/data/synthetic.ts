/**
 * A seeded synthetic rating set with MovieLens's shape and a structure a model can find, for
 * the offline first run, speed and scale work, and tests that must run without the real data
 * (never for accuracy claims about MovieLens):
 *   - taste clusters ("topics"): every item belongs to one, each with a genre profile; a user
 *     likes a few topics (drawn by the topics' popularity, leaning with age and gender), so
 *     what a user watched says what else they will watch;
 *   - tastes drift along each user's timeline: the most liked topic fades, a new one grows, so a
 *     user's latest items are best told from their recent ones;
 *   - item popularity a power law with an exponential cut-off (ranks shuffled over item ids),
 *     and a share of every user's choices made by popularity alone; every item rated at least once;
 *   - user activity log-normal (at least minPerUser ratings each, capped), as in MovieLens;
 *   - ratings from the same tastes (plus biases and noise), rounded to 1..5, higher for the
 *     user's topics of the moment and for popular items;
 *   - titles made of words that suit each movie's genre, release years skewed to recent decades,
 *     demographics with ml-1m's age groups and occupations;
 *   - each user's timestamps increase, so temporal and leave-one-out splits make sense.
 * The sizes mirror ../shared/peers/make_synth.py (same sizes, not the same numbers).
 */
import { Interactions, ItemMeta, UserMeta, makeInteractions } from './dataset';
import { IdMap } from './ids';
import { ML1M_GENRES, ML1M_OCCUPATIONS } from './movielens';
import { Rng } from './rng';
import { movieTitle } from './synthetic_titles';

export interface SyntheticShape { nUsers: number; nItems: number; nRatings: number; maxPerUser: number; minPerUser?: number }

/**
 * Users, items, ratings and the most ratings one user has, of the real data sets; 'seed-001' is
 * the catalogue of seed 001's autoencoder example (5,000+ users, 252 items).
 */
export const SYNTHETIC_SHAPES: Record<'ml-100k' | 'ml-1m' | 'ml-20m' | 'seed-001', SyntheticShape> = {
  'ml-100k': { nUsers: 943, nItems: 1682, nRatings: 100000, maxPerUser: 737 },
  'ml-1m': { nUsers: 6040, nItems: 3706, nRatings: 1000209, maxPerUser: 2314 },
  'ml-20m': { nUsers: 138493, nItems: 26744, nRatings: 20000263, maxPerUser: 9254 },
  'seed-001': { nUsers: 5200, nItems: 252, nRatings: 130000, maxPerUser: 126, minPerUser: 5 },
};

export interface SyntheticOptions {
  /** Sizes of a real data set (default 'ml-100k'); the fields below override it. */
  shape?: keyof typeof SYNTHETIC_SHAPES;
  nUsers?: number;
  nItems?: number;
  nRatings?: number;
  /** Fewest ratings per user (the shape's, else 20, as MovieLens guarantees). */
  minPerUser?: number;
  /** Most ratings per user (the shape's; for custom sizes half the items). */
  maxPerUser?: number;
  seed?: number;
  /** Latent factors of the topics' taste directions (16). */
  factors?: number;
  /** Taste topics (default 0.6·√nItems, between 4 and 100: 25 for ml-100k's 1,682 items). */
  topics?: number;
  /** Share of each user's choices drawn by popularity alone, not taste (0.1). */
  popularShare?: number;
  /** How far tastes move from a user's first rating to their last, 0 (none) to 1 (0.8). */
  drift?: number;
  /**
   * Item popularity is a power law with an exponential cut-off, weight(rank) =
   * rank^-popularity * exp(-cutoff * rank / nItems): a pure Zipf tail is far too flat (every
   * item would get dozens of ratings); 0.3 and 5 give ml-1m's ratings-per-item quantiles
   * within about 25%.
   */
  popularity?: number;
  cutoff?: number;
  /** Rating noise standard deviation (0.8). */
  noise?: number;
  name?: string;
}

const AGE_GROUPS = [1, 18, 25, 35, 45, 50, 56];
/** The rating of an average item for an average user before taste (taste adds about 0.5 on average). */
const BASE = 3.15;
/** Rating points per unit of taste·item factors. */
const RATE = 2.2;
/** Steps in which a user's taste moves from first to last along their ratings. */
const PHASES = 8;
const AGE_WEIGHTS = [222, 1103, 2096, 1193, 550, 496, 380]; // ml-1m's users per group

/** A weighted draw: the index whose cumulative weight passes x (cdf ascending). */
function drawCdf(cdf: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}

export function synthetic(opts: SyntheticOptions = {}): Interactions {
  const shape = SYNTHETIC_SHAPES[opts.shape ?? 'ml-100k'];
  if (!shape) throw new Error(`synthetic: unknown shape "${opts.shape}" (expected ${Object.keys(SYNTHETIC_SHAPES).join(', ')})`);
  const U = opts.nUsers ?? shape.nUsers, I = opts.nItems ?? shape.nItems, R = opts.nRatings ?? shape.nRatings;
  const custom = opts.nUsers !== undefined || opts.nItems !== undefined || opts.nRatings !== undefined;
  const minPer = Math.min(opts.minPerUser ?? (custom ? 20 : shape.minPerUser ?? 20), I);
  // Custom sizes: nobody rates more than half the catalogue (ml-1m's busiest user: 62%).
  const maxPer = Math.min(opts.maxPerUser ?? (custom ? Math.max(minPer, Math.floor(I / 2)) : shape.maxPerUser), I);
  const k = opts.factors ?? 16, alpha = opts.popularity ?? 0.3, cut = opts.cutoff ?? 5, noise = opts.noise ?? 0.8;
  const T = Math.min(I, opts.topics ?? Math.max(4, Math.min(100, Math.round(0.6 * Math.sqrt(I)))));
  const popShare = opts.popularShare ?? 0.1, drift = opts.drift ?? 0.8;
  for (const [n, v] of [['nUsers', U], ['nItems', I], ['nRatings', R], ['factors', k], ['topics', T]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`synthetic: ${n} must be a positive integer, got ${v}`);
  }
  for (const [n, v] of [['popularShare', popShare], ['drift', drift]] as const) {
    if (!(v >= 0 && v <= 1)) throw new Error(`synthetic: ${n} must be in [0, 1], got ${v}`);
  }
  if (R < I) throw new Error(`synthetic: ${R} ratings cannot give each of the ${I} items one`);
  if (R < minPer * U || R > maxPer * U) {
    throw new Error(`synthetic: ${R} ratings cannot be spread over ${U} users with ${minPer}..${maxPer} ratings each`);
  }
  const rng = new Rng(opts.seed ?? 1);
  const counts = activity(U, R, minPer, maxPer, rng);

  // Item popularity: weights on shuffled ranks; a cumulative table for drawing by popularity.
  const rank = rng.permutation(I);
  const weight = new Float64Array(I), cdf = new Float64Array(I);
  let acc = 0;
  for (let i = 0; i < I; i++) {
    weight[i] = Math.exp(-cut * rank[i] / I) / Math.pow(rank[i] + 1, alpha);
    cdf[i] = acc += weight[i];
  }
  const topics = makeTopics(I, T, k, weight, rng);
  const userMeta = syntheticUsers(U, rng);
  const rawItems = syntheticItemIds(I, rng);
  const itemMeta = syntheticItems(I, rng, topics.ofItem, topics.genres, rawItems);

  // Item factors: the topic's direction plus an item's own; biases (popular items a little higher).
  const Q = new Float32Array(I * k), bi = new Float32Array(I), bu = new Float32Array(U);
  for (let i = 0; i < I; i++) {
    for (let f = 0; f < k; f++) Q[i * k + f] = topics.dir[topics.ofItem[i] * k + f] + (0.4 / Math.sqrt(k)) * rng.normal();
    bi[i] = 0.3 * rng.normal() + 0.08 * (Math.log(I) * 0.5 - Math.log(rank[i] + 1));
  }
  for (let u = 0; u < U; u++) bu[u] = 0.4 * rng.normal();

  const users = new Int32Array(R), items = new Int32Array(R), ratings = new Float32Array(R), ts = new Float64Array(R);
  const mark = new Uint8Array(I), pu = new Float64Array(k);
  const t0 = 956703932; // ml-1m's first timestamp (2000-04-25)
  let row = 0;
  for (let u = 0; u < U; u++) {
    const taste = userTaste(u, userMeta, topics, k, rng);
    const mixCdf = new Float64Array(taste.topics.length);
    const c = counts[u];
    let fallback: Int32Array | null = null, next = 0; // heavy users: a popularity order without repeats
    const byPopularity = (): number => {
      for (let tries = 0; tries < 16; tries++) {
        const i = drawCdf(cdf, 0, I - 1, rng.next() * acc);
        if (!mark[i]) return i;
      }
      fallback ??= popularityOrder(weight, rng);
      while (mark[fallback[next]]) next++;
      return fallback[next];
    };
    let t = t0 + rng.int(80_000_000), phase = -1;
    for (let n = 0; n < c; n++, row++) {
      // The taste of the moment moves from the first taste to the last along the timeline, in phases.
      const ph = Math.min(PHASES - 1, Math.floor((c > 1 ? n / (c - 1) : 0) * PHASES));
      if (ph !== phase) {
        phase = ph;
        taste.at(drift * (ph + 0.5) / PHASES, mixCdf, pu);
      }
      let item = -1;
      if (rng.next() >= popShare) {
        for (let tries = 0; tries < 6 && item < 0; tries++) {
          const z = taste.topics[drawCdf(mixCdf, 0, mixCdf.length - 1, rng.next())];
          const lo = topics.start[z], hi = topics.start[z + 1] - 1, before = topics.cdf[hi] - topics.mass[z];
          const i = topics.items[drawCdf(topics.cdf, lo, hi, before + rng.next() * topics.mass[z])];
          if (!mark[i]) item = i;
        }
      }
      if (item < 0) item = byPopularity();
      mark[item] = 1;
      // The rating: the taste of the moment against the item's factors.
      let s = BASE + bu[u] + bi[item] + noise * rng.normal();
      for (let f = 0; f < k; f++) s += RATE * pu[f] * Q[item * k + f];
      users[row] = u;
      items[row] = item;
      ratings[row] = Math.min(5, Math.max(1, Math.round(s)));
      ts[row] = t += 1 + rng.int(4000);
    }
    for (let r = row - c; r < row; r++) mark[items[r]] = 0;
  }
  const start = new Int32Array(U + 1);
  for (let u = 0; u < U; u++) start[u + 1] = start[u] + counts[u];
  // An item nobody drew replaces a row of an off-taste watch: its rating has no taste term.
  coverEveryItem(items, start, counts, I, rng, (r, i) => {
    ratings[r] = Math.min(5, Math.max(1, Math.round(BASE + bu[users[r]] + bi[i] + noise * rng.normal())));
  });
  return makeInteractions({
    name: opts.name ?? `synthetic (${U} users, ${I} items, ${R} ratings, seed ${opts.seed ?? 1})`,
    users, items, ratings, timestamps: ts,
    userIds: IdMap.fromSortedNumbers(Float64Array.from({ length: U }, (_, u) => u + 1)),
    itemIds: IdMap.fromSortedNumbers(rawItems),
    itemMeta, userMeta,
  });
}

/** Ratings per user: log-normal activity scaled to the total, clamped to [minPer, maxPer]. */
function activity(U: number, R: number, minPer: number, maxPer: number, rng: Rng): Int32Array {
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
  return counts;
}

/** Every item in a popularity-weighted random order (Efraimidis-Spirakis keys). */
function popularityOrder(weight: Float64Array, rng: Rng): Int32Array {
  const I = weight.length, keys = new Float64Array(I);
  for (let i = 0; i < I; i++) keys[i] = -Math.log(1 - rng.next()) / weight[i];
  return Int32Array.from({ length: I }, (_, i) => i).sort((a, b) => keys[a] - keys[b]);
}

interface Topics {
  ofItem: Int32Array;
  /** Items grouped by topic: items[start[z]..start[z+1]) with their cumulative popularity in cdf. */
  items: Int32Array;
  start: Int32Array;
  cdf: Float64Array;
  /** Popularity mass of each topic (the sum of its items' weights). */
  mass: Float64Array;
  /** Taste direction of each topic (T × k). */
  dir: Float32Array;
  /** Genre names of each topic, the first one its main genre. */
  genres: string[][];
  /** How much women (against men) and older (against younger) users lean to each topic. */
  genderLean: Float64Array;
  ageLean: Float64Array;
}

function makeTopics(I: number, T: number, k: number, weight: Float64Array, rng: Rng): Topics {
  // Topic sizes vary (log-normal); every topic gets an item.
  const size = Float64Array.from({ length: T }, () => Math.exp(0.6 * rng.normal()));
  const sizeCdf = new Float64Array(T);
  let s = 0;
  for (let z = 0; z < T; z++) sizeCdf[z] = s += size[z];
  const ofItem = new Int32Array(I), order = rng.permutation(I);
  for (let n = 0; n < I; n++) ofItem[order[n]] = n < T ? n : drawCdf(sizeCdf, 0, T - 1, rng.next() * s);
  const start = new Int32Array(T + 1);
  for (let i = 0; i < I; i++) start[ofItem[i] + 1]++;
  for (let z = 0; z < T; z++) start[z + 1] += start[z];
  const items = new Int32Array(I), fill = start.slice(0, T), cdf = new Float64Array(I), mass = new Float64Array(T);
  for (let i = 0; i < I; i++) items[fill[ofItem[i]]++] = i;
  let acc = 0;
  for (let z = 0; z < T; z++) for (let p = start[z]; p < start[z + 1]; p++) { cdf[p] = acc += weight[items[p]]; mass[z] += weight[items[p]]; }
  const dir = new Float32Array(T * k);
  for (let x = 0; x < dir.length; x++) dir[x] = rng.normal() / Math.sqrt(k);
  return {
    ofItem, items, start, cdf, mass, dir, genres: topicGenres(T, rng),
    genderLean: Float64Array.from({ length: T }, () => rng.normal()), ageLean: Float64Array.from({ length: T }, () => rng.normal()),
  };
}

/**
 * A user's tastes: the topics they like (2 to 4, drawn by the topics' popularity and leaning
 * with gender and age, with random weights) and one they come to like. Along the timeline the
 * most liked topic gives way to the new one; `at(x)` gives the topic mixture (as a cumulative
 * table) and the taste direction (the mixture of the topics' directions plus the user's own
 * offset) at x in [0, 1], 0 the first taste and 1 the last.
 */
function userTaste(u: number, meta: UserMeta, topics: Topics, k: number, rng: Rng) {
  const T = topics.mass.length;
  const female = meta.gender[u] === 'F' ? 1 : -1, age = (AGE_GROUPS.indexOf(meta.age[u]) - 3) / 2;
  const w = Float64Array.from({ length: T }, (_, z) => topics.mass[z] * Math.exp(0.8 * (female * topics.genderLean[z] + age * topics.ageLean[z])));
  const nLiked = Math.min(T, 2 + rng.int(3)), nAll = Math.min(T, nLiked + 1);
  const chosen: number[] = [];
  while (chosen.length < nAll) {
    let total = 0;
    for (let z = 0; z < T; z++) if (!chosen.includes(z)) total += w[z];
    let x = rng.next() * total, z = 0;
    for (; z < T - 1; z++) if (!chosen.includes(z) && (x -= w[z]) < 0) break;
    while (chosen.includes(z)) z = (z + 1) % T;
    chosen.push(z);
  }
  const w0 = chosen.map((_, j) => (j < nLiked ? Math.exp(0.8 * rng.normal()) : 0));
  // The most liked topic fades, and the new one takes its weight.
  const top = w0.indexOf(Math.max(...w0)), w1 = w0.slice();
  if (nAll > nLiked) [w1[top], w1[nAll - 1]] = [0, w0[top]];
  const own = Float64Array.from({ length: k }, () => (0.4 / Math.sqrt(k)) * rng.normal());
  const mix = new Float64Array(nAll);
  return {
    topics: Int32Array.from(chosen),
    at(x: number, mixCdf: Float64Array, dir: Float64Array): void {
      let sum = 0;
      for (let j = 0; j < nAll; j++) sum += mix[j] = (1 - x) * w0[j] + x * w1[j];
      let acc = 0;
      for (let j = 0; j < nAll; j++) mixCdf[j] = acc += mix[j] /= sum;
      for (let f = 0; f < k; f++) {
        dir[f] = own[f];
        for (let j = 0; j < nAll; j++) dir[f] += mix[j] * topics.dir[chosen[j] * k + f];
      }
    },
  };
}

/**
 * Gives every item at least one rating (MovieLens lists only rated items): an unrated item
 * replaces a random row of a random user who lacks it, taken from an item rated more than once.
 */
function coverEveryItem(items: Int32Array, start: Int32Array, counts: Int32Array, I: number, rng: Rng, rate: (row: number, item: number) => void): void {
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
      rate(row, i);
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

/** ml-1m's movies per genre (of 3,883): the synthetic shares. */
const GENRE_COUNTS: Record<string, number> = {
  Drama: 1603, Comedy: 1200, Action: 503, Thriller: 492, Romance: 471, Horror: 343, Adventure: 283, 'Sci-Fi': 276,
  "Children's": 251, Crime: 211, War: 143, Documentary: 127, Musical: 114, Mystery: 106, Animation: 105,
  Western: 68, Fantasy: 68, 'Film-Noir': 44,
};
const MOVIES = 3883, KEEP = 0.75;

/**
 * Each topic's genres: a main genre, spread over the topics in proportion to ml-1m's genre
 * counts (systematic sampling, so even a few topics get the shares about right), plus further
 * genres each with the chance that brings its share of movies to ml-1m's.
 */
function topicGenres(T: number, rng: Rng): string[][] {
  const names = ML1M_GENRES.slice();
  const total = names.reduce((a, g) => a + GENRE_COUNTS[g], 0);
  const main = (x: number) => { for (const g of names) if ((x -= GENRE_COUNTS[g] / total) < 0) return g; return names[0]; };
  const offset = rng.next(), order = rng.permutation(T);
  return Array.from({ length: T }, (_, z) => {
    const first = main((order[z] + offset) / T);
    const out = [first];
    for (const g of names) {
      if (g === first) continue;
      const share = GENRE_COUNTS[g] / MOVIES, asMain = GENRE_COUNTS[g] / total;
      if (rng.next() < Math.max(0, share - asMain) / (KEEP * (1 - asMain))) out.push(g);
    }
    return out;
  });
}

function syntheticItems(I: number, rng: Rng, ofItem: Int32Array, topicGenre: string[][], raw: Float64Array): ItemMeta {
  const meta: ItemMeta = {
    title: new Array(I), genres: new Array(I), genreNames: ML1M_GENRES.slice(), year: new Int16Array(I), month: new Int8Array(I),
  };
  const taken = new Map<string, number>();
  for (let i = 0; i < I; i++) {
    const [first, ...more] = topicGenre[ofItem[i]];
    // A movie has its topic's main genre and most of its others.
    meta.genres[i] = [first, ...more.filter(() => rng.next() < KEEP)];
    const year = Math.max(1919, 2000 - Math.floor(-12 * Math.log(1 - rng.next())));
    meta.year[i] = year;
    meta.month[i] = 1 + rng.int(12);
    meta.title[i] = movieTitle(first, year, rng, taken);
  }
  return meta;
}

function syntheticUsers(U: number, rng: Rng): UserMeta {
  const meta: UserMeta = { age: new Int16Array(U), gender: new Array(U), occupation: new Array(U), zip: new Array(U) };
  const wsum = AGE_WEIGHTS.reduce((a, b) => a + b, 0);
  for (let u = 0; u < U; u++) {
    let x = rng.next() * wsum, a = 0;
    while (x >= AGE_WEIGHTS[a]) x -= AGE_WEIGHTS[a++];
    meta.age[u] = AGE_GROUPS[a];
    meta.gender[u] = rng.next() < 0.28 ? 'F' : 'M';
    meta.occupation[u] = ML1M_OCCUPATIONS[rng.int(ML1M_OCCUPATIONS.length)];
    meta.zip[u] = String(rng.int(100000)).padStart(5, '0');
  }
  return meta;
}
