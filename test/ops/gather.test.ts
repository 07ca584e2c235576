import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, coalesceRows, gather, mul, sum, tidy } from '../../src';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(3);

function gatherRef(table: ArrayLike<number>, idx: ArrayLike<number>, D: number): Float64Array {
  const out = new Float64Array(idx.length * D);
  for (let b = 0; b < idx.length; b++) for (let d = 0; d < D; d++) out[b * D + d] = table[idx[b] * D + d];
  return out;
}

for (const [R, D, B] of [[1, 1, 1], [10, 3, 7], [1000, 64, 4097], [37, 17, 100000]]) {
  test(`gather ${B} rows of a ${R}x${D} table, and its scatter-add backward`, () => {
    const table = f32(rng.uniform(R * D)), idx = rng.ints(B, R), w = f32(rng.uniform(B * D));
    tidy(() => {
      const t = Tensor.fromArray(table, [R, D]).requireGrad();
      const y = gather(t, Tensor.fromArray(idx, [B], 'int32'));
      assert.equal(y.shape, [B, D]);
      assertClose(y.toArray(), gatherRef(table, idx, D), { atol: 0, rtol: 0 });
      sum(mul(y, Tensor.fromArray(w, [B, D]))).backward();
      const ref = new Float64Array(R * D);
      for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) ref[idx[b] * D + d] += w[b * D + d];
      assertClose(t.grad!.toArray(), ref, { atol: 1e-4, rtol: 1e-5, what: 'scatter-add' });
      t.dispose();
    });
  });
}

test('gather gradient matches finite differences (repeated indices accumulate)', () => {
  const table = f32(rng.uniform(12)), idx = Int32Array.from([0, 2, 2, 1, 3, 0]);
  gradcheck({
    inputs: [{ values: table, shape: [4, 3] }],
    engine: ([t]) => gather(t, Tensor.fromArray(idx, [2, 3], 'int32')),
    ref: ([t]) => gatherRef(t, idx, 3),
  });
});

test('a table with sparseGrad collects row gradients that coalesce to the dense gradient', () => {
  tidy(() => {
    const t = Tensor.fromArray(f32(rng.uniform(50)), [10, 5]).requireGrad();
    t.sparseGrad = true;
    const idx = Tensor.fromArray([7, 1, 7, 3], [4], 'int32');
    sum(gather(t, idx)).backward();
    sum(gather(t, Tensor.fromArray([1], [1], 'int32'))).backward();
    assert.is(t.grad, null);
    assert.is(t.rowGrads.length, 2);
    const rows = Tensor.fromArray([...t.rowGrads[0].rows.toArray(), ...t.rowGrads[1].rows.toArray()], [5], 'int32');
    const vals = Tensor.fromArray([...t.rowGrads[0].values.toArray(), ...t.rowGrads[1].values.toArray()], [5, 5]);
    const c = coalesceRows(rows, vals);
    assert.is(c.count, 3);
    assert.equal(Array.from(c.rows.toArray()).slice(0, 3), [1, 3, 7]);
    assert.equal(Array.from(c.values.toArray()).slice(0, 15), [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    t.dispose();
  });
});

test('gather rejects out-of-range and non-int32 indices, naming the index', () => {
  tidy(() => {
    const t = Tensor.empty([10, 4]);
    assert.throws(() => gather(t, Tensor.fromArray([1, 10], [2], 'int32')), /gather_fwd: index 10 at position 1 is out of range for a table of 10 rows/);
    assert.throws(() => gather(t, Tensor.fromArray([-1], [1], 'int32')), /index -1 at position 0/);
    assert.throws(() => gather(t, Tensor.fromArray([1], [1])), /gather: expected indices to be int32/);
  });
});

test.run();
