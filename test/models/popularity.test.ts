/** The popularity baseline, global and per demographic group (cold start). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memory } from '../../src';
import { Popularity, ageBucket, profileOf } from '../../src/models/popularity';
import { makeInteractions, emptyUserMeta } from '../../src/data/dataset';
import { IdMap } from '../../src/data/ids';
import { synthetic } from '../../src/data/synthetic';
import { loadMl100k } from '../../src/data/movielens';
import { randomSplit } from '../../src/data/split';
import { realData } from '../data/helpers';

/**
 * 6 users (0-2 women aged 20-30, 3-5 men aged 40-55), 4 items. Women all rate item 0, men all
 * rate item 1, and users 1-4 rate item 2: item 2 is the most popular overall.
 */
function tiny(withMeta = true) {
  const pairs: [number, number][] = [[0, 0], [1, 0], [2, 0], [3, 1], [4, 1], [5, 1], [1, 2], [2, 2], [3, 2], [4, 2], [5, 3]];
  const meta = emptyUserMeta(6);
  meta.gender.splice(0, 6, 'F', 'F', 'F', 'M', 'M', 'M');
  meta.age.set([20, 24, 30, 40, 45, 55]);
  meta.occupation.splice(0, 6, 'writer', 'writer', 'artist', 'writer', 'artist', 'artist');
  return makeInteractions({
    name: 'tiny', users: Int32Array.from(pairs, (p) => p[0]), items: Int32Array.from(pairs, (p) => p[1]),
    userIds: IdMap.identity(6), itemIds: IdMap.identity(4), userMeta: withMeta ? meta : undefined,
  });
}

const argmax = (a: ArrayLike<number>) => Array.from(a).indexOf(Math.max(...Array.from(a)));

test('ageBucket follows ml-1m age groups', () => {
  assert.equal([0, 1, 17, 18, 24, 25, 34, 35, 44, 45, 49, 50, 55, 56, 90].map(ageBucket), [-1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
  assert.is(ageBucket(undefined), -1);
});

test('global popularity: the score is the training count, for every user', () => {
  const before = memory().tensors;
  const d = tiny();
  const p = new Popularity(d);
  assert.equal(Array.from(p.counts.toFloat32Array()), [3, 3, 4, 1]);
  assert.equal(Array.from(p.scorePairs(Int32Array.from([0, 5, 3]), Int32Array.from([2, 2, 3]))), [4, 4, 1]);
  const all = p.scoreAll(Int32Array.from([0, 4]));
  assert.equal(all.shape, [2, 4]);
  assert.equal(Array.from(all.toFloat32Array()), [3, 3, 4, 1, 3, 3, 4, 1]);
  all.dispose();
  assert.equal(Array.from(p.scoreProfile({ gender: 'F' }, Int32Array.from([0, 1, 2, 3]))), [3, 3, 4, 1]);
  assert.throws(() => p.scorePairs(Int32Array.from([6]), Int32Array.from([0])), /user 6 out of range/);
  assert.throws(() => p.scorePairs(Int32Array.from([0]), Int32Array.from([4])), /item 4 out of range/);
  p.dispose();
  assert.is(memory().tensors, before);
});

test('group popularity ranks by what the group rated, shrunk towards global popularity', () => {
  const d = tiny();
  const p = new Popularity(d, { groupBy: ['gender'], smoothing: 1 });
  const items = Int32Array.from([0, 1, 2, 3]);
  // Women: item 0 (3 of their 5 interactions) beats item 2 (2 of 5) although item 2 is globally first.
  assert.is(argmax(p.scoreProfile({ gender: 'F' }, items)), 0);
  assert.is(argmax(p.scoreProfile({ gender: 'M' }, items)), 1);
  // Exact: (c_g(i) + m·c(i)/n) / (n_g + m) with m = 1, n = 11, women n_g = 5.
  const f = p.scoreProfile({ gender: 'F' }, items);
  [3 + 3 / 11, 0 + 3 / 11, 2 + 4 / 11, 0 + 1 / 11].forEach((v, i) => assert.ok(Math.abs(f[i] - v / 6) < 1e-6, `item ${i}: ${f[i]} vs ${v / 6}`));
  // An unseen group falls back to global popularity.
  assert.is(p.groupSize({}), 0);
  assert.is(argmax(p.scoreProfile({}, items)), 2);
  // Known users are scored by their own group.
  const all = p.scoreAll(Int32Array.from([0, 3])).toFloat32Array();
  assert.is(argmax(all.subarray(0, 4)), 0);
  assert.is(argmax(all.subarray(4, 8)), 1);
  assert.equal(p.scorePairs(Int32Array.from([1]), Int32Array.from([0]))[0], f[0]);
  p.dispose();
});

test('groups combine features; a combination never seen falls back to global', () => {
  const d = tiny();
  const p = new Popularity(d, { groupBy: ['age', 'gender', 'occupation'], smoothing: 0 });
  assert.is(p.key(profileOf(d.userMeta!, 0)), '1|F|writer');
  assert.is(p.groupSize({ age: 22, gender: 'F', occupation: 'writer' }), 3);  // users 0 and 1: 3 interactions
  const s = p.scoreProfile({ age: 22, gender: 'F', occupation: 'writer' }, Int32Array.from([0, 1, 2, 3]));
  assert.equal(Array.from(s), [2 / 3, 0, 1 / 3, 0].map(Math.fround));
  assert.is(argmax(p.scoreProfile({ age: 70, gender: 'F', occupation: 'doctor' }, Int32Array.from([0, 1, 2, 3]))), 2);
  p.dispose();
});

test('groupBy needs user metadata and known features', () => {
  assert.throws(() => new Popularity(tiny(false), { groupBy: ['gender'] }), /needs user metadata/);
  assert.throws(() => new Popularity(tiny(), { groupBy: ['zip' as 'age'] }), /cannot group by "zip"/);
});

test('on synthetic data popularity finds the items most rated in held-out data', () => {
  const d = synthetic({ nUsers: 200, nItems: 300, nRatings: 8000, seed: 5 });
  const { train, test: held } = randomSplit(d, { testFraction: 0.3, seed: 2 });
  const p = new Popularity(train);
  const s = p.scorePairs(new Int32Array(d.nItems), Int32Array.from({ length: d.nItems }, (_, i) => i));
  const top = Array.from(s.keys()).sort((a, b) => s[b] - s[a]).slice(0, 30);
  const heldCount = new Float64Array(d.nItems);
  for (const i of held.items) heldCount[i]++;
  const topShare = top.reduce((a, i) => a + heldCount[i], 0) / held.length;
  assert.ok(topShare > 3 * (30 / d.nItems), `top-30 items hold ${topShare} of held-out ratings`);
  p.dispose();
});

test('ml-100k smoke: group popularity for a profile differs from global popularity', () => {
  const dir = realData('ml-100k');
  if (!dir) return;
  const d = loadMl100k(dir);
  const p = new Popularity(d, { groupBy: ['gender', 'age'] });
  const items = Int32Array.from({ length: d.nItems }, (_, i) => i);
  const rank = (s: Float32Array) => Array.from(s.keys()).sort((a, b) => s[b] - s[a]).slice(0, 10);
  const young = rank(p.scoreProfile({ gender: 'F', age: 20 }, items)), old = rank(p.scoreProfile({ gender: 'M', age: 60 }, items));
  assert.not.equal(young, old);
  assert.ok(p.groupSize({ gender: 'F', age: 20 }) > 1000);
  p.dispose();
});

test.run();
