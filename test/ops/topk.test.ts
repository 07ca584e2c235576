import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, excludeFromLists, int32, tidy, topk } from '../../src';
import { kernels } from '../../src/ops/util';
import { topkRef } from '../ref/topk';
import { Rng, f32 } from '../util/rand';

const rng = new Rng(11);

/** Runs topk on scores (N,C) and checks values and indices exactly against the reference. */
function check(scores: Float64Array, N: number, C: number, k: number, excl: number[][] | null, what: string): void {
  tidy(() => {
    const S = Tensor.fromArray(scores, [N, C]);
    const { values, indices } = topk(S, k, excl ? { exclude: excludeFromLists(excl) } : {});
    assert.equal(values.shape, [N, k], `${what}: values shape`);
    assert.equal(indices.shape, [N, k], `${what}: indices shape`);
    assert.is(indices.dtype, 'int32');
    const ref = topkRef(scores, N, C, k, excl);
    const gv = values.toArray(), gi = indices.toArray();
    for (let q = 0; q < N * k; q++) {
      const at = `${what}: row ${Math.floor(q / Math.max(k, 1))} slot ${q % Math.max(k, 1)}`;
      assert.is(gi[q], ref.indices[q], `${at}: index ${gi[q]} but the reference has ${ref.indices[q]}`);
      assert.ok(gv[q] === ref.values[q] || (Number.isNaN(gv[q]) && Number.isNaN(ref.values[q])),
        `${at}: value ${gv[q]} but the reference has ${ref.values[q]}`);
    }
  });
}

/** Random exclusion lists: unsorted, with repeats, about `frac` of each row. */
function randomExclusions(N: number, C: number, frac: number): number[][] {
  return Array.from({ length: N }, () => Array.from(rng.ints(Math.floor(frac * C), C)));
}

// Row lengths around the vector blocks (8, 16, 32 columns) and k from 0 to C.
const shapes: [number, number, number][] = [
  [1, 1, 0], [1, 1, 1], [1, 7, 3], [3, 7, 7], [5, 17, 1], [4, 31, 5], [4, 32, 32], [3, 33, 0], [6, 63, 10], [2, 65, 64],
  [7, 100, 10], [9, 257, 31], [3, 1000, 200], [2, 5000, 300], [256, 3706, 10],
];

for (const [N, C, k] of shapes) {
  test(`topk ${N}x${C} k=${k} matches the float64 reference`, () => {
    check(f32(rng.normal(N * C)), N, C, k, null, 'normal');
  });
  test(`topk ${N}x${C} k=${k} with heavy ties takes the lower column first`, () => {
    const s = Float64Array.from(rng.ints(N * C, 3), (v) => v - 1);
    check(s, N, C, k, null, 'ties');
  });
  test(`topk ${N}x${C} k=${k} skips excluded columns`, () => {
    check(f32(rng.uniform(N * C)), N, C, k, randomExclusions(N, C, 0.3), 'exclusions');
  });
}

test('topk on ascending, descending and constant rows (every column a candidate, or none)', () => {
  const N = 3, C = 2000;
  const s = new Float64Array(N * C);
  for (let j = 0; j < C; j++) {
    s[j] = j;
    s[C + j] = C - j;
    s[2 * C + j] = 0.5;
  }
  for (const k of [1, 10, 150, 1999, 2000]) check(s, N, C, k, null, `k=${k}`);
});

test('topk fills -Infinity and -1 when a row has fewer than k eligible columns', () => {
  const N = 4, C = 37, k = 5;
  const s = f32(rng.uniform(N * C));
  const all = Array.from({ length: C }, (_, j) => C - 1 - j);
  // Row 0 excludes everything, row 1 all but two (with repeats), row 2 nothing, row 3 a few.
  const excl = [all, [...all.filter((j) => j !== 3 && j !== 30), 5, 5], [], [1, 2, 36]];
  check(s, N, C, k, excl, 'fill');
  tidy(() => {
    const { values, indices } = topk(Tensor.fromArray(s, [N, C]), k, { exclude: excludeFromLists(excl) });
    assert.equal(Array.from(indices.toArray().slice(0, k)), [-1, -1, -1, -1, -1]);
    assert.equal(Array.from(values.toArray().slice(0, k)), [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    assert.equal(Array.from(indices.toArray().slice(k + 2, 2 * k)), [-1, -1, -1]);
  });
});

test('topk ranks NaN below every number, -Infinity included, and returns it only to fill k', () => {
  tidy(() => {
    const s = Tensor.fromArray([NaN, -Infinity, 2, NaN, Infinity, -1, NaN], [1, 7]);
    const { values, indices } = topk(s, 7);
    assert.equal(Array.from(indices.toArray()), [4, 2, 5, 1, 0, 3, 6]);
    const v = Array.from(values.toArray());
    assert.equal(v.slice(0, 4), [Infinity, 2, -1, -Infinity]);
    assert.ok(v.slice(4).every(Number.isNaN));
    assert.equal(Array.from(topk(s, 3).indices.toArray()), [4, 2, 5]);
  });
  // NaN-heavy rows through the vector scans, with and without exclusions; at C=600, k=100
  // the candidate buffer is trimmed while the k-th kept is still NaN.
  for (const [C, ks] of [[101, [1, 10, 60, 101]], [600, [3, 100]]] as const) {
    for (const frac of [0.1, 0.9, 1]) {
      const N = 5;
      const s = f32(rng.normal(N * C));
      for (let q = 0; q < s.length; q++) if (rng.next() < frac) s[q] = NaN;
      for (const k of ks) {
        check(s, N, C, k, null, `C=${C} NaN ${frac} k=${k}`);
        if (k <= 0.6 * C) check(s, N, C, k, randomExclusions(N, C, 0.4), `C=${C} NaN ${frac} k=${k} excluded`);
      }
    }
  }
});

test('topk treats -0 and +0 as equal (lower column first)', () => {
  tidy(() => {
    const { indices } = topk(Tensor.fromArray([-0, 0, -0, 0], [1, 4]), 4);
    assert.equal(Array.from(indices.toArray()), [0, 1, 2, 3]);
  });
});

test('topk records no gradient', () => {
  tidy(() => {
    const s = Tensor.fromArray(f32(rng.uniform(12)), [3, 4]).requireGrad();
    const { values, indices } = topk(s, 2);
    assert.is(values.requiresGrad, false);
    assert.is(values.node, null);
    assert.is(indices.requiresGrad, false);
  });
});

test('excludeFromLists builds CSR tensors', () => {
  tidy(() => {
    const { ptr, idx } = excludeFromLists([[3, 1], [], [0, 2, 2], Int32Array.from([7])]);
    assert.equal(Array.from(ptr.toArray()), [0, 2, 2, 5, 6]);
    assert.equal(Array.from(idx.toArray()), [3, 1, 0, 2, 2, 7]);
    assert.is(ptr.dtype, 'int32');
    assert.throws(() => excludeFromLists([[1], [-2]]), /excludeFromLists: expected non-negative integer columns but row 1 holds -2 at 0/);
    assert.throws(() => excludeFromLists([[1.5]]), /excludeFromLists: .*row 0 holds 1\.5/);
  });
});

test('topk rejects bad k, shapes, dtypes and exclusions with the op named', () => {
  tidy(() => {
    const s = Tensor.fromArray(f32(rng.uniform(10)), [2, 5]);
    assert.throws(() => topk(s, 6), /topk: expected k to be an integer in \[0, 5\] \(the columns of scores \[2,5\]\) but got 6/);
    assert.throws(() => topk(s, -1), /topk: expected k to be an integer in \[0, 5\].* but got -1/);
    assert.throws(() => topk(s, 1.5), /topk: expected k .* but got 1\.5/);
    assert.throws(() => topk(Tensor.empty([2, 5], 'int32'), 1), /topk: expected scores to be float32 but got \[2,5\] int32/);
    assert.throws(() => topk(Tensor.empty([10]), 1), /topk: expected scores of rank 2 but got \[10\]/);
    const idx = int32([0, 1]);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([0, 1]), idx } }),
      /topk: expected exclude\.ptr \[3\] \(rows of scores \[2,5\] \+ 1\) but got \[2\]/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: Tensor.empty([3]), idx } }), /topk: expected exclude\.ptr to be int32 but got \[3\] float32/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([0, 1, 2]), idx: Tensor.empty([2]) } }),
      /topk: expected exclude\.idx to be int32 but got \[2\] float32/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([0, 1, 2]), idx: int32([0, 1], [1, 2]) } }),
      /topk: expected exclude\.idx of rank 1 but got \[1,2\]/);
    // Checked by the kernel, with the row and the value named.
    assert.throws(() => topk(s, 1, { exclude: excludeFromLists([[0], [4, 5]]) }),
      /topk_fwd: exclusion index 5 in row 1 is out of range for rows of 5 columns/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([0, 2, 1]), idx } }),
      /topk_fwd: exclusion pointer exclPtr\[2\] = 1 of row 1 is outside \[2, 2\]/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([0, 1, 3]), idx } }),
      /topk_fwd: exclusion pointer exclPtr\[2\] = 3 of row 1 is outside \[1, 2\]/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([-1, 1, 2]), idx } }), /topk_fwd: exclusion pointer exclPtr\[0\] = -1/);
    assert.throws(() => topk(s, 1, { exclude: { ptr: int32([0, 1, 2]), idx: int32([-3, 0]) } }),
      /topk_fwd: exclusion index -3 in row 0 is out of range/);
  });
});

test('topk_fwd rejects k > C in the kernel too', () => {
  tidy(() => {
    const s = Tensor.fromArray(f32(rng.uniform(6)), [2, 3]);
    const v = Tensor.empty([2, 4]), i = Tensor.empty([2, 4], 'int32');
    assert.throws(() => kernels('cpu').topk_fwd(v.handle, i.handle, s.handle, null, null, 2, 3, 4, 0),
      /topk_fwd: k = 4 is larger than the row length C = 3/);
  });
});

test.run();
