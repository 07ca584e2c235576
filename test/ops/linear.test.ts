import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, linear, matmul, tidy } from '../../src';
import { linearRef, matmulRef } from '../ref/linear';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(7);

// Sizes around the micro-kernel tile (6x16) and the cache blocks (KC 256, MC ≤ 120).
const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [5, 3, 17], [6, 16, 16], [7, 33, 15], [13, 257, 31], [64, 64, 32], [130, 300, 70], [256, 64, 32],
];

for (const [M, K, N] of shapes) {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    test(`matmul ${M}x${K}·${K}x${N} transA=${ta} transB=${tb} matches the float64 reference`, () => {
      const a = f32(rng.uniform(M * K)), b = f32(rng.uniform(K * N));
      tidy(() => {
        const A = Tensor.fromArray(a, ta ? [K, M] : [M, K]);
        const B = Tensor.fromArray(b, tb ? [N, K] : [K, N]);
        const y = matmul(A, B, { transA: ta, transB: tb });
        assert.equal(y.shape, [M, N]);
        assertClose(y.toArray(), matmulRef(a, b, M, N, K, ta, tb), { atol: 1e-5 * Math.sqrt(K), rtol: 1e-4 });
      });
    });
  }
  test(`linear ${M}x${K}->${N} (bias, ReLU) matches the reference`, () => {
    const x = f32(rng.uniform(M * K)), w = f32(rng.uniform(N * K)), b = f32(rng.uniform(N));
    tidy(() => {
      for (const relu of [false, true]) {
        const y = linear(Tensor.fromArray(x, [M, K]), Tensor.fromArray(w, [N, K]), Tensor.fromArray(b, [N]), { relu });
        assertClose(y.toArray(), linearRef(x, w, b, M, K, N, relu), { atol: 1e-5 * Math.sqrt(K), rtol: 1e-4, what: `relu=${relu}` });
      }
      const y = linear(Tensor.fromArray(x, [M, K]), Tensor.fromArray(w, [N, K]), null);
      assertClose(y.toArray(), linearRef(x, w, null, M, K, N, false), { atol: 1e-5 * Math.sqrt(K), rtol: 1e-4, what: 'no bias' });
    });
  });
}

test('linear with ReLU: gradients of x, W and b match finite differences', () => {
  const [M, K, N] = [5, 7, 9];
  // Inputs kept away from the ReLU kink: finite differences there are meaningless.
  const x = f32(rng.uniform(M * K)), w = f32(rng.uniform(N * K)), b = f32(rng.uniform(N, 0.2, 0.6));
  const pre = linearRef(x, w, b, M, K, N, false);
  for (let i = 0; i < pre.length; i++) if (Math.abs(pre[i]) < 0.05) b[i % N] += 0.1;
  gradcheck({
    inputs: [{ values: x, shape: [M, K] }, { values: w, shape: [N, K] }, { values: b, shape: [N] }],
    engine: ([X, W, B]) => linear(X, W, B, { relu: true }),
    ref: ([X, W, B]) => linearRef(X, W, B, M, K, N, true),
    what: 'linear_relu',
  });
});

for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  test(`matmul gradients transA=${ta} transB=${tb} match finite differences`, () => {
    const [M, K, N] = [4, 6, 5];
    const a = f32(rng.uniform(M * K)), b = f32(rng.uniform(K * N));
    gradcheck({
      inputs: [{ values: a, shape: ta ? [K, M] : [M, K] }, { values: b, shape: tb ? [N, K] : [K, N] }],
      engine: ([A, B]) => matmul(A, B, { transA: ta, transB: tb }),
      ref: ([A, B]) => matmulRef(A, B, M, N, K, ta, tb),
    });
  });
}

test('matmul and linear reject mismatched shapes with the op and shapes named', () => {
  tidy(() => {
    const a = Tensor.empty([3, 4]), b = Tensor.empty([5, 2]);
    assert.throws(() => matmul(a, b), /matmul: inner sizes differ: \[3,4\] · \[5,2\] \(4 vs 5\)/);
    assert.throws(() => linear(a, b, null), /linear: expected weight \[N,4\] for input \[3,4\] but got \[5,2\]/);
    assert.throws(() => linear(a, Tensor.empty([2, 4]), Tensor.empty([3])), /linear: expected bias \[2\]/);
    assert.throws(() => matmul(a, Tensor.empty([4, 2], 'int32')), /matmul: expected b to be float32/);
  });
});

test.run();
