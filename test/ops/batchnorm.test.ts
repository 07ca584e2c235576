import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, batchNorm1d, batchNormState, tidy } from '../../src';
import { batchNormEvalRef, batchNormTrainRef, runningUpdateRef } from '../ref/batchnorm';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(5);

// Row counts around the 64-row partial-sum blocks; feature counts not multiples of 8/16.
const shapes: [number, number][] = [[2, 1], [5, 3], [33, 17], [64, 8], [65, 9], [300, 70]];

for (const [M, N] of shapes) {
  test(`batchNorm1d training ${M}x${N}: output and running stats match the reference`, () => {
    // An offset mean and a spread scale per feature, as real activations have.
    const x = f32(Float64Array.from(rng.uniform(M * N), (v, i) => 3 + (1 + (i % N)) * v));
    const gamma = f32(rng.uniform(N, 0.5, 1.5)), beta = f32(rng.uniform(N));
    const rm0 = f32(rng.uniform(N)), rv0 = f32(rng.uniform(N, 0.5, 2));
    tidy(() => {
      const state = { runningMean: Tensor.fromArray(rm0, [N]), runningVar: Tensor.fromArray(rv0, [N]) };
      const y = batchNorm1d(Tensor.fromArray(x, [M, N]), Tensor.fromArray(gamma, [N]), Tensor.fromArray(beta, [N]), state, { training: true, momentum: 0.2, eps: 1e-3 });
      const ref = batchNormTrainRef(x, gamma, beta, M, N, 1e-3);
      assertClose(y.toArray(), ref.y, { atol: 1e-5, rtol: 1e-4, what: 'y' });
      const run = runningUpdateRef(rm0, rv0, ref, M, 0.2);
      assertClose(state.runningMean.toArray(), run.mean, { atol: 1e-5, rtol: 1e-5, what: 'running mean' });
      assertClose(state.runningVar.toArray(), run.variance, { atol: 1e-5, rtol: 1e-5, what: 'running var' });
    });
  });
}

test('batchNorm1d eval mode uses the running stats and leaves them alone', () => {
  const [M, N] = [7, 5];
  const x = f32(rng.uniform(M * N)), gamma = f32(rng.uniform(N)), beta = f32(rng.uniform(N));
  const rm = f32(rng.uniform(N)), rv = f32(rng.uniform(N, 0.5, 2));
  tidy(() => {
    const state = { runningMean: Tensor.fromArray(rm, [N]), runningVar: Tensor.fromArray(rv, [N]) };
    const y = batchNorm1d(Tensor.fromArray(x, [M, N]), Tensor.fromArray(gamma, [N]), Tensor.fromArray(beta, [N]), state, { training: false });
    assertClose(y.toArray(), batchNormEvalRef(x, gamma, beta, rm, rv, M, N, 1e-5), { atol: 1e-5, rtol: 1e-4 });
    assertClose(state.runningMean.toArray(), rm, { atol: 0, rtol: 0, what: 'running mean unchanged' });
    assertClose(state.runningVar.toArray(), rv, { atol: 0, rtol: 0, what: 'running var unchanged' });
  });
});

test('batchNorm1d without affine parameters or running stats; batchNormState starts at mean 0, var 1', () => {
  const [M, N] = [9, 4];
  const x = f32(rng.uniform(M * N));
  tidy(() => {
    const y = batchNorm1d(Tensor.fromArray(x, [M, N]), null, null, null, { training: true });
    assertClose(y.toArray(), batchNormTrainRef(x, null, null, M, N, 1e-5).y, { atol: 1e-5, rtol: 1e-4 });
    const st = batchNormState(N);
    assert.equal(Array.from(st.runningMean.toArray()), [0, 0, 0, 0]);
    assert.equal(Array.from(st.runningVar.toArray()), [1, 1, 1, 1]);
    st.runningMean.dispose();
    st.runningVar.dispose();
  });
});

for (const [M, N] of [[6, 5], [70, 3]] as [number, number][]) {
  test(`batchNorm1d training ${M}x${N}: gradients of x, gamma and beta match finite differences`, () => {
    const x = f32(rng.uniform(M * N)), gamma = f32(rng.uniform(N, 0.5, 1.5)), beta = f32(rng.uniform(N));
    gradcheck({
      inputs: [{ values: x, shape: [M, N] }, { values: gamma, shape: [N] }, { values: beta, shape: [N] }],
      engine: ([X, G, B]) => batchNorm1d(X, G, B, null, { training: true }),
      ref: ([X, G, B]) => batchNormTrainRef(X, G, B, M, N, 1e-5).y,
      what: 'batchNorm1d',
    });
  });
}

test('batchNorm1d eval: gradients of x, gamma and beta match finite differences', () => {
  const [M, N] = [5, 4];
  const x = f32(rng.uniform(M * N)), gamma = f32(rng.uniform(N)), beta = f32(rng.uniform(N));
  const rm = f32(rng.uniform(N)), rv = f32(rng.uniform(N, 0.5, 2));
  gradcheck({
    inputs: [{ values: x, shape: [M, N] }, { values: gamma, shape: [N] }, { values: beta, shape: [N] }],
    engine: ([X, G, B]) => batchNorm1d(X, G, B, { runningMean: Tensor.fromArray(rm, [N]), runningVar: Tensor.fromArray(rv, [N]) }, { training: false }),
    ref: ([X, G, B]) => batchNormEvalRef(X, G, B, rm, rv, M, N, 1e-5),
    what: 'batchNorm1d eval',
  });
});

test('batchNorm1d gradient of x alone (gamma and beta frozen)', () => {
  const [M, N] = [8, 3];
  const x = f32(rng.uniform(M * N)), gamma = f32(rng.uniform(N, 0.5, 1.5)), beta = f32(rng.uniform(N));
  gradcheck({
    inputs: [{ values: x, shape: [M, N] }, { values: gamma, shape: [N] }, { values: beta, shape: [N] }],
    wrt: [0],
    engine: ([X, G, B]) => batchNorm1d(X, G, B, null, { training: true }),
    ref: ([X, G, B]) => batchNormTrainRef(X, G, B, M, N, 1e-5).y,
  });
});

test('batchNorm1d rejects bad arguments with the op named', () => {
  tidy(() => {
    const x = Tensor.empty([4, 3]), g = Tensor.empty([3]);
    assert.throws(() => batchNorm1d(Tensor.empty([1, 3]), null, null, null, { training: true }), /batchNorm1d: training needs more than one row per feature but got x \[1,3\]/);
    assert.throws(() => batchNorm1d(x, Tensor.empty([4]), null, null, { training: true }), /batchNorm1d: expected gamma \[3\] \(the features of x \[4,3\]\) but got \[4\]/);
    assert.throws(() => batchNorm1d(x, g, Tensor.empty([3, 1]), null, { training: true }), /batchNorm1d: expected beta \[3\]/);
    assert.throws(() => batchNorm1d(x, g, null, null, { training: false }), /batchNorm1d: eval mode needs the running stats/);
    assert.throws(() => batchNorm1d(x, g, null, null, { training: true, momentum: 1.5 }), /batchNorm1d: expected momentum in \[0, 1\] but got 1.5/);
    assert.throws(() => batchNorm1d(x, g, null, null, { training: true, eps: -1 }), /batchNorm1d: expected eps >= 0 but got -1/);
    assert.throws(() => batchNorm1d(Tensor.empty([12]), null, null, null, { training: true }), /batchNorm1d: expected x of rank 2 but got \[12\]/);
    const st = { runningMean: Tensor.empty([2]), runningVar: Tensor.empty([3]) };
    assert.throws(() => batchNorm1d(x, null, null, st, { training: true }), /batchNorm1d: expected runningMean \[3\]/);
  });
});

test.run();
