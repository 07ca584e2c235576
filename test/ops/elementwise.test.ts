import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as nr from '../../src';
import { Tensor, tidy } from '../../src';
import { binaryRef, broadcastRef, unaryRef } from '../ref/elementwise';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(11);
const unaryOps = ['relu', 'sigmoid', 'tanh', 'exp', 'log', 'softplus', 'neg', 'sqrt', 'square'] as const;
// Inputs where each function is smooth and well conditioned.
const domain: Record<string, [number, number]> = { log: [0.2, 3], sqrt: [0.2, 3], relu: [-2, 2] };

for (const op of unaryOps) {
  for (const n of [1, 7, 33, 100003]) {
    test(`${op} on ${n} values matches the float64 reference`, () => {
      const [lo, hi] = domain[op] ?? [-4, 4];
      const x = f32(rng.uniform(n, lo, hi));
      tidy(() => {
        const y = (nr[op] as (t: Tensor) => Tensor)(Tensor.fromArray(x, [n]));
        assertClose(y.toArray(), Array.from(x, unaryRef[op]), { atol: 1e-6, rtol: 2e-6, what: op });
      });
    });
  }
  test(`${op} gradient matches finite differences`, () => {
    const [lo, hi] = domain[op] ?? [-3, 3];
    const x = f32(rng.uniform(11, lo, hi));
    if (op === 'relu') for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) < 0.1) x[i] = 0.5;
    gradcheck({
      inputs: [{ values: x, shape: [11] }],
      engine: ([t]) => (nr[op] as (t: Tensor) => Tensor)(t),
      ref: ([t]) => Array.from(t, unaryRef[op]),
      what: op,
    });
  });
}

test('sigmoid and softplus stay finite at extreme inputs', () => {
  tidy(() => {
    const x = Tensor.fromArray([-100, -30, 0, 30, 100], [5]);
    assertClose(nr.sigmoid(x).toArray(), [0, 9.357622968840175e-14, 0.5, 1, 1], { atol: 1e-7 });
    assertClose(nr.softplus(x).toArray(), [0, 9.357622968840175e-14, Math.log(2), 30, 100], { atol: 1e-6, rtol: 1e-6 });
  });
});

const shapes: [number[], number[]][] = [
  [[5], [5]], [[3, 4], [3, 4]], [[3, 4], [4]], [[3, 4], [1, 4]], [[3, 4], [3, 1]], [[3, 4], []], [[1], [2, 3]],
  [[2, 3, 5], [5]], [[2, 3, 5], [2, 3, 1]], [[4, 1], [4, 6]], [[1, 1], [7, 9]], [[17, 33], [17, 33]],
];

for (const op of ['add', 'sub', 'mul', 'div'] as const) {
  for (const [sa, sb] of shapes) {
    test(`${op} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}: values and gradients`, () => {
      const na = sa.reduce((x, y) => x * y, 1), nb = sb.reduce((x, y) => x * y, 1);
      const a = f32(rng.uniform(na, 0.5, 2)), b = f32(rng.uniform(nb, 0.5, 2));
      const ref = broadcastRef(binaryRef[op], a, sa, b, sb);
      tidy(() => {
        const y = nr[op](Tensor.fromArray(a, sa), Tensor.fromArray(b, sb));
        assert.equal(y.shape, ref.shape);
        assertClose(y.toArray(), ref.out, { atol: 1e-6, rtol: 1e-6 });
      });
      gradcheck({
        inputs: [{ values: a, shape: sa }, { values: b, shape: sb }],
        engine: ([A, B]) => nr[op](A, B),
        ref: ([A, B]) => broadcastRef(binaryRef[op], A, sa, B, sb).out,
        what: op,
      });
    });
  }
}

test('scalar ops: values and gradients', () => {
  const x = f32(rng.uniform(9, 0.5, 2));
  tidy(() => {
    const t = Tensor.fromArray(x, [9]);
    assertClose(nr.addScalar(t, 2).toArray(), Array.from(x, (v) => v + 2), { atol: 1e-6 });
    assertClose(nr.mulScalar(t, -3).toArray(), Array.from(x, (v) => v * -3), { atol: 1e-6 });
    assertClose(nr.rsubScalar(t, 1).toArray(), Array.from(x, (v) => 1 - v), { atol: 1e-6 });
    assertClose(nr.powScalar(t, 1.5).toArray(), Array.from(x, (v) => v ** 1.5), { atol: 1e-6, rtol: 1e-6 });
  });
  gradcheck({ inputs: [{ values: x, shape: [9] }], engine: ([t]) => nr.powScalar(nr.mulScalar(nr.addScalar(t, 1), 2), 1.5), ref: ([t]) => Array.from(t, (v) => ((v + 1) * 2) ** 1.5) });
  gradcheck({ inputs: [{ values: x, shape: [9] }], engine: ([t]) => nr.rsubScalar(t, 3), ref: ([t]) => Array.from(t, (v) => 3 - v) });
});

test('binary ops reject shapes that do not broadcast, naming both shapes', () => {
  tidy(() => {
    assert.throws(() => nr.add(Tensor.empty([3, 4]), Tensor.empty([5])), /add: shapes \[3,4\] and \[5\] do not broadcast/);
    assert.throws(() => nr.mul(Tensor.empty([2, 3, 4]), Tensor.empty([2, 1, 4])), /mul: broadcasting \[2,3,4\] with \[2,1,4\]/);
    assert.throws(() => nr.add(Tensor.empty([3]), Tensor.empty([3], 'int32')), /add: expected b to be float32/);
  });
});

test.run();
