import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SGD, Tensor, gather, int32, memory, square, sub, sum, tidy } from '../../src';
import { sgdStepRef, type SgdRefOpts } from '../ref/optim';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';

const rng = new Rng(21);

const configs: Partial<SgdRefOpts>[] = [
  {}, { momentum: 0.9 }, { momentum: 0.9, nesterov: true }, { momentum: 0.5, weightDecay: 0.01 }, { weightDecay: 0.1 },
];

for (const n of [1, 37, 100003]) {
  for (const cfg of configs) {
    const o: SgdRefOpts = { lr: 0.05, momentum: 0, weightDecay: 0, nesterov: false, ...cfg };
    test(`SGD ${JSON.stringify(cfg)} on ${n} values matches the reference for 4 steps`, () => {
      const p0 = f32(rng.uniform(n));
      const ref = Float64Array.from(p0), vel = new Float64Array(n);
      tidy(() => {
        const p = Tensor.fromArray(p0, [n]).requireGrad();
        const opt = new SGD([p], o);
        for (let s = 0; s < 4; s++) {
          const g = f32(rng.uniform(n));
          p.grad = Tensor.fromArray(g, [n]).keep();
          opt.step();
          opt.zeroGrad();
          sgdStepRef(ref, g, vel, o);
          assertClose(p.toArray(), ref, { atol: 1e-6, rtol: 1e-5, what: `param after step ${s + 1}` });
        }
        if (o.momentum) assertClose(opt.stateOf(p)!.velocity!.toArray(), vel, { atol: 1e-6, rtol: 1e-5, what: 'velocity' });
        opt.dispose();
      });
    });
  }
}

test('SGD applies sparse row gradients as rows, equal to the dense step', () => {
  const [R, D] = [10, 3];
  const t0 = f32(rng.uniform(R * D));
  const rowsA = [4, 1, 4], rowsB = [9, 1];
  const va = f32(rng.uniform(rowsA.length * D)), vb = f32(rng.uniform(rowsB.length * D));
  const dense = new Float64Array(R * D);
  [[rowsA, va], [rowsB, vb]].forEach(([rows, vals]) =>
    (rows as number[]).forEach((r, b) => { for (let d = 0; d < D; d++) dense[r * D + d] += (vals as Float64Array)[b * D + d]; }));
  tidy(() => {
    const table = Tensor.fromArray(t0, [R, D]).requireGrad();
    table.sparseGrad = true;
    table.rowGrads.push({ rows: int32(rowsA).keep(), values: Tensor.fromArray(va, [3, D]).keep() });
    table.rowGrads.push({ rows: int32(rowsB).keep(), values: Tensor.fromArray(vb, [2, D]).keep() });
    const opt = new SGD([table], { lr: 0.5 });
    opt.step();
    const ref = Float64Array.from(t0);
    sgdStepRef(ref, dense, new Float64Array(R * D), { lr: 0.5, momentum: 0, weightDecay: 0, nesterov: false });
    assertClose(table.toArray(), ref, { atol: 1e-6, rtol: 1e-6 });
    opt.zeroGrad();
    assert.is(table.rowGrads.length, 0);
  });
});

test('SGD with momentum densifies sparse row gradients (and so does sparse: false)', () => {
  const [R, D] = [6, 4];
  const t0 = f32(rng.uniform(R * D)), vals = f32(rng.uniform(2 * D));
  for (const opts of [{ lr: 0.1, momentum: 0.9 }, { lr: 0.1, sparse: false }]) {
    const o: SgdRefOpts = { momentum: 0, weightDecay: 0, nesterov: false, ...opts };
    const ref = Float64Array.from(t0), vel = new Float64Array(R * D);
    tidy(() => {
      const table = Tensor.fromArray(t0, [R, D]).requireGrad();
      table.sparseGrad = true;
      const opt = new SGD([table], opts);
      for (let s = 0; s < 3; s++) {
        table.rowGrads.push({ rows: int32([s, 5]).keep(), values: Tensor.fromArray(vals, [2, D]).keep() });
        opt.step();
        opt.zeroGrad();
        const dense = new Float64Array(R * D);
        for (let d = 0; d < D; d++) { dense[s * D + d] += vals[d]; dense[5 * D + d] += vals[D + d]; }
        sgdStepRef(ref, dense, vel, o);
      }
      assertClose(table.toArray(), ref, { atol: 1e-6, rtol: 1e-5, what: JSON.stringify(opts) });
      opt.dispose();
    });
  }
});

test('SGD trains an embedding table through gather with sparse gradients', () => {
  const [R, D] = [5, 2];
  const t0 = f32(rng.uniform(R * D));
  tidy(() => {
    const table = Tensor.fromArray(t0, [R, D]).requireGrad();
    table.sparseGrad = true;
    const opt = new SGD([table], { lr: 0.25 });
    tidy(() => sum(gather(table, int32([0, 3, 3]))).backward());
    assert.is(table.rowGrads.length, 1);
    opt.step();
    opt.zeroGrad();
    // d(sum)/d(row) = number of times the row was gathered.
    const want = Float64Array.from(t0, (v, i) => v - 0.25 * [1, 0, 0, 2, 0][Math.floor(i / D)]);
    assertClose(table.toArray(), want, { atol: 1e-6, rtol: 1e-6 });
  });
});

test('SGD with momentum minimises a quadratic', () => {
  const target = f32(rng.uniform(20));
  tidy(() => {
    const p = Tensor.fromArray(new Float32Array(20), [20]).requireGrad();
    const t = Tensor.fromArray(target, [20]);
    const opt = new SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true });
    for (let s = 0; s < 150; s++) {
      tidy(() => sum(square(sub(p, t))).backward());
      opt.step();
      opt.zeroGrad();
    }
    assertClose(p.toArray(), target, { atol: 1e-4, rtol: 0 });
    opt.dispose();
  });
});

test('SGD frees its state on dispose and grads on zeroGrad', () => {
  const before = memory().tensors;
  const p = Tensor.fromArray(f32(rng.uniform(8)), [8]).requireGrad();
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  for (let s = 0; s < 3; s++) {
    p.grad = Tensor.fromArray(f32(rng.uniform(8)), [8]);
    opt.step();
    opt.zeroGrad();
  }
  assert.is(memory().tensors, before + 2, 'the parameter and its velocity');
  opt.dispose();
  p.dispose();
  assert.is(memory().tensors, before);
  assert.throws(() => opt.step(), /SGD: step\(\) after dispose\(\)/);
});

test('SGD rejects bad arguments with clear messages', () => {
  tidy(() => {
    const p = Tensor.empty([2, 2]).requireGrad();
    assert.throws(() => new SGD([p], { lr: -1 }), /SGD: expected lr >= 0 but got -1/);
    assert.throws(() => new SGD([p], { lr: NaN }), /SGD: expected lr >= 0 but got NaN/);
    assert.throws(() => new SGD([p], { lr: 0.1, momentum: -0.5 }), /SGD: expected momentum >= 0 but got -0.5/);
    assert.throws(() => new SGD([p], { lr: 0.1, weightDecay: -1 }), /SGD: expected weightDecay >= 0 but got -1/);
    assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /SGD: nesterov needs momentum > 0/);
    assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: expected at least one parameter but got none/);
    assert.throws(() => new SGD([p, p], { lr: 0.1 }), /SGD: the same parameter was passed more than once/);
    assert.throws(() => new SGD([Tensor.empty([2], 'int32')], { lr: 0.1 }), /SGD: expected float32 parameters but parameter 0 is \[2\] int32/);
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = Tensor.empty([3]);
    assert.throws(() => opt.step(), /SGD: gradient \[3\] float32 on cpu does not match parameter \[2,2\] float32 on cpu/);
    p.grad = null;
    p.rowGrads.push({ rows: int32([1, 7]), values: Tensor.empty([2, 2]) });
    assert.throws(() => opt.step(), /gather_bwd: index 7 at position 1 is out of range for a table of 2 rows/);
    p.rowGrads = [{ rows: int32([1]), values: Tensor.empty([3]) }];
    assert.throws(() => opt.step(), /SGD: row gradient .* does not fit parameter \[2,2\] float32: expected int32 rows \[B\] and float32 values \[B,2\]/);
    p.rowGrads = [];
    opt.lr = -1;
    p.grad = Tensor.empty([2, 2]);
    assert.throws(() => opt.step(), /sgd_step: lr must be finite and >= 0, got -1/);
  });
});

test.run();
