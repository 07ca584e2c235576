import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, concat, mean, reshape, slice, sum, tidy, transpose, mul } from '../../src';
import { sumRef } from '../ref/elementwise';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(5);

for (const shape of [[1], [7], [3, 5], [2, 3, 4], [1000, 17], [17, 1000], [300, 300]]) {
  const axes: (number | undefined)[] = [undefined, ...shape.map((_, i) => i)];
  for (const axis of axes) {
    test(`sum/mean of ${JSON.stringify(shape)} over axis ${axis}`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = f32(rng.uniform(n));
      const ref = sumRef(x, shape, axis);
      const R = axis === undefined ? n : shape[axis];
      tidy(() => {
        const t = Tensor.fromArray(x, shape);
        assertClose(sum(t, axis).toArray(), ref, { atol: 1e-5 * Math.sqrt(R), rtol: 1e-5 });
        assertClose(mean(t, axis).toArray(), Array.from(ref, (v) => v / R), { atol: 1e-6, rtol: 1e-5 });
        if (axis !== undefined) {
          const keep = sum(t, axis, true);
          assert.equal(keep.shape, shape.map((d, i) => (i === axis ? 1 : d)));
        }
      });
      if (n <= 60)
        gradcheck({
          inputs: [{ values: x, shape }],
          engine: ([t]) => mean(t, axis),
          ref: ([t]) => Array.from(sumRef(t, shape, axis), (v) => v / R),
        });
    });
  }
}

test('transpose, reshape: values and gradients', () => {
  const x = f32(rng.uniform(35));
  tidy(() => {
    const t = Tensor.fromArray(x, [5, 7]);
    const y = transpose(t);
    assert.equal(y.shape, [7, 5]);
    const ya = y.toArray();
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) assert.is(ya[j * 5 + i], Math.fround(x[i * 7 + j]));
    assert.equal(reshape(t, [7, -1]).shape, [7, 5]);
    assert.throws(() => reshape(t, [6, -1]), /reshape: cannot view \[5,7\] as \[6,-1\]/);
  });
  const w = f32(rng.uniform(35));
  gradcheck({
    inputs: [{ values: x, shape: [5, 7] }],
    engine: ([t]) => mul(transpose(reshape(t, [7, 5])), Tensor.fromArray(w, [5, 7])),
    ref: ([t]) => {
      const out = new Float64Array(35);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) out[i * 7 + j] = t[j * 5 + i] * w[i * 7 + j];
      return out;
    },
  });
});

test('concat and slice along the last axis: values and gradients', () => {
  const a = f32(rng.uniform(6)), b = f32(rng.uniform(9)), c = f32(rng.uniform(3));
  tidy(() => {
    const y = concat([Tensor.fromArray(a, [3, 2]), Tensor.fromArray(b, [3, 3]), Tensor.fromArray(c, [3, 1])]);
    assert.equal(y.shape, [3, 6]);
    const ya = Array.from(y.toArray());
    assert.equal(ya.slice(0, 6), [a[0], a[1], b[0], b[1], b[2], c[0]].map(Math.fround));
    const s = slice(y, 2, 3);
    assert.equal(Array.from(s.toArray()), Array.from(b, Math.fround));
    assert.throws(() => slice(y, 4, 3), /slice: columns \[4, 7\) are outside the last axis of \[3,6\]/);
    assert.throws(() => concat([Tensor.empty([3, 2]), Tensor.empty([4, 2])]), /concat: leading dimensions differ/);
  });
  gradcheck({
    inputs: [{ values: a, shape: [3, 2] }, { values: b, shape: [3, 3] }],
    engine: ([A, B]) => slice(concat([A, B, A]), 1, 6),
    ref: ([A, B]) => {
      const out: number[] = [];
      for (let r = 0; r < 3; r++) {
        const row = [A[r * 2], A[r * 2 + 1], B[r * 3], B[r * 3 + 1], B[r * 3 + 2], A[r * 2], A[r * 2 + 1]];
        out.push(...row.slice(1, 7));
      }
      return out;
    },
  });
});

test.run();
