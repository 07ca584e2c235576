import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tensor, add, bceWithLogits, capabilities, gaussianKl, maskedMseLoss, mseLoss, mulScalar, multinomialNll, noGrad,
  setNumThreads, softmaxCrossEntropy, tidy, type DType,
} from '../../src';
import * as ref from '../ref/losses';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(11);

interface Input {
  values: ArrayLike<number>;
  shape: number[];
  dtype?: DType;
  grad?: boolean;
}

/** The loss value, and the gradients of the inputs marked `grad` from backward() with gy = 1. */
function evalLoss(inputs: Input[], f: (ts: Tensor[]) => Tensor): { value: number; grads: Float32Array[] } {
  return tidy(() => {
    const ts = inputs.map((x) => Tensor.fromArray(x.values, x.shape, x.dtype ?? 'float32').requireGrad(!!x.grad));
    const loss = f(ts);
    assert.equal(loss.shape, []);
    const value = loss.item();
    if (loss.requiresGrad) loss.backward();
    const grads = ts.filter((_, i) => inputs[i].grad).map((t) => t.grad!.toFloat32Array());
    ts.forEach((t) => t.dispose());
    return { value, grads };
  });
}

/** Loss values are one float32 rounding of a double sum: close in relative terms. */
function assertLoss(got: number, want: number, what: string): void {
  assertClose([got], [want], { atol: 1e-6, rtol: 1e-5, what });
}

/** n values of which about `frac` are 1, the rest 0. */
function clicks(n: number, frac: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.next() < frac ? 1 : 0));
}

for (const n of [1, 13, 4099, 1000003]) {
  test(`bce_logits n=${n}: loss and gradient match the reference`, () => {
    const z = f32(rng.uniform(n, -4, 4)), y = f32(rng.uniform(n, 0, 1));
    const { value, grads } = evalLoss([{ values: z, shape: [n], grad: true }, { values: y, shape: [n] }], ([Z, Y]) => bceWithLogits(Z, Y));
    assertLoss(value, ref.bceLogitsRef(z, y), 'loss');
    assertClose(grads[0], ref.bceLogitsGradRef(z, y), { atol: 1e-6 / n, rtol: 1e-4, what: 'grad' });
  });
}

test('bce_logits stays finite and exact at extreme logits (±80, ±30)', () => {
  const zs = [80, -80, 30, -30, 0, 1e-3, -1e-3, 17];
  const z: number[] = [], y: number[] = [];
  for (const zi of zs) for (const yi of [0, 1, 0.5, 0.3]) z.push(zi), y.push(yi);
  const { value, grads } = evalLoss([{ values: z, shape: [4, 8], grad: true }, { values: y, shape: [4, 8] }], ([Z, Y]) => bceWithLogits(Z, Y));
  assert.ok(Number.isFinite(value) && grads[0].every(Number.isFinite), 'finite');
  assertLoss(value, ref.bceLogitsRef(z, y), 'loss');
  assertClose(grads[0], ref.bceLogitsGradRef(z, y), { atol: 1e-8, rtol: 1e-5, what: 'grad' });
});

for (const n of [1, 13, 4099, 100003]) {
  test(`mse n=${n}: loss and gradient match the reference`, () => {
    const p = f32(rng.uniform(n, -3, 3)), t = f32(rng.uniform(n, -3, 3));
    const { value, grads } = evalLoss([{ values: p, shape: [n], grad: true }, { values: t, shape: [n] }], ([P, T]) => mseLoss(P, T));
    assertLoss(value, ref.mseRef(p, t), 'loss');
    assertClose(grads[0], ref.mseGradRef(p, t), { atol: 1e-7 / n, rtol: 1e-5, what: 'grad' });
  });
}

for (const [R, C, frac] of [[1, 1, 1], [3, 7, 0.5], [7, 13, 0.2], [256, 6040, 0.05]] as const) {
  test(`masked_mse ${R}x${C} with ${frac * 100}% observed: loss and gradient match the reference`, () => {
    const n = R * C;
    const p = f32(rng.uniform(n, 1, 5)), t = f32(rng.ints(n, 5).map((v) => v + 1)), m = clicks(n, frac);
    if (n === 1) m[0] = 1;
    const ins = [{ values: p, shape: [R, C], grad: true }, { values: t, shape: [R, C] }, { values: m, shape: [R, C] }];
    const { value, grads } = evalLoss(ins, ([P, T, M]) => maskedMseLoss(P, T, M));
    assertLoss(value, ref.maskedMseRef(p, t, m), 'loss');
    assertClose(grads[0], ref.maskedMseGradRef(p, t, m), { atol: 1e-7 / n, rtol: 1e-5, what: 'grad' });
  });
}

test('masked_mse: weighted masks, NaN targets where unobserved, and nothing observed (loss 0, gradient 0)', () => {
  const n = 23;
  const p = f32(rng.uniform(n)), t = f32(rng.uniform(n)), m = Float64Array.from({ length: n }, (_, i) => [0, 0.5, 2][i % 3]);
  const tNaN = Float64Array.from(t, (v, i) => (m[i] === 0 ? NaN : v));
  const run = (tv: ArrayLike<number>, mv: ArrayLike<number>) =>
    evalLoss([{ values: p, shape: [n], grad: true }, { values: tv, shape: [n] }, { values: mv, shape: [n] }], ([P, T, M]) => maskedMseLoss(P, T, M));
  const w = run(tNaN, m);
  assertLoss(w.value, ref.maskedMseRef(p, t, m), 'weighted loss');
  assertClose(w.grads[0], ref.maskedMseGradRef(p, t, m), { atol: 1e-8, rtol: 1e-5, what: 'weighted grad' });
  const none = run(tNaN, new Float64Array(n));
  assert.is(none.value, 0);
  assert.ok(none.grads[0].every((g) => g === 0), 'zero gradient');
});

for (const [N, C] of [[1, 1], [1, 5], [3, 7], [33, 129], [2, 20000], [64, 3706]]) {
  test(`softmax_ce ${N}x${C}: loss and gradient match the reference`, () => {
    const z = f32(rng.normal(N * C, 2)), labels = rng.ints(N, C);
    const ins: Input[] = [{ values: z, shape: [N, C], grad: true }, { values: labels, shape: [N], dtype: 'int32' }];
    const { value, grads } = evalLoss(ins, ([Z, L]) => softmaxCrossEntropy(Z, L));
    assertLoss(value, ref.softmaxCeRef(z, labels, N, C), 'loss');
    assertClose(grads[0], ref.softmaxCeGradRef(z, labels, N, C), { atol: 1e-7 / N, rtol: 1e-4, what: 'grad' });
  });
}

test('softmax_ce stays finite and exact at extreme logits (±80)', () => {
  const [N, C] = [4, 6];
  const z = Float64Array.from({ length: N * C }, (_, i) => [80, -80, 0, 80, -80, 3][(i * 5 + Math.floor(i / C)) % 6]);
  const labels = Int32Array.from([0, 1, 2, 5]);
  const ins: Input[] = [{ values: z, shape: [N, C], grad: true }, { values: labels, shape: [N], dtype: 'int32' }];
  const { value, grads } = evalLoss(ins, ([Z, L]) => softmaxCrossEntropy(Z, L));
  assert.ok(Number.isFinite(value) && grads[0].every(Number.isFinite), 'finite');
  assertLoss(value, ref.softmaxCeRef(z, labels, N, C), 'loss');
  assertClose(grads[0], ref.softmaxCeGradRef(z, labels, N, C), { atol: 1e-8, rtol: 1e-5, what: 'grad' });
});

for (const [N, C] of [[1, 1], [3, 7], [17, 1001], [2, 20001]]) {
  test(`multinomial_nll ${N}x${C}: loss and gradient match the reference (click and count targets)`, () => {
    const z = f32(rng.normal(N * C, 2));
    for (const x of [clicks(N * C, 0.1), Float64Array.from(rng.ints(N * C, 4))]) {
      const ins = [{ values: z, shape: [N, C], grad: true }, { values: x, shape: [N, C] }];
      const { value, grads } = evalLoss(ins, ([Z, X]) => multinomialNll(Z, X));
      assertLoss(value, ref.multinomialNllRef(z, x, N, C), 'loss');
      // softmax·Σx - x cancels: float32 keeps it to a few ulps of the largest term, not of the result.
      const g = ref.multinomialNllGradRef(z, x, N, C);
      assertClose(grads[0], g, { atol: 1e-6 * g.reduce((m, v) => Math.max(m, Math.abs(v)), 0), rtol: 1e-4, what: 'grad' });
    }
  });
}

test('multinomial_nll stays finite and exact at extreme logits (±80); rows without clicks add nothing', () => {
  const [N, C] = [3, 5];
  const z = Float64Array.from({ length: N * C }, (_, i) => [80, -80, 0, 79, -80][(i + Math.floor(i / C)) % 5]);
  const x = Float64Array.from([1, 0, 1, 2, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
  const { value, grads } = evalLoss([{ values: z, shape: [N, C], grad: true }, { values: x, shape: [N, C] }], ([Z, X]) => multinomialNll(Z, X));
  assert.ok(Number.isFinite(value) && grads[0].every(Number.isFinite), 'finite');
  assertLoss(value, ref.multinomialNllRef(z, x, N, C), 'loss');
  assertClose(grads[0], ref.multinomialNllGradRef(z, x, N, C), { atol: 1e-8, rtol: 1e-5, what: 'grad' });
  assert.ok(grads[0].slice(2 * C).every((g) => g === 0), 'no gradient on a row without clicks');
});

for (const [N, D, lvScale] of [[1, 1, 1], [3, 7, 1], [256, 200, 1], [5, 9, 1e-4]]) {
  test(`gaussian_kl ${N}x${D} (logvar scale ${lvScale}): loss and gradients match the reference`, () => {
    const mu = f32(rng.normal(N * D)), lv = f32(rng.uniform(N * D, -3 * lvScale, lvScale));
    const ins = [{ values: mu, shape: [N, D], grad: true }, { values: lv, shape: [N, D], grad: true }];
    const { value, grads } = evalLoss(ins, ([M, L]) => gaussianKl(M, L));
    const [dmu, dlv] = ref.gaussianKlGradRef(mu, lv, N);
    assertLoss(value, ref.gaussianKlRef(mu, lv, N), 'loss');
    assertClose(grads[0], dmu, { atol: 1e-8, rtol: 1e-5, what: 'dmu' });
    assertClose(grads[1], dlv, { atol: 1e-8, rtol: 1e-5, what: 'dlogvar' });
  });
}

test('loss gradients match finite differences', () => {
  const tight = { atol: 1e-6, rtol: 1e-4 };
  for (const n of [1, 13]) {
    const z = f32(rng.uniform(n, -3, 3)), y = f32(rng.uniform(n, 0, 1));
    gradcheck({ ...tight, inputs: [{ values: z, shape: [n] }, { values: y, shape: [n] }], wrt: [0],
      engine: ([Z, Y]) => bceWithLogits(Z, Y), ref: ([Z, Y]) => [ref.bceLogitsRef(Z, Y)], what: `bce_logits n=${n}` });
    gradcheck({ ...tight, inputs: [{ values: z, shape: [n] }, { values: y, shape: [n] }], wrt: [0],
      engine: ([P, T]) => mseLoss(P, T), ref: ([P, T]) => [ref.mseRef(P, T)], what: `mse n=${n}` });
  }
  const m = Float64Array.from({ length: 21 }, (_, i) => [0, 1, 0.5, 0, 2][i % 5]);
  gradcheck({ ...tight, inputs: [{ values: f32(rng.uniform(21)), shape: [3, 7] }, { values: f32(rng.uniform(21)), shape: [3, 7] }, { values: m, shape: [3, 7] }],
    wrt: [0], engine: ([P, T, M]) => maskedMseLoss(P, T, M), ref: ([P, T, M]) => [ref.maskedMseRef(P, T, M)], what: 'masked_mse' });
  for (const [N, C] of [[1, 5], [3, 7]]) {
    const labels = rng.ints(N, C), x = Float64Array.from(rng.ints(N * C, 3));
    gradcheck({ ...tight, inputs: [{ values: f32(rng.normal(N * C)), shape: [N, C] }],
      engine: ([Z]) => softmaxCrossEntropy(Z, Tensor.fromArray(labels, [N], 'int32')),
      ref: ([Z]) => [ref.softmaxCeRef(Z, labels, N, C)], what: `softmax_ce ${N}x${C}` });
    gradcheck({ ...tight, inputs: [{ values: f32(rng.normal(N * C)), shape: [N, C] }, { values: x, shape: [N, C] }], wrt: [0],
      engine: ([Z, X]) => multinomialNll(Z, X), ref: ([Z, X]) => [ref.multinomialNllRef(Z, X, N, C)], what: `multinomial_nll ${N}x${C}` });
  }
  gradcheck({ ...tight, inputs: [{ values: f32(rng.normal(21)), shape: [3, 7] }, { values: f32(rng.uniform(21, -2, 1)), shape: [3, 7] }],
    engine: ([M, L]) => gaussianKl(M, L), ref: ([M, L]) => [ref.gaussianKlRef(M, L, 3)], what: 'gaussian_kl' });
});

test('losses scale their saved gradient by the upstream gradient (Mult-VAE: nll + 0.2·KL)', () => {
  const [N, C, D] = [3, 11, 4];
  const x = clicks(N * C, 0.3);
  gradcheck({
    atol: 1e-6, rtol: 1e-4,
    inputs: [{ values: f32(rng.normal(N * C)), shape: [N, C] }, { values: f32(rng.normal(N * D)), shape: [N, D] }, { values: f32(rng.uniform(N * D, -1, 1)), shape: [N, D] }],
    engine: ([Z, M, L]) => add(multinomialNll(Z, Tensor.fromArray(x, [N, C])), mulScalar(gaussianKl(M, L), 0.2)),
    ref: ([Z, M, L]) => [ref.multinomialNllRef(Z, x, N, C) + 0.2 * ref.gaussianKlRef(M, L, N)],
  });
});

/** Every loss on large inputs (several blocks of partial sums): values and gradients. */
function allLosses(): Float32Array[] {
  const r = new Rng(5);
  const n = 1000003, [N, C] = [2, 20000], [R, I] = [256, 6040], [B, D] = [256, 200];
  const z = r.uniform(n, -4, 4), y = r.uniform(n, 0, 1);
  const lz = r.normal(N * C, 2), labels = r.ints(N, C);
  const p = r.uniform(R * I, 1, 5), t = r.uniform(R * I, 1, 5), m = Float64Array.from({ length: R * I }, () => (r.next() < 0.05 ? 1 : 0));
  const mu = r.normal(B * D), lv = r.uniform(B * D, -3, 1);
  const out: Float32Array[] = [];
  const push = (res: { value: number; grads: Float32Array[] }) => out.push(Float32Array.of(res.value), ...res.grads);
  push(evalLoss([{ values: z, shape: [n], grad: true }, { values: y, shape: [n] }], ([Z, Y]) => bceWithLogits(Z, Y)));
  push(evalLoss([{ values: z, shape: [n], grad: true }, { values: y, shape: [n] }], ([P, T]) => mseLoss(P, T)));
  push(evalLoss([{ values: p, shape: [R, I], grad: true }, { values: t, shape: [R, I] }, { values: m, shape: [R, I] }], ([P, T, M]) => maskedMseLoss(P, T, M)));
  push(evalLoss([{ values: lz, shape: [N, C], grad: true }, { values: labels, shape: [N], dtype: 'int32' }], ([Z, L]) => softmaxCrossEntropy(Z, L)));
  push(evalLoss([{ values: p, shape: [R, I], grad: true }, { values: m, shape: [R, I] }], ([Z, X]) => multinomialNll(Z, X)));
  push(evalLoss([{ values: mu, shape: [B, D], grad: true }, { values: lv, shape: [B, D], grad: true }], ([M, L]) => gaussianKl(M, L)));
  return out;
}

function sameBits(a: Float32Array[], b: Float32Array[], what: string): void {
  assert.is(a.length, b.length);
  a.forEach((x, i) => assert.ok(Buffer.compare(Buffer.from(x.buffer), Buffer.from(b[i].buffer)) === 0, `${what}: result ${i} differs`));
}

test('losses are bit-for-bit deterministic: across calls and across thread counts', () => {
  const first = allLosses();
  sameBits(first, allLosses(), 'second call');
  const threads = capabilities().threads;
  try {
    setNumThreads(1);
    sameBits(first, allLosses(), 'one thread');
  } finally {
    setNumThreads(threads);
  }
});

test('the saved gradient is freed at once when no backward can run, else with its scope', () => {
  const z = Tensor.fromArray(f32(rng.uniform(10)), [2, 5]), y = Tensor.fromArray(f32(rng.uniform(10, 0, 1)), [2, 5]);
  const base = Tensor.liveCount();
  const l1 = bceWithLogits(z, y); // nothing requires grad
  assert.is(Tensor.liveCount(), base + 1);
  z.requireGrad();
  const l2 = noGrad(() => gaussianKl(z, y));
  assert.is(Tensor.liveCount(), base + 2);
  tidy(() => {
    bceWithLogits(z, y);
    assert.is(Tensor.liveCount(), base + 4, 'loss and saved gradient');
  });
  assert.is(Tensor.liveCount(), base + 2);
  tidy(() => bceWithLogits(z, y).backward());
  assert.is(Tensor.liveCount(), base + 3, 'only z.grad is left');
  [l1, l2, z, y].forEach((t) => t.dispose());
  assert.is(Tensor.liveCount(), base - 2);
});

test('losses reject mismatched shapes and dtypes with the op named', () => {
  tidy(() => {
    const a = Tensor.empty([4, 5]), b = Tensor.empty([4, 6]), ai = Tensor.empty([4, 5], 'int32');
    assert.throws(() => bceWithLogits(a, b), /^bce_logits: expected targets of shape \[4,5\] \(the shape of logits\) but got \[4,6\]$/);
    assert.throws(() => bceWithLogits(ai, a), /bce_logits: expected logits to be float32 but got \[4,5\] int32/);
    assert.throws(() => mseLoss(a, b), /mse: expected target of shape \[4,5\] \(the shape of pred\) but got \[4,6\]/);
    assert.throws(() => mseLoss(a, Tensor.empty([20])), /mse: expected target of shape \[4,5\] \(the shape of pred\) but got \[20\]/);
    assert.throws(() => maskedMseLoss(a, b, a), /masked_mse: expected target of shape \[4,5\] \(the shape of pred\) but got \[4,6\]/);
    assert.throws(() => maskedMseLoss(a, a, b), /masked_mse: expected mask of shape \[4,5\] \(the shape of pred\) but got \[4,6\]/);
    assert.throws(() => maskedMseLoss(a, a, ai), /masked_mse: expected mask to be float32 but got \[4,5\] int32/);
    const z = Tensor.empty([256, 3706]);
    assert.throws(() => softmaxCrossEntropy(z, Tensor.empty([255], 'int32')), /^softmax_ce: expected labels of length 256 \(rows of logits \[256,3706\]\) but got \[255\]$/);
    assert.throws(() => softmaxCrossEntropy(z, Tensor.empty([256, 1], 'int32')), /softmax_ce: expected labels of length 256 \(rows of logits \[256,3706\]\) but got \[256,1\]/);
    assert.throws(() => softmaxCrossEntropy(z, Tensor.empty([256])), /softmax_ce: expected labels to be int32 but got \[256\] float32/);
    assert.throws(() => softmaxCrossEntropy(Tensor.empty([5]), Tensor.empty([5], 'int32')), /softmax_ce: expected logits of rank 2 but got \[5\]/);
    assert.throws(() => multinomialNll(a, b), /multinomial_nll: expected targets of shape \[4,5\] \(the shape of logits\) but got \[4,6\]/);
    assert.throws(() => multinomialNll(Tensor.empty([2, 2, 2]), Tensor.empty([2, 2, 2])), /multinomial_nll: expected logits of rank 2 but got \[2,2,2\]/);
    assert.throws(() => gaussianKl(a, b), /gaussian_kl: expected logvar of shape \[4,5\] \(the shape of mu\) but got \[4,6\]/);
    assert.throws(() => gaussianKl(a, ai), /gaussian_kl: expected logvar to be float32 but got \[4,5\] int32/);
    const gone = Tensor.empty([4, 5]);
    gone.dispose();
    assert.throws(() => mseLoss(a, gone), /mse: tensor \[4,5\] float32 was disposed/);
  });
});

test('softmax_ce: a label outside [0,C) throws naming the row and value, and leaks nothing', () => {
  const z = Tensor.fromArray(f32(rng.uniform(21)), [3, 7]);
  const base = Tensor.liveCount();
  for (const [labels, msg] of [
    [[0, 3, 7], /^softmax_ce_fwd: label 7 at row 2 is out of range for 7 classes$/],
    [[-1, 0, 0], /softmax_ce_fwd: label -1 at row 0 is out of range for 7 classes/],
  ] as const) {
    const l = Tensor.fromArray(labels, [3], 'int32');
    assert.throws(() => softmaxCrossEntropy(z, l), msg);
    l.dispose();
  }
  assert.is(Tensor.liveCount(), base);
  z.dispose();
});

test.run();
