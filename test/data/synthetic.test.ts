/** Synthetic data: exact shape, MovieLens-like structure, reproducible from its seed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { synthetic } from '../../src/data/synthetic';
import { computeStats } from '../../src/data/stats';

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
  const drama = m.genres.filter((g) => g.includes('Drama')).length / d.nItems;
  const noir = m.genres.filter((g) => g.includes('Film-Noir')).length / d.nItems;
  assert.ok(drama > 0.25 && noir < 0.05, `Drama ${drama}, Film-Noir ${noir}`);
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
