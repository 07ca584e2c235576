/** MF (explicit and implicit) and the explicit-rating trainer. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, memory, tidy } from '../../src';
import { MF } from '../../src/models/mf';
import { trainRatings } from '../../src/train/ratings';
import { trainImplicit } from '../../src/train/implicit';
import { synthetic } from '../../src/data/synthetic';
import { randomSplit } from '../../src/data/split';
import { loadMl100k } from '../../src/data/movielens';
import { evaluatePairRatings, mae, meanRating, ratingMetrics, rmse } from '../../src/eval/pairs_rating';
import { assertClose } from '../util/close';
import { realData } from '../data/helpers';

const data = synthetic({ nUsers: 120, nItems: 150, nRatings: 5000, seed: 3 });
const { train, test: held } = randomSplit(data, { testFraction: 0.2, seed: 1 });

test('rmse and mae by hand', () => {
  assert.is(rmse([1, 2, 3], [1, 2, 3]), 0);
  assert.ok(Math.abs(rmse([1, 3], [2, 5]) - Math.sqrt((1 + 4) / 2)) < 1e-12);
  assert.ok(Math.abs(mae([1, 3, 4], [2, 5, 4]) - 1) < 1e-12);
  assert.equal(ratingMetrics([2], [4]), { rmse: 2, mae: 2, count: 1 });
  assert.throws(() => rmse([1], [1, 2]), /1 predictions but 2 ratings/);
});

test('forward is μ + b_u + b_i + p_u·q_i', () => {
  const m = new MF({ nUsers: 5, nItems: 7, factors: 4, globalMean: 3.5, seed: 9 });
  tidy(() => {
    m.userBias.weight.handle.upload(Float32Array.from([0.1, -0.2, 0.3, 0, 0.5]));
    m.itemBias.weight.handle.upload(Float32Array.from([1, 2, 3, 4, 5, 6, 7]).map((v) => v / 10));
  });
  const P = m.userFactors.weight.toFloat32Array(), Q = m.itemFactors.weight.toFloat32Array();
  const bu = m.userBias.weight.toFloat32Array(), bi = m.itemBias.weight.toFloat32Array();
  const users = Int32Array.from([0, 4, 2, 2]), items = Int32Array.from([6, 0, 3, 3]);
  const want = Array.from(users, (u, k) => {
    const i = items[k];
    let s = 3.5 + bu[u] + bi[i];
    for (let f = 0; f < 4; f++) s += P[u * 4 + f] * Q[i * 4 + f];
    return s;
  });
  assertClose(m.scorePairs(users, items), want, { atol: 1e-6, what: 'scores' });
  const all = m.scoreAll(Int32Array.from([2, 0]));
  assert.equal(all.shape, [2, 7]);
  assertClose(all.toFloat32Array().subarray(3, 4), [want[2]], { atol: 1e-6, what: 'scoreAll' });
  all.dispose();
  m.dispose();
});

test('explicit MF: the loss falls, predictions stay in range and beat the global mean', () => {
  const before = memory().tensors;
  const m = MF.forRatings(train, { factors: 16, seed: 1 });
  assert.equal(m.range, [1, 5]);
  assert.ok(Math.abs(m.globalMean - meanRating(train.ratings)) < 1e-9);
  const r = trainRatings(m, train, { epochs: 8, batchSize: 128, lr: 5e-3, seed: 2 });
  assert.is(r.history.length, 8);
  assert.ok(r.history[7].loss < 0.8 * r.history[0].loss, `loss ${r.history.map((h) => h.loss.toFixed(3)).join(' ')}`);
  const pred = m.predictRatings(held.users, held.items);
  for (const p of pred) assert.ok(p >= 1 && p <= 5, `prediction ${p}`);
  const mu = meanRating(train.ratings);
  const base = rmse(new Float32Array(held.length).fill(mu), held.ratings);
  const got = evaluatePairRatings((u, i) => m.predictRatings(u, i), held);
  assert.ok(got.rmse < base - 0.05, `test RMSE ${got.rmse} vs global mean ${base}`);
  // scoreAll (one matmul) agrees with scorePairs.
  const users = Int32Array.from([0, 5, 119]);
  const all = m.scoreAll(users);
  const pairs = m.scorePairs(Int32Array.from({ length: 3 * 150 }, (_, k) => users[Math.floor(k / 150)]), Int32Array.from({ length: 3 * 150 }, (_, k) => k % 150));
  assertClose(all.toFloat32Array(), pairs, { atol: 1e-5, what: 'scoreAll vs scorePairs' });
  all.dispose();
  m.dispose();
  assert.is(memory().tensors, before, 'tensors leaked');
});

test('the same seed gives the same model; another seed another', () => {
  const run = (seed: number) => {
    const m = MF.forRatings(train, { factors: 8, seed });
    trainRatings(m, train, { epochs: 2, batchSize: 256, lr: 5e-3, seed });
    const p = m.predictRatings(held.users, held.items);
    m.dispose();
    return p;
  };
  const a = run(5), b = run(5), c = run(6);
  assert.equal(Array.from(a), Array.from(b));
  assert.ok(a.some((v, k) => v !== c[k]));
});

test('validation picks the best epoch, restores its weights and stops early', () => {
  const { train: tr, test: valid } = randomSplit(train, { testFraction: 0.1, seed: 4 });
  // A large learning rate and no L2 overfit quickly, so validation RMSE turns up.
  const m = MF.forRatings(tr, { factors: 32, l2: 0, seed: 3 });
  const seen: number[] = [];
  const r = trainRatings(m, tr, { epochs: 30, batchSize: 64, lr: 0.02, seed: 3, valid, patience: 2, onEpoch: (e) => seen.push(e.epoch) });
  assert.ok(r.history.length < 30, 'early stopping never triggered');
  assert.equal(seen, r.history.map((h) => h.epoch));
  assert.is(r.history.length, r.bestEpoch + 2);
  const best = Math.min(...r.history.map((h) => h.valid!.rmse));
  assert.is(r.bestValid!.rmse, best);
  const now = evaluatePairRatings((u, i) => m.predictRatings(u, i), valid);
  assert.ok(Math.abs(now.rmse - best) < 1e-6, `restored RMSE ${now.rmse} vs best ${best}`);
  m.dispose();
});

test('trainRatings checks its inputs', () => {
  const m = new MF({ nUsers: 3, nItems: 3, factors: 2 });
  const t = { users: Int32Array.from([0, 1]), items: Int32Array.from([0, 1]), ratings: Float32Array.from([1, 2]) };
  assert.throws(() => trainRatings(m, t, { epochs: 0 }), /epochs must be a positive integer/);
  assert.throws(() => trainRatings(m, { ...t, ratings: Float32Array.from([1]) }, { epochs: 1 }), /columns differ/);
  assert.throws(() => trainRatings(m, t, { epochs: 1, optimizer: 'rmsprop' as 'adam' }), /optimizer must be/);
  m.dispose();
});

test('implicit MF trains under trainImplicit (a PairModel) and returns logits', () => {
  const m = new MF({ nUsers: train.nUsers, nItems: train.nItems, factors: 16, objective: 'implicit', seed: 2 });
  tidy(() => {
    const y = m.forward(Tensor.fromArray([0, 1, 2], [3], 'int32'), Tensor.fromArray([3, 4, 5], [3], 'int32'));
    assert.equal(y.shape, [3, 1]);
  });
  const r = trainImplicit(m, train, { epochs: 3, batchSize: 256, lr: 5e-3, negatives: 2, seed: 1 });
  assert.ok(r.history[2].loss < r.history[0].loss, `loss ${r.history.map((h) => h.loss.toFixed(3)).join(' ')}`);
  // Observed pairs now score above random ones on average.
  const pos = m.scorePairs(train.users, train.items);
  const rnd = m.scorePairs(train.users, Int32Array.from(train.items, (_, k) => (k * 7919) % train.nItems));
  const avg = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(avg(pos) > avg(rnd) + 0.1, `positives ${avg(pos)} vs random ${avg(rnd)}`);
  assert.throws(() => m.predictRatings(train.users, train.items), /implicit one scores logits/);
  m.dispose();
});

test('ml-100k smoke: MF beats the global mean after 3 epochs', () => {
  const dir = realData('ml-100k');
  if (!dir) return;
  const all = loadMl100k(dir);
  const { train: tr, test: te } = randomSplit(all, { testFraction: 0.1, seed: 7 });
  const m = MF.forRatings(tr, { factors: 32, seed: 1 });
  trainRatings(m, tr, { epochs: 3, batchSize: 512, lr: 5e-3, seed: 1 });
  const got = evaluatePairRatings((u, i) => m.predictRatings(u, i), te);
  const base = rmse(new Float32Array(te.length).fill(meanRating(tr.ratings)), te.ratings);
  assert.ok(got.rmse < 0.99 && got.rmse < base - 0.1, `RMSE ${got.rmse} (global mean ${base})`);
  m.dispose();
});

test.run();
