/**
 * The exploratory figures seeds 000 and 003 report (counts, sparsity, rating distribution,
 * genre distribution, release years, ages, activity quantiles), as a plain object, plus a text
 * formatter for the command line.
 */
import { Interactions } from './dataset';

export interface Quantiles {
  min: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
  max: number;
  mean: number;
}

export interface DatasetStats {
  name: string;
  users: number;
  items: number;
  ratings: number;
  /** ratings / (users * items). */
  density: number;
  /** 1 - density. */
  sparsity: number;
  /** Distinct (user, item) pairs (less than ratings when pairs repeat). */
  distinctPairs: number;
  ratingMean: number;
  /** Count of each rating value, ascending. */
  ratingValues: Array<{ value: number; count: number }>;
  /** Ratings per user / per item. */
  perUser: Quantiles;
  perItem: Quantiles;
  /** First and last timestamps (ISO dates), when the data has them. */
  timeRange?: { first: string; last: string };
  /** Items and ratings per genre, most items first. */
  genres?: Array<{ genre: string; items: number; ratings: number }>;
  /** Distinct genre combinations (seed 000's "unique genres" of ml-latest-small: 951). */
  genreCombinations?: number;
  /** Items without a genre (none, or only "unknown" / "(no genres listed)"). */
  itemsWithoutGenre?: number;
  /** Items per release decade, and items of unknown year. */
  releaseDecades?: Array<{ decade: number; items: number }>;
  unknownYear?: number;
  /** Demographics, when user metadata is present. */
  demographics?: {
    under18: number;
    adults: number;
    gender: Record<string, number>;
    ages: Array<{ age: string; users: number }>;
    occupations: Array<{ occupation: string; users: number }>;
  };
}

/** Quantiles by the nearest-rank rule on a sorted copy. */
export function quantiles(values: ArrayLike<number>): Quantiles {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  if (n === 0) return { min: 0, p10: 0, p25: 0, median: 0, p75: 0, p90: 0, max: 0, mean: 0 };
  const q = (p: number) => a[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (let k = 0; k < n; k++) sum += a[k];
  return { min: a[0], p10: q(0.1), p25: q(0.25), median: q(0.5), p75: q(0.75), p90: q(0.9), max: a[n - 1], mean: sum / n };
}

const NO_GENRE = new Set(['unknown', '(no genres listed)']);

export function computeStats(data: Interactions): DatasetStats {
  const { nUsers, nItems, length: n } = data;
  const perUser = new Int32Array(nUsers), perItem = new Int32Array(nItems);
  const values = new Map<number, number>();
  let sum = 0;
  for (let r = 0; r < n; r++) {
    perUser[data.users[r]]++;
    perItem[data.items[r]]++;
    const v = data.ratings[r];
    values.set(v, (values.get(v) ?? 0) + 1);
    sum += v;
  }
  // Distinct pairs: sort pair keys (user * nItems + item fits a double exactly).
  const keys = new Float64Array(n);
  for (let r = 0; r < n; r++) keys[r] = data.users[r] * nItems + data.items[r];
  keys.sort();
  let distinct = 0;
  for (let r = 0; r < n; r++) if (r === 0 || keys[r] !== keys[r - 1]) distinct++;
  const density = nUsers && nItems ? n / (nUsers * nItems) : 0;
  const s: DatasetStats = {
    name: data.name, users: nUsers, items: nItems, ratings: n, density, sparsity: 1 - density, distinctPairs: distinct,
    ratingMean: n ? sum / n : 0,
    ratingValues: [...values.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count })),
    perUser: quantiles(perUser), perItem: quantiles(perItem),
  };
  const ts = data.timestamps;
  if (ts) {
    let lo = Infinity, hi = -Infinity;
    for (let r = 0; r < n; r++) { const t = ts[r]; if (t < lo) lo = t; if (t > hi) hi = t; }
    if (lo <= hi) s.timeRange = { first: new Date(lo * 1000).toISOString().slice(0, 10), last: new Date(hi * 1000).toISOString().slice(0, 10) };
  }
  const m = data.itemMeta;
  if (m) {
    const g = new Map<string, { items: number; ratings: number }>();
    for (const name of m.genreNames) g.set(name, { items: 0, ratings: 0 });
    const combos = new Set<string>();
    let none = 0, unknownYear = 0;
    const decades = new Map<number, number>();
    for (let i = 0; i < nItems; i++) {
      const gs = m.genres[i];
      combos.add(gs.join('|'));
      if (!gs.some((x) => !NO_GENRE.has(x))) none++;
      for (const x of gs) {
        const e = g.get(x) ?? { items: 0, ratings: 0 };
        e.items++;
        e.ratings += perItem[i];
        g.set(x, e);
      }
      if (m.year[i] === 0) unknownYear++;
      else decades.set(Math.floor(m.year[i] / 10) * 10, (decades.get(Math.floor(m.year[i] / 10) * 10) ?? 0) + 1);
    }
    s.genres = [...g.entries()].map(([genre, e]) => ({ genre, ...e })).sort((a, b) => b.items - a.items);
    s.genreCombinations = combos.size;
    s.itemsWithoutGenre = none;
    s.releaseDecades = [...decades.entries()].sort((a, b) => a[0] - b[0]).map(([decade, items]) => ({ decade, items }));
    s.unknownYear = unknownYear;
  }
  const um = data.userMeta;
  if (um) {
    let under18 = 0, adults = 0;
    const gender: Record<string, number> = {}, ages = new Map<string, number>(), occ = new Map<string, number>();
    for (let u = 0; u < nUsers; u++) {
      const a = um.age[u];
      if (a > 0 && a < 18) under18++;
      else if (a >= 18) adults++;
      const gk = um.gender[u] || '?';
      gender[gk] = (gender[gk] ?? 0) + 1;
      const band = a === 0 ? 'unknown' : a < 18 ? 'under 18' : a < 25 ? '18-24' : a < 35 ? '25-34' : a < 45 ? '35-44' : a < 50 ? '45-49' : a < 56 ? '50-55' : '56+';
      ages.set(band, (ages.get(band) ?? 0) + 1);
      const o = um.occupation[u] || 'unknown';
      occ.set(o, (occ.get(o) ?? 0) + 1);
    }
    const order = ['under 18', '18-24', '25-34', '35-44', '45-49', '50-55', '56+', 'unknown'];
    s.demographics = {
      under18, adults, gender,
      ages: order.filter((b) => ages.has(b)).map((age) => ({ age, users: ages.get(age)! })),
      occupations: [...occ.entries()].sort((a, b) => b[1] - a[1]).map(([occupation, users]) => ({ occupation, users })),
    };
  }
  return s;
}

const int = (x: number) => x.toLocaleString('en-US');
const q = (x: Quantiles) =>
  `min ${x.min}, p10 ${x.p10}, p25 ${x.p25}, median ${x.median}, p75 ${x.p75}, p90 ${x.p90}, max ${x.max}, mean ${x.mean.toFixed(1)}`;

/** The figures as readable text (one fact per line). */
export function formatStats(s: DatasetStats): string {
  const L: string[] = [];
  L.push(`${s.name}: ${int(s.ratings)} ratings by ${int(s.users)} users on ${int(s.items)} items`);
  L.push(`  density ${(100 * s.density).toFixed(2)}% (sparsity ${(100 * s.sparsity).toFixed(2)}%), ${int(s.distinctPairs)} distinct (user, item) pairs`);
  L.push(`  ratings: mean ${s.ratingMean.toFixed(3)}; ` + s.ratingValues.map((v) => `${v.value}: ${int(v.count)} (${((100 * v.count) / s.ratings).toFixed(1)}%)`).join(', '));
  L.push(`  ratings per user: ${q(s.perUser)}`);
  L.push(`  ratings per item: ${q(s.perItem)}`);
  if (s.timeRange) L.push(`  time: ${s.timeRange.first} .. ${s.timeRange.last}`);
  if (s.genres) {
    L.push(`  genres (${s.genres.length} names, ${s.genreCombinations} combinations, ${s.itemsWithoutGenre} items without one), items / ratings:`);
    for (const g of s.genres) L.push(`    ${g.genre.padEnd(20)} ${String(g.items).padStart(6)} ${String(g.ratings).padStart(10)}`);
  }
  if (s.releaseDecades) {
    L.push(`  release decades: ` + s.releaseDecades.map((d) => `${d.decade}s ${d.items}`).join(', ') + (s.unknownYear ? `, unknown ${s.unknownYear}` : ''));
  }
  if (s.demographics) {
    const d = s.demographics;
    L.push(`  users: ${d.under18} under 18, ${d.adults} adults; gender ` + Object.entries(d.gender).map(([k, v]) => `${k} ${v}`).join(', '));
    L.push(`  ages: ` + d.ages.map((a) => `${a.age} ${a.users}`).join(', '));
    L.push(`  occupations: ` + d.occupations.map((o) => `${o.occupation} ${o.users}`).join(', '));
  }
  return L.join('\n');
}
