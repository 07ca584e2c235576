/** Seed 000's rating classifier: expected-rating maths, training, determinism, ml-100k smoke. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, memory, tidy } from '../../src';
import { RatingClassifier, expectedRatings, ratingClasses } from '../../src/models/classifier';
import { trainRatings } from '../../src/train/ratings';
import { synthetic } from '../../src/data/synthetic';
import { randomSplit } from '../../src/data/split';
import { loadMl100k } from '../../src/data/movielens';
import { evaluatePairRatings, meanRating, rmse } from '../../src/eval/pairs_rating';
import { assertClose } from '../util/close';
import { realData } from '../data/helpers';

const data = synthetic({ nUsers: 120, nItems: 150, nRatings: 5000, seed: 3 });
const { train, test: held } = randomSplit(data, { testFraction: 0.2, seed: 1 });

test('expected rating by hand', () => {
  const values = [1, 2, 3, 4, 5];
  // Row 1: probabilities 1/8, 1/8, 1/8, 1/8, 4/8 → (1+2+3+4)/8 + 5·4/8 = 3.75.
  // Row 2: all equal → 3. Row 3: one huge logit (stable) → 2. Row 4: 1/2 on 1 and 1/2 on 5 → 3.
  const L4 = Math.log(4);
  const logits = [0, 0, 0, 0, L4, 7, 7, 7, 7, 7, -1000, 1000, 0, 0, 0, 50, -Infinity, -Infinity, -Infinity, 50];
  assertClose(expectedRatings(logits, values), [3.75, 3, 2, 3], { atol: 1e-6, what: 'expected ratings' });
  // Half-star scale, 10 classes: probabilities 0.1 each → mean of 0.5..5 = 2.75.
  assertClose(expectedRatings(new Array(10).fill(0.3), [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]), [2.75], { atol: 1e-6 });
  assert.throws(() => expectedRatings([1, 2, 3], values), /3 logits are not rows of 5 classes/);
});

test('rating classes and labels', () => {
  assert.equal(ratingClasses(Float32Array.from([5, 3, 1, 3, 4, 2])), [1, 2, 3, 4, 5]);
  const half = ratingClasses(Float32Array.from({ length: 10 }, (_, k) => (k + 1) / 2));
  assert.is(half.length, 10);
  const m = new RatingClassifier({ nUsers: 2, nItems: 2, classes: half, embeddingDim: 4, hidden: [8] });
  assert.equal(Array.from(m.labels([0.5, 5, 2.5])), [0, 9, 4]);
  assert.throws(() => m.labels([0.5, 0.75]), /rating 0.75 \(row 1\) is not one of the classes/);
  m.dispose();
  assert.throws(() => new RatingClassifier({ nUsers: 2, nItems: 2, classes: [3, 1] }), /ascending and distinct/);
  assert.throws(() => ratingClasses(Float32Array.from({ length: 30 }, (_, k) => k)), /more than 20 distinct/);
});

test('predictRatings is Σ p_c·r_c of the model\'s own logits; probabilities sum to 1', () => {
  const m = RatingClassifier.forRatings(train, { embeddingDim: 8, seed: 4 });
  assert.equal(m.classes, [1, 2, 3, 4, 5]);
  const users = held.users.subarray(0, 50), items = held.items.subarray(0, 50);
  const z = m.logits(users, items);
  assert.is(z.length, 50 * 5);
  // The logits of one batch equal forward() on it.
  tidy(() => {
    const y = m.eval().forward(Tensor.fromArray(users, [50], 'int32'), Tensor.fromArray(items, [50], 'int32'));
    assert.equal(y.shape, [50, 5]);
    assertClose(y.toFloat32Array(), z, { atol: 1e-6, what: 'logits' });
  });
  m.train();
  assertClose(m.predictRatings(users, items), expectedRatings(z, [1, 2, 3, 4, 5]), { atol: 1e-6 });
  const p = m.probabilities(users, items);
  for (let r = 0; r < 50; r++) {
    const row = p.subarray(r * 5, r * 5 + 5);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const e = row.reduce((a, v, c) => a + v * (c + 1), 0);
    assert.ok(Math.abs(e - m.predictRatings(users.subarray(r, r + 1), items.subarray(r, r + 1))[0]) < 1e-5);
  }
  assert.equal(Array.from(m.scorePairs(users, items)), Array.from(m.predictRatings(users, items)));
  m.dispose();
});

test('the cross-entropy falls, predictions stay in [1, 5] and beat the global mean', () => {
  const before = memory().tensors;
  const m = RatingClassifier.forRatings(train, { embeddingDim: 16, seed: 1 });
  const r = trainRatings(m, train, { epochs: 6, batchSize: 128, lr: 3e-3, seed: 2 });
  assert.ok(r.history[5].loss < 0.9 * r.history[0].loss, `loss ${r.history.map((h) => h.loss.toFixed(3)).join(' ')}`);
  const pred = m.predictRatings(held.users, held.items);
  for (const v of pred) assert.ok(v >= 1 && v <= 5, `prediction ${v}`);
  const base = rmse(new Float32Array(held.length).fill(meanRating(train.ratings)), held.ratings);
  const got = evaluatePairRatings((u, i) => m.predictRatings(u, i), held);
  assert.ok(got.rmse < base - 0.03, `test RMSE ${got.rmse} vs global mean ${base}`);
  const all = m.scoreAll(Int32Array.from([3]));
  assert.equal(all.shape, [1, 150]);
  assertClose(all.toFloat32Array(), m.scorePairs(new Int32Array(150).fill(3), Int32Array.from({ length: 150 }, (_, i) => i)), { atol: 1e-6 });
  all.dispose();
  m.dispose();
  assert.is(memory().tensors, before, 'tensors leaked');
});

test('the same seed gives the same model (dropout included); another seed another', () => {
  const run = (seed: number) => {
    const m = RatingClassifier.forRatings(train, { embeddingDim: 8, hidden: [32, 16], dropout: 0.2, seed });
    trainRatings(m, train, { epochs: 1, batchSize: 256, seed });
    const p = m.predictRatings(held.users, held.items);
    m.dispose();
    return p;
  };
  const a = run(5), b = run(5), c = run(6);
  assert.equal(Array.from(a), Array.from(b));
  assert.ok(a.some((v, k) => v !== c[k]));
});

test('ml-100k smoke: one epoch beats the global mean', () => {
  const dir = realData('ml-100k');
  if (!dir) return;
  const all = loadMl100k(dir);
  const { train: tr, test: te } = randomSplit(all, { testFraction: 0.1, seed: 7 });
  const m = RatingClassifier.forRatings(tr, { seed: 1 });
  trainRatings(m, tr, { epochs: 1, batchSize: 256, lr: 1e-3, seed: 1 });
  const got = evaluatePairRatings((u, i) => m.predictRatings(u, i), te);
  const base = rmse(new Float32Array(te.length).fill(meanRating(tr.ratings)), te.ratings);
  assert.ok(got.rmse < 1.02 && got.rmse < base - 0.1, `RMSE ${got.rmse} (global mean ${base})`);
  m.dispose();
});

test.run();
