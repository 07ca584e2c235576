/**
 * The vector transcendentals (native/vmath.h) through the public unary ops: dense sweeps
 * against float64 Math with the worst error reported and bounded, IEEE special values,
 * lengths that are not multiples of 8 (the masked tail), and results that do not depend on an
 * element's position or on the thread count.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as nr from '../../src';
import { Tensor, capabilities, setNumThreads, tidy } from '../../src';
import { Rng } from '../util/rand';
import { assertClose } from '../util/close';

type Op = 'exp' | 'log' | 'sigmoid' | 'tanh' | 'softplus';
const ops: Op[] = ['exp', 'log', 'sigmoid', 'tanh', 'softplus'];

const ref: Record<Op, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
};

const FLT_MIN = 2 ** -126;
// Relative error bound for every op: a few float32 ulp (one ulp is at most 1.19e-7 relative).
const REL = 4e-7;
// Absolute bound where the result is at most 1 in magnitude (sigmoid, tanh): 2 ulp of 1.
const ABS = 2 ** -23;

const rng = new Rng(23);

function apply(op: Op, x: ArrayLike<number>): Float32Array {
  return tidy(() => nr[op](Tensor.fromArray(x, [x.length])).toFloat32Array());
}

interface Errors {
  rel: number;
  relAt: number;
  abs: number;
  bad: string[];
}

/**
 * The worst errors of y = op(x) against float64: relative with |reference| floored at FLT_MIN
 * (a subnormal result is judged by its absolute error, in units of FLT_MIN), and absolute. Where
 * the reference rounds to ±inf or is NaN, y must be exactly that.
 */
function errors(op: Op, x: Float32Array, y: Float32Array): Errors {
  const e: Errors = { rel: 0, relAt: NaN, abs: 0, bad: [] };
  for (let i = 0; i < x.length; i++) {
    const r = ref[op](x[i]), r32 = Math.fround(r);
    if (!Number.isFinite(r32)) {
      if (!Object.is(y[i], r32) && !(Number.isNaN(r32) && Number.isNaN(y[i])))
        if (e.bad.length < 5) e.bad.push(`${op}(${x[i]}) = ${y[i]}, expected ${r32}`);
      continue;
    }
    const d = Math.abs(y[i] - r);
    const rel = d / Math.max(Math.abs(r), FLT_MIN);
    if (!(rel <= e.rel)) {
      e.rel = rel;
      e.relAt = x[i];
    }
    if (d > e.abs) e.abs = d;
  }
  return e;
}

function linspace(n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** 10^lo .. 10^hi, n values evenly spaced in the exponent, with both signs if `signed`. */
function logspace(n: number, lo: number, hi: number, signed: boolean): Float32Array {
  const a = Float32Array.from({ length: n }, (_, i) => 10 ** (lo + ((hi - lo) * i) / (n - 1)));
  return signed ? Float32Array.from([...a, ...a.map((v) => -v)]) : a;
}

/** The sweep for each op: 1e6 values across its range, plus small magnitudes near 0 or 1. */
function sweep(op: Op): Float32Array {
  if (op === 'log') {
    const near1 = Float32Array.from({ length: 4001 }, (_, i) => 1 + (i - 2000) * 2 ** -24);
    return Float32Array.from([...logspace(1_000_000, -45, 30, false), ...near1, 1e30]);
  }
  return Float32Array.from([...linspace(1_000_000, -90, 90), ...logspace(20_000, -40, 1, true)]);
}

const path = capabilities().avx2Fma ? 'AVX2+FMA' : 'scalar libm';

for (const op of ops) {
  test(`${op}: max error over a dense sweep is within a few float32 ulp (${path})`, () => {
    const x = sweep(op);
    const y = apply(op, x);
    const e = errors(op, x, y);
    const abs = op === 'sigmoid' || op === 'tanh' ? `, max abs err ${e.abs.toExponential(2)}` : '';
    console.log(`    vmath ${op.padEnd(8)} ${x.length} values: max rel err ${e.rel.toExponential(2)} (x = ${e.relAt})${abs}`);
    assert.equal(e.bad, [], 'overflow / NaN results');
    assert.ok(e.rel <= REL, `${op}: relative error ${e.rel} at x = ${e.relAt} exceeds ${REL}`);
    if (op === 'sigmoid' || op === 'tanh') assert.ok(e.abs <= ABS, `${op}: absolute error ${e.abs} exceeds ${ABS}`);
  });
}

test('special values: infinities, NaN, zeros, overflow, underflow, saturation', () => {
  const cases: Record<Op, [number, number][]> = {
    exp: [[-Infinity, 0], [Infinity, Infinity], [NaN, NaN], [0, 1], [-0, 1], [88.8, Infinity], [89, Infinity], [1000, Infinity],
      [-104, 0], [-1000, 0]],
    log: [[0, -Infinity], [-0, -Infinity], [-1, NaN], [-Infinity, NaN], [-1e-45, NaN], [Infinity, Infinity], [NaN, NaN], [1, 0]],
    sigmoid: [[-Infinity, 0], [Infinity, 1], [NaN, NaN], [0, 0.5], [-0, 0.5], [20, 1], [100, 1], [1e30, 1], [-200, 0], [-1e30, 0]],
    tanh: [[-Infinity, -1], [Infinity, 1], [NaN, NaN], [0, 0], [-0, -0], [10, 1], [-10, -1], [1e30, 1],
      [Math.fround(1e-30), Math.fround(1e-30)], [-(2 ** -140), -(2 ** -140)]],
    softplus: [[Infinity, Infinity], [-Infinity, 0], [NaN, NaN], [0, Math.fround(Math.LN2)], [30, 30], [100, 100],
      [Math.fround(1e30), Math.fround(1e30)], [-200, 0]],
  };
  for (const op of ops) {
    const xs = cases[op].map(([x]) => x), want = cases[op].map(([, w]) => w);
    const got = apply(op, xs);
    xs.forEach((x, i) => assert.ok(Object.is(got[i], want[i]), `${op}(${x}) = ${got[i]}, expected ${want[i]}`));
  }
  // Subnormal results and inputs are kept, not flushed to zero (to within one subnormal step).
  const sub: [Op, number][] = [['exp', -87.5], ['exp', -100], ['sigmoid', -90], ['softplus', -100], ['log', 1e-45], ['log', 1e-40]];
  for (const [op, x] of sub) {
    const got = apply(op, [x])[0], want = ref[op](Math.fround(x));
    assert.ok(Math.abs(got - want) <= Math.max(REL * Math.abs(want), 2 ** -149), `${op}(${x}) = ${got}, expected ${want}`);
  }
});

/** Inputs where each op is well away from overflow, of length n. */
function inputs(op: Op, n: number): Float32Array {
  return op === 'log' ? Float32Array.from(rng.uniform(n, -30, 30), Math.exp) : Float32Array.from(rng.uniform(n, -20, 20));
}

for (const n of [1, 7, 9, 1000003]) {
  test(`n=${n}: every element, the masked tail included, matches float64 and its own value at any offset`, () => {
    for (const op of ops) {
      const x = inputs(op, n);
      const y = apply(op, x);
      const e = errors(op, x, y);
      assert.equal(e.bad, []);
      assert.ok(e.rel <= REL, `${op} n=${n}: relative error ${e.rel} at x = ${e.relAt}`);
      // The same values 3 elements in (another split into vectors and tail): the same bits.
      const pad = Float32Array.from([...[0.5, 1.5, 2.5], ...x, ...[3.5, 4.5, 5.5, 6.5, 7.5]]);
      const yp = apply(op, pad).subarray(3, 3 + n);
      assert.ok(Buffer.compare(Buffer.from(y.buffer), Buffer.from(Float32Array.from(yp).buffer)) === 0, `${op} n=${n}: bits depend on the offset`);
    }
  });
}

test('unary results are the same bits with one thread and with all', () => {
  const xs = ops.map((op) => inputs(op, 1000003));
  const all = ops.map((op, i) => apply(op, xs[i]));
  const threads = capabilities().threads;
  try {
    setNumThreads(1);
    ops.forEach((op, i) => assert.ok(Buffer.compare(Buffer.from(all[i].buffer), Buffer.from(apply(op, xs[i]).buffer)) === 0, `${op}: one thread differs`));
  } finally {
    setNumThreads(threads);
  }
});

test('softplus backward is sigmoid(x)·gy (n not a multiple of 8)', () => {
  for (const n of [1, 7, 9, 100003]) {
    const x = Float32Array.from(rng.uniform(n, -30, 30));
    tidy(() => {
      const t = Tensor.fromArray(x, [n]).requireGrad();
      nr.sum(nr.mulScalar(nr.softplus(t), 3)).backward();
      const want = Array.from(nr.sigmoid(Tensor.fromArray(x, [n])).toFloat32Array(), (s) => 3 * s);
      assertClose(t.grad!.toFloat32Array(), want, { atol: 0, rtol: 2.4e-7, what: `softplus grad n=${n}` });
    });
  }
});

test.run();
