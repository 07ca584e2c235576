import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Adam, AdamW, Tensor, add, gather, int32, memory, mul, square, sub, sum, tidy } from '../../src';
import { adamStepRef, sparseAdamStepRef, type AdamRefOpts } from '../ref/optim';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';

const rng = new Rng(31);
const base: AdamRefOpts = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false };
const tol = { atol: 1e-6, rtol: 1e-5 };

function makeOpt(p: Tensor, o: AdamRefOpts, sparse = true) {
  const opts = { lr: o.lr, betas: [o.beta1, o.beta2] as [number, number], eps: o.eps, weightDecay: o.weightDecay, sparse };
  return o.decoupled ? new AdamW([p], opts) : new Adam([p], opts);
}

for (const n of [1, 37, 100003]) {
  for (const cfg of [{}, { weightDecay: 0.01 }, { weightDecay: 0.1, decoupled: true }, { beta1: 0, beta2: 0.5, eps: 1e-3 }]) {
    const o = { ...base, ...cfg };
    test(`${o.decoupled ? 'AdamW' : 'Adam'} ${JSON.stringify(cfg)} on ${n} values matches the reference for 5 steps`, () => {
      const p0 = f32(rng.uniform(n));
      const ref = Float64Array.from(p0), m = new Float64Array(n), v = new Float64Array(n);
      tidy(() => {
        const p = Tensor.fromArray(p0, [n]).requireGrad();
        const opt = makeOpt(p, o);
        for (let s = 1; s <= 5; s++) {
          const g = f32(rng.uniform(n));
          p.grad = Tensor.fromArray(g, [n]).keep();
          opt.step();
          opt.zeroGrad();
          adamStepRef(ref, g, m, v, s, o);
          assertClose(p.toArray(), ref, { ...tol, what: `param after step ${s}` });
        }
        const st = opt.stateOf(p)!;
        assert.is(st.step, 5);
        assertClose(st.m.toArray(), m, { ...tol, what: 'm' });
        assertClose(st.v.toArray(), v, { ...tol, what: 'v' });
        opt.dispose();
      });
    });
  }
}

test('Adam and AdamW differ only by the decoupling of weight decay', () => {
  const n = 50;
  const p0 = f32(rng.uniform(n)), grads = [0, 1, 2].map(() => f32(rng.uniform(n)));
  const run = (Opt: typeof Adam | typeof AdamW, wd: number) =>
    tidy(() => {
      const p = Tensor.fromArray(p0, [n]).requireGrad();
      const opt = new Opt([p], { lr: 0.01, weightDecay: wd });
      for (const g of grads) {
        p.grad = Tensor.fromArray(g, [n]).keep();
        opt.step();
        opt.zeroGrad();
      }
      opt.dispose();
      return Array.from(p.toArray());
    });
  assert.equal(run(Adam, 0), run(AdamW, 0), 'identical without weight decay');
  const adam = run(Adam, 0.1), adamw = run(AdamW, 0.1);
  assert.not.equal(adam, adamw);
  for (const [vals, decoupled] of [[adam, false], [adamw, true]] as const) {
    const ref = Float64Array.from(p0), m = new Float64Array(n), v = new Float64Array(n);
    grads.forEach((g, s) => adamStepRef(ref, g, m, v, s + 1, { ...base, weightDecay: 0.1, decoupled }));
    assertClose(vals, ref, { ...tol, what: decoupled ? 'AdamW' : 'Adam' });
  }
});

for (const decoupled of [false, true]) {
  test(`sparse ${decoupled ? 'AdamW' : 'Adam'} updates only touched rows, equals dense on them at step 1, and is lazy after`, () => {
    const [R, D] = [40, 7];
    const o = { ...base, weightDecay: 0.05, decoupled };
    const t0 = f32(rng.uniform(R * D));
    const batches = [[3, 17, 3, 39, 0], [17, 5], [5, 22, 22, 3]];
    tidy(() => {
      const table = Tensor.fromArray(t0, [R, D]).requireGrad();
      table.sparseGrad = true;
      const opt = makeOpt(table, o);
      const ref = Float64Array.from(t0), m = new Float64Array(R * D), v = new Float64Array(R * D);
      batches.forEach((rows, k) => {
        const vals = f32(rng.uniform(rows.length * D));
        table.rowGrads.push({ rows: int32(rows).keep(), values: Tensor.fromArray(vals, [rows.length, D]).keep() });
        opt.step();
        opt.zeroGrad();
        sparseAdamStepRef(ref, m, v, rows, vals, D, k + 1, o);
        const got = table.toArray();
        assertClose(got, ref, { ...tol, what: `table after step ${k + 1}` });
        if (k === 0) {
          // Untouched rows keep their exact bits; touched rows match a dense Adam step.
          for (let r = 0; r < R; r++)
            if (!rows.includes(r)) for (let d = 0; d < D; d++) assert.is(got[r * D + d], Math.fround(t0[r * D + d]));
          const dense = Float64Array.from(t0), dg = new Float64Array(R * D);
          rows.forEach((r, b) => { for (let d = 0; d < D; d++) dg[r * D + d] += vals[b * D + d]; });
          adamStepRef(dense, dg, new Float64Array(R * D), new Float64Array(R * D), 1, o);
          for (const r of rows) assertClose(got.slice(r * D, r * D + D), dense.slice(r * D, r * D + D), { ...tol, what: `row ${r}` });
        }
      });
      const st = opt.stateOf(table)!;
      assertClose(st.m.toArray(), m, { ...tol, what: 'm (untouched rows stay 0)' });
      assertClose(st.v.toArray(), v, { ...tol, what: 'v' });
      opt.dispose();
    });
  });
}

test('sparse: false densifies row gradients and runs dense Adam over the whole table', () => {
  const [R, D] = [9, 3];
  const t0 = f32(rng.uniform(R * D));
  tidy(() => {
    const table = Tensor.fromArray(t0, [R, D]).requireGrad();
    table.sparseGrad = true;
    const opt = makeOpt(table, base, false);
    const ref = Float64Array.from(t0), m = new Float64Array(R * D), v = new Float64Array(R * D);
    for (let s = 1; s <= 3; s++) {
      const rows = [s, 8, s], vals = f32(rng.uniform(3 * D));
      table.rowGrads.push({ rows: int32(rows).keep(), values: Tensor.fromArray(vals, [3, D]).keep() });
      opt.step();
      opt.zeroGrad();
      const dg = new Float64Array(R * D);
      rows.forEach((r, b) => { for (let d = 0; d < D; d++) dg[r * D + d] += vals[b * D + d]; });
      adamStepRef(ref, dg, m, v, s, base);
    }
    assertClose(table.toArray(), ref, tol);
    opt.dispose();
  });
});

test('Adam joins the row gradients of two gathers from one table (sparse), and a dense grad plus rows (dense)', () => {
  const [R, D] = [12, 4];
  const t0 = f32(rng.uniform(R * D)), w = f32(rng.uniform(3 * D));
  const idxA = [2, 7, 2], idxB = [7, 11, 0];
  // loss = Σ w·gather(A) + Σ w·gather(B): row gradients are w's rows, summed per table row.
  const dg = new Float64Array(R * D);
  for (const idx of [idxA, idxB]) idx.forEach((r, b) => { for (let d = 0; d < D; d++) dg[r * D + d] += w[b * D + d]; });
  const rows = [...new Set([...idxA, ...idxB])];
  tidy(() => {
    const table = Tensor.fromArray(t0, [R, D]).requireGrad();
    table.sparseGrad = true;
    const W = Tensor.fromArray(w, [3, D]);
    const opt = new Adam([table], { lr: 0.01 });
    tidy(() => sum(add(mul(gather(table, int32(idxA)), W), mul(gather(table, int32(idxB)), W))).backward());
    assert.is(table.rowGrads.length, 2);
    opt.step();
    opt.zeroGrad();
    const ref = Float64Array.from(t0);
    const sparseRows = rows.map((r) => dg.slice(r * D, r * D + D));
    sparseAdamStepRef(ref, new Float64Array(R * D), new Float64Array(R * D), rows, sparseRows.flatMap((a) => Array.from(a)), D, 1, base);
    assertClose(table.toArray(), ref, tol);
    opt.dispose();
  });
  tidy(() => {
    const p = Tensor.fromArray(t0, [R, D]).requireGrad();
    const g = f32(rng.uniform(R * D));
    p.grad = Tensor.fromArray(g, [R, D]).keep();
    p.rowGrads.push({ rows: int32(idxA).keep(), values: Tensor.fromArray(w, [3, D]).keep() });
    const opt = new Adam([p], { lr: 0.01 });
    opt.step();
    opt.zeroGrad();
    const total = Float64Array.from(g);
    idxA.forEach((r, b) => { for (let d = 0; d < D; d++) total[r * D + d] += w[b * D + d]; });
    const ref = Float64Array.from(t0);
    adamStepRef(ref, total, new Float64Array(R * D), new Float64Array(R * D), 1, base);
    assertClose(p.toArray(), ref, tol);
    opt.dispose();
  });
});

test('Adam minimises a quadratic', () => {
  const target = f32(rng.uniform(30));
  tidy(() => {
    const p = Tensor.fromArray(new Float32Array(30), [30]).requireGrad();
    const t = Tensor.fromArray(target, [30]);
    const opt = new Adam([p], { lr: 0.05 });
    for (let s = 0; s < 400; s++) {
      tidy(() => sum(square(sub(p, t))).backward());
      opt.step();
      opt.zeroGrad();
    }
    assertClose(p.toArray(), target, { atol: 1e-3, rtol: 0 });
    opt.dispose();
  });
});

test('Adam keeps its state out of tidy scopes and frees it on dispose', () => {
  const before = memory().tensors;
  const p = Tensor.fromArray(f32(rng.uniform(16)), [4, 4]).requireGrad();
  const opt = new Adam([p]);
  tidy(() => {
    p.grad = Tensor.fromArray(f32(rng.uniform(16)), [4, 4]).keep();
    opt.step();
  });
  opt.zeroGrad();
  assert.is(memory().tensors, before + 3, 'the parameter, m and v');
  opt.dispose();
  p.dispose();
  assert.is(memory().tensors, before);
});

test('Adam rejects bad arguments with clear messages', () => {
  tidy(() => {
    const p = Tensor.empty([4, 2]).requireGrad();
    assert.throws(() => new Adam([p], { lr: -0.1 }), /Adam: expected lr >= 0 but got -0.1/);
    assert.throws(() => new AdamW([p], { lr: Infinity }), /AdamW: expected lr >= 0 but got Infinity/);
    assert.throws(() => new Adam([p], { betas: [1, 0.999] }), /Adam: expected betas\[0\] in \[0, 1\) but got 1/);
    assert.throws(() => new Adam([p], { betas: [0.9, -0.1] }), /Adam: expected betas\[1\] in \[0, 1\) but got -0.1/);
    assert.throws(() => new Adam([p], { eps: -1 }), /Adam: expected eps >= 0 but got -1/);
    assert.throws(() => new AdamW([p], { weightDecay: -0.01 }), /AdamW: expected weightDecay >= 0 but got -0.01/);
    const opt = new Adam([p]);
    p.grad = Tensor.empty([8]);
    opt.step();  // a gradient of the same size but another shape is accepted
    p.grad = Tensor.empty([2, 2]);
    assert.throws(() => opt.step(), /Adam: gradient \[2,2\] float32 on cpu does not match parameter \[4,2\] float32 on cpu/);
    p.grad = null;
    p.sparseGrad = true;
    const before = Array.from(p.toArray());
    p.rowGrads.push({ rows: int32([1, 10, 1]), values: Tensor.empty([3, 2], 'float32', 'cpu', true) });
    assert.throws(() => opt.step(), /sparse_adam_step: row 10 at position 1 is out of range for a table of 4 rows/);
    assert.equal(Array.from(p.toArray()), before, 'nothing was updated');
    assert.is(opt.stateOf(p)!.step, 1, 'the failed step is not counted');
    p.rowGrads = [];
    const flat = Tensor.empty([8]).requireGrad();
    flat.rowGrads.push({ rows: int32([0]), values: Tensor.empty([1, 8]) });
    assert.throws(() => new Adam([flat]).step(), /Adam: sparse row gradients need a table \[R,D\] but the parameter is \[8\] float32/);
  });
});

test.run();
