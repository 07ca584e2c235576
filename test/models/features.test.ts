/** Seed 003's side-feature model: feature rows, training, cold start from a profile, ml-100k smoke. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memory } from '../../src';
import { FeatureModel, featureLayout, itemFeatures, userFeatures } from '../../src/models/features';
import { trainRatings } from '../../src/train/ratings';
import { makeInteractions, emptyItemMeta, emptyUserMeta, selectRows } from '../../src/data/dataset';
import { IdMap } from '../../src/data/ids';
import { Rng } from '../../src/data/rng';
import { synthetic } from '../../src/data/synthetic';
import { randomSplit } from '../../src/data/split';
import { loadMl100k } from '../../src/data/movielens';
import { profileOf } from '../../src/models/popularity';
import { evaluatePairRatings, meanRating, rmse } from '../../src/eval/pairs_rating';
import { assertClose } from '../util/close';
import { realData } from '../data/helpers';

const data = synthetic({ nUsers: 120, nItems: 150, nRatings: 5000, seed: 3 });
const { train, test: held } = randomSplit(data, { testFraction: 0.2, seed: 1 });

/**
 * Taste by gender and genre only: women rate genre A high and B low, men the reverse. Users 0
 * (F) and 1 (M) have no ratings at all: new users, known by their profile.
 */
function genderGenre() {
  const U = 80, I = 40;
  const um = emptyUserMeta(U), im = emptyItemMeta(I, ['A', 'B']);
  const rng = new Rng(11);
  for (let u = 0; u < U; u++) {
    um.gender[u] = u % 2 === 0 ? 'F' : 'M';
    um.age[u] = 18 + rng.int(50);
    um.occupation[u] = ['writer', 'artist', 'doctor'][u % 3];
  }
  for (let i = 0; i < I; i++) {
    im.genres[i] = [i < I / 2 ? 'A' : 'B'];
    im.year[i] = 1980 + (i % 20);
    im.month[i] = 1 + (i % 12);
  }
  const users: number[] = [], items: number[] = [], ratings: number[] = [];
  for (let u = 2; u < U; u++)
    for (const i of rng.permutation(I).subarray(0, 20)) {
      const likes = (um.gender[u] === 'F') === (i < I / 2);
      users.push(u);
      items.push(i);
      ratings.push(Math.min(5, Math.max(1, Math.round((likes ? 4.5 : 1.5) + 0.5 * rng.normal()))));
    }
  return makeInteractions({
    name: 'gender x genre', users: Int32Array.from(users), items: Int32Array.from(items), ratings: Float32Array.from(ratings),
    userIds: IdMap.identity(U), itemIds: IdMap.identity(I), userMeta: um, itemMeta: im,
  });
}

test('feature rows: standardised age and year, one-hot gender, occupation and month, multi-hot genres', () => {
  const d = genderGenre();
  const L = featureLayout(d.userMeta!, d.itemMeta!);
  assert.equal(L.occupations, ['artist', 'doctor', 'writer']);
  assert.is(L.userWidth, 6);
  assert.is(L.itemWidth, 2 + 13);
  const ages = Array.from(d.userMeta!.age), m = ages.reduce((a, b) => a + b, 0) / ages.length;
  assert.ok(Math.abs(L.ageMean - m) < 1e-9);
  const f = userFeatures(L, { age: L.ageMean + 2 * L.ageStd, gender: 'F', occupation: 'doctor' });
  assertClose(f, [2, 0, 1, 0, 1, 0], { atol: 1e-6, what: 'user row' });
  assert.equal(Array.from(userFeatures(L, {})), [0, 0, 0, 0, 0, 0], 'an empty profile is all zeros');
  assert.equal(Array.from(userFeatures(L, { gender: 'X', occupation: 'pilot' })), [0, 0, 0, 0, 0, 0]);
  const it = itemFeatures(L, ['B', 'Nope'], L.yearMean, 3);
  assert.equal(Array.from(it), [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(Array.from(itemFeatures(L, [], 0, 0)), new Array(15).fill(0), 'unknown year and month are zeros');
});

test('the squared error falls and predictions stay in [1, 5], beating the global mean', () => {
  const before = memory().tensors;
  const m = FeatureModel.forRatings(train, { embeddingDim: 16, hidden: 32, seed: 1 });
  assert.equal(m.range, [1, 5]);
  const r = trainRatings(m, train, { epochs: 6, batchSize: 128, lr: 3e-3, seed: 2 });
  assert.ok(r.history[5].loss < 0.7 * r.history[0].loss, `loss ${r.history.map((h) => h.loss.toFixed(3)).join(' ')}`);
  const pred = m.predictRatings(held.users, held.items);
  for (const v of pred) assert.ok(v >= 1 && v <= 5, `prediction ${v}`);
  const base = rmse(new Float32Array(held.length).fill(meanRating(train.ratings)), held.ratings);
  const got = evaluatePairRatings((u, i) => m.predictRatings(u, i), held);
  assert.ok(got.rmse < base - 0.03, `test RMSE ${got.rmse} vs global mean ${base}`);
  m.dispose();
  assert.is(memory().tensors, before, 'tensors leaked');
});

test('cold start: a new user scored from the profile alone gets the taste of their group', () => {
  const d = genderGenre();
  assert.ok(!d.users.includes(0) && !d.users.includes(1), 'users 0 and 1 must be new');
  const m = FeatureModel.forRatings(d, { embeddingDim: 8, hidden: 32, coldStartRate: 0.3, seed: 3 });
  trainRatings(m, d, { epochs: 15, batchSize: 64, lr: 1e-2, seed: 3 });
  const A = Int32Array.from({ length: 20 }, (_, i) => i), B = Int32Array.from({ length: 20 }, (_, i) => 20 + i);
  const avg = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  for (const coldUser of ['zero', 'mean'] as const) {
    const she = profileOf(d.userMeta!, 0), he = profileOf(d.userMeta!, 1);
    const fa = avg(m.scoreProfile(she, A, { coldUser })), fb = avg(m.scoreProfile(she, B, { coldUser }));
    const ma = avg(m.scoreProfile(he, A, { coldUser })), mb = avg(m.scoreProfile(he, B, { coldUser }));
    assert.ok(fa > fb + 1.5, `${coldUser}: woman A ${fa} vs B ${fb}`);
    assert.ok(mb > ma + 1.5, `${coldUser}: man A ${ma} vs B ${mb}`);
  }
  const s = m.scoreProfile({ gender: 'F' }, Int32Array.from({ length: 40 }, (_, i) => i));
  for (const v of s) assert.ok(v >= 1 && v <= 5);
  m.dispose();
});

test('a last batch of one row joins the previous one (batch norm needs two)', () => {
  const rows = selectRows(train, Int32Array.from({ length: 129 }, (_, k) => k));
  const m = FeatureModel.forRatings(rows, { embeddingDim: 4, hidden: 8, seed: 1 });
  const r = trainRatings(m, rows, { epochs: 2, batchSize: 64, seed: 1 });
  assert.ok(Number.isFinite(r.history[1].loss));
  m.dispose();
});

test('the same seed gives the same model (dropout and cold-start masks included); another seed another', () => {
  const run = (seed: number) => {
    const m = FeatureModel.forRatings(train, { embeddingDim: 8, hidden: 16, dropout: 0.3, coldStartRate: 0.2, seed });
    trainRatings(m, train, { epochs: 1, batchSize: 256, seed });
    const p = m.predictRatings(held.users, held.items);
    m.dispose();
    return p;
  };
  const a = run(5), b = run(5), c = run(6);
  assert.equal(Array.from(a), Array.from(b));
  assert.ok(a.some((v, k) => v !== c[k]));
});

test('metadata is required', () => {
  const bare = makeInteractions({ name: 'bare', users: Int32Array.from([0]), items: Int32Array.from([0]), userIds: IdMap.identity(1), itemIds: IdMap.identity(1) });
  assert.throws(() => FeatureModel.forRatings(bare), /lacks user metadata/);
});

test('ml-100k smoke: one epoch beats the global mean; a profile scores', () => {
  const dir = realData('ml-100k');
  if (!dir) return;
  const all = loadMl100k(dir);
  const { train: tr, test: te } = randomSplit(all, { testFraction: 0.1, seed: 7 });
  const m = FeatureModel.forRatings(tr, { seed: 1 });
  assert.is(m.layout.occupations.length, 21);
  assert.is(m.layout.genres.length, 19);
  trainRatings(m, tr, { epochs: 1, batchSize: 256, lr: 1e-3, seed: 1 });
  const got = evaluatePairRatings((u, i) => m.predictRatings(u, i), te);
  const base = rmse(new Float32Array(te.length).fill(meanRating(tr.ratings)), te.ratings);
  assert.ok(got.rmse < 1.02 && got.rmse < base - 0.1, `RMSE ${got.rmse} (global mean ${base})`);
  const s = m.scoreProfile({ age: 30, gender: 'F', occupation: 'engineer' }, Int32Array.from({ length: 100 }, (_, i) => i));
  for (const v of s) assert.ok(v >= 1 && v <= 5);
  m.dispose();
});

test.run();
