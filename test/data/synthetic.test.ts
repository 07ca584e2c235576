/** Synthetic data: exact shape, MovieLens-like structure, planted tastes a model learns, reproducible from its seed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { synthetic, SYNTHETIC_SHAPES } from '../../src/data/synthetic';
import { computeStats } from '../../src/data/stats';
import type { Interactions } from '../../src/data/dataset';
import { ncfEvalSet } from '../../src/data/ncf_eval';
import { carveValidation } from '../../src/data/split';
import { indexByUser } from '../../src/data/csr';
import { Rng } from '../../src/data/rng';
import { NCF } from '../../src/models/ncf';
import { Popularity } from '../../src/models/popularity';
import { trainImplicit } from '../../src/train/implicit';
import { evaluateSampled } from '../../src/eval/ranking';
import { memory } from '../../src';

test('ml-1m shape: exact sizes, every item rated, activity bounds, no repeated pair', () => {
  const t = process.hrtime.bigint();
  const d = synthetic({ shape: 'ml-1m' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`  (synthetic ml-1m shape: ${ms.toFixed(0)} ms)`);
  assert.equal([d.length, d.nUsers, d.nItems], [1000209, 6040, 3706]);
  const s = computeStats(d);
  assert.is(s.distinctPairs, d.length);
  assert.ok(s.perUser.min >= 20 && s.perUser.max <= 2314, JSON.stringify(s.perUser));
  assert.ok(s.perItem.min >= 1);
  // Skewed popularity, as in MovieLens: the top 10% of items hold a large share of ratings.
  const per = new Int32Array(d.nItems);
  for (const i of d.items) per[i]++;
  const sorted = Array.from(per).sort((a, b) => b - a);
  const top = sorted.slice(0, Math.round(d.nItems / 10)).reduce((a, b) => a + b, 0);
  assert.ok(top / d.length > 0.3 && top / d.length < 0.6, `top 10% share ${top / d.length}`);
  assert.ok(s.perItem.median < s.perItem.mean, 'long tail: median below mean');
  // Ratings 1..5 with a MovieLens-like mean; every value occurs.
  assert.equal(s.ratingValues.map((v) => v.value), [1, 2, 3, 4, 5]);
  assert.ok(s.ratingMean > 3.3 && s.ratingMean < 3.8);
  assert.ok(ms < 5000);
});

test('structure: increasing times, genre shares, demographics, learnable signal', () => {
  const d = synthetic({ nUsers: 500, nItems: 800, nRatings: 40000, seed: 2 });
  for (let r = 1; r < d.length; r++) if (d.users[r] === d.users[r - 1]) assert.ok(d.timestamps![r] > d.timestamps![r - 1]);
  const m = d.itemMeta!;
  assert.ok(m.genres.every((g) => g.length >= 1));
  const share = (g: string) => m.genres.filter((x) => x.includes(g)).length / d.nItems;
  const shares = m.genreNames.map(share);
  assert.is(m.genreNames[shares.indexOf(Math.max(...shares))], 'Drama', 'Drama is the commonest genre, as in MovieLens');
  assert.ok(share('Drama') > 0.25 && share('Film-Noir') < 0.08 && share('Documentary') < 0.08, `Drama ${share('Drama')}, Film-Noir ${share('Film-Noir')}`);
  // Titles read like movies: words and a year, sequels numbered, no two alike.
  assert.ok(m.title.every((t, i) => /^[A-Z][\w' -]+ \((\d{4})\)$/.test(t) && t.endsWith(`(${m.year[i]})`)), m.title.slice(0, 5).join(' | '));
  assert.is(new Set(m.title.map((t) => t.replace(/ \(\d{4}\)$/, ''))).size, d.nItems);
  assert.ok(m.year.every((y) => y >= 1919 && y <= 2000));
  const u = d.userMeta!;
  assert.ok(u.age.every((a) => [1, 18, 25, 35, 45, 50, 56].includes(a)));
  assert.ok(u.gender.every((g) => g === 'M' || g === 'F'));
  // Item means spread out (item biases + factors), so the ratings carry signal beyond noise.
  const sum = new Float64Array(d.nItems), cnt = new Float64Array(d.nItems);
  for (let r = 0; r < d.length; r++) { sum[d.items[r]] += d.ratings[r]; cnt[d.items[r]]++; }
  const means = Array.from(sum, (s, i) => s / cnt[i]).filter((_, i) => cnt[i] >= 30);
  const mu = means.reduce((a, b) => a + b, 0) / means.length;
  const sd = Math.sqrt(means.reduce((a, b) => a + (b - mu) ** 2, 0) / means.length);
  assert.ok(sd > 0.25, `item mean spread ${sd}`);
});

/**
 * Ranks each case's item among its negatives by item-to-item co-occurrence with `history(u)`
 * (cosine over users' training items), or by popularity alone; returns HR@10.
 */
function knnHr(train: Interactions, set: { users: Int32Array; items: Int32Array; negatives: Int32Array; nNeg: number }, history: (items: Int32Array) => ArrayLike<number> | null): number {
  const { nUsers, nItems } = train;
  const ix = indexByUser(train.users, train.items, nUsers, nItems);
  const pop = new Float64Array(nItems);
  for (const i of train.items) pop[i]++;
  const co = new Float32Array(nItems * nItems);
  for (let u = 0; u < nUsers; u++) {
    const its = ix.items.subarray(ix.offsets[u], ix.offsets[u + 1]);
    for (const a of its) for (const b of its) if (a !== b) co[a * nItems + b]++;
  }
  let hits = 0;
  for (let c = 0; c < set.users.length; c++) {
    const u = set.users[c];
    const own = ix.items.subarray(ix.offsets[u], ix.offsets[u + 1]);
    const h = history(orderByTime(train, ix, u, own));
    const score = (i: number) => {
      if (!h) return pop[i];
      let s = 0;
      for (let k = 0; k < h.length; k++) s += co[h[k] * nItems + i] / Math.sqrt((pop[h[k]] + 1) * (pop[i] + 1));
      return s + 1e-9 * pop[i];
    };
    const pos = score(set.items[c]);
    let above = 0;
    for (let j = 0; j < set.nNeg; j++) if (score(set.negatives[c * set.nNeg + j]) > pos) above++;
    if (above < 10) hits++;
  }
  return hits / set.users.length;
}

/** A user's training items oldest first. */
function orderByTime(train: Interactions, ix: ReturnType<typeof indexByUser>, u: number, own: Int32Array): Int32Array {
  const rows = Array.from(ix.rows.subarray(ix.offsets[u], ix.offsets[u + 1]));
  rows.sort((a, b) => train.timestamps![a] - train.timestamps![b] || a - b);
  return Int32Array.from(rows, (r) => train.items[r]) ?? own;
}

test('planted tastes: what a user watched tells their latest item far better than popularity, and recent watches better than early ones', () => {
  const d = synthetic(); // the default set (ml-100k's shape): what `npm run train` uses offline
  const ev = ncfEvalSet(d);
  const last = (n: number) => (its: Int32Array) => its.subarray(Math.max(0, its.length - n));
  const first = (n: number) => (its: Int32Array) => its.subarray(0, n);
  const pop = knnHr(ev.train, ev, () => null), all = knnHr(ev.train, ev, (its) => its);
  const recent = knnHr(ev.train, ev, last(10)), early = knnHr(ev.train, ev, first(10));
  console.log(`  (default synthetic set, test HR@10 among 99 negatives: popularity ${pop.toFixed(3)}, item co-occurrence ${all.toFixed(3)}; last 10 items ${recent.toFixed(3)}, first 10 ${early.toFixed(3)})`);
  assert.ok(all > pop + 0.15, `co-occurrence ${all} against popularity ${pop}`);
  assert.ok(recent > early + 0.03, `tastes drift: recent items ${recent}, early ones ${early}`);
  // Without drift the first items tell as much as the last ones.
  const still = synthetic({ drift: 0 }), evs = ncfEvalSet(still);
  const gap = knnHr(evs.train, evs, last(10)) - knnHr(evs.train, evs, first(10));
  assert.ok(gap < recent - early - 0.02, `gap without drift ${gap}, with ${recent - early}`);
});

test('a model learns the planted tastes: validation rises over several epochs and passes popularity', () => {
  const d = synthetic({ nUsers: 300, nItems: 400, nRatings: 20000, seed: 3 });
  const ev = ncfEvalSet(d);
  const { train, valid } = carveValidation(ev.train, { seed: 1, exclude: { users: ev.users, items: ev.items } });
  const pop = new Popularity(train);
  const popHr = evaluateSampled((u, i) => pop.scorePairs(u, i), valid, [10])['hr@10'];
  const net = new NCF({ model: 'gmf', nUsers: d.nUsers, nItems: d.nItems, factors: 8, layers: [16, 8], seed: 1 });
  const before = memory().tensors;
  const r = trainImplicit(net, train, { epochs: 8, lr: 0.01, valid, seed: 1 });
  const hr = r.history.map((h) => h.valid!['ndcg@10']);
  const best = Math.max(...hr);
  console.log(`  (GMF validation NDCG@10 by epoch: ${hr.map((x) => x.toFixed(3)).join(' ')}; popularity HR@10 ${popHr.toFixed(3)}, GMF ${r.bestValid!['hr@10'].toFixed(3)})`);
  assert.ok(r.bestEpoch >= 4, `best epoch ${r.bestEpoch}: the validation score rises for several epochs`);
  assert.ok(best > hr[0] + 0.03, `NDCG@10 ${hr[0]} -> ${best}`);
  assert.ok(r.bestValid!['hr@10'] > popHr + 0.08, `GMF ${r.bestValid!['hr@10']} against popularity ${popHr}`);
  net.dispose();
  pop.dispose();
  assert.ok(memory().tensors <= before);
});

test("seed 001's catalogue: 5,000+ users, 252 items, a few to a hundred-odd ratings each", () => {
  const d = synthetic({ shape: 'seed-001' });
  assert.equal([d.nUsers, d.nItems, d.length], [SYNTHETIC_SHAPES['seed-001'].nUsers, 252, SYNTHETIC_SHAPES['seed-001'].nRatings]);
  assert.ok(d.nUsers >= 5000);
  const s = computeStats(d);
  assert.ok(s.perUser.min >= 5 && s.perUser.max <= 126 && s.perItem.min >= 1, JSON.stringify(s.perUser));
});

test('seeded: same seed same data, other seed other data; bad sizes are errors', () => {
  const a = synthetic({ nUsers: 50, nItems: 100, nRatings: 2000, seed: 5 });
  const b = synthetic({ nUsers: 50, nItems: 100, nRatings: 2000, seed: 5 });
  const c = synthetic({ nUsers: 50, nItems: 100, nRatings: 2000, seed: 6 });
  assert.equal(Array.from(a.items), Array.from(b.items));
  assert.equal(Array.from(a.ratings), Array.from(b.ratings));
  assert.not.equal(Array.from(a.items), Array.from(c.items));
  assert.throws(() => synthetic({ nUsers: 10, nItems: 100, nRatings: 100 }), /cannot be spread over 10 users/);
  assert.throws(() => synthetic({ nUsers: 0 }), /nUsers must be a positive integer/);
});

test.run();
