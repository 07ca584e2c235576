import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, noGrad, tidy, zeros } from '../../src';
import { packTower, towerScores, TOWER_MAX_WIDTH } from '../../src/ops/tower';
import { kernels } from '../../src/ops/util';
import { towerRef } from '../ref/tower';
import { assertClose } from '../util/close';
import { Rng, f32 } from '../util/rand';

const rng = new Rng(31);

/** A random tower of these widths: its layers as tensors, and the same values for the reference. */
function randomTower(widths: number[]) {
  const layers = [] as { weight: Tensor; bias: Tensor }[];
  const flat: number[] = [];
  for (let l = 1; l < widths.length; l++) {
    const w = f32(rng.uniform(widths[l] * widths[l - 1], -0.5, 0.5)), b = f32(rng.uniform(widths[l], -0.2, 0.2));
    layers.push({ weight: Tensor.fromArray(w, [widths[l], widths[l - 1]]), bias: Tensor.fromArray(b, [widths[l]]) });
    flat.push(...w, ...b);
  }
  const wOut = f32(rng.uniform(widths[widths.length - 1]));
  flat.push(...wOut);
  return { layers, wOut: Tensor.fromArray(wOut, [1, wOut.length]), flat };
}

// Catalogues around the 16-item block (1, 15, 16, 17, 33) and a real one; towers of 1 to 5
// widths, odd widths (not multiples of the 4-row step), NeuMF's 32-16-8.
const cases: [number, number, number[]][] = [
  [1, 1, [1]], [1, 15, [3]], [2, 16, [4, 2]], [3, 17, [5, 3, 1]], [4, 33, [32, 16, 8]], [5, 100, [7, 6, 5, 4, 3]],
  [2, 3706, [32, 16, 8]], [1, 50, [64, 32, 16, 8]], [3, 31, [9, 13, 4]],
];

for (const [n, I, widths] of cases) {
  test(`towerScores n=${n} I=${I} widths ${widths.join('-')} against the float64 reference`, () => {
    tidy(() => {
      const { layers, wOut, flat } = randomTower(widths);
      const user = f32(rng.uniform(n * widths[0])), item = f32(rng.uniform(widths[0] * I));
      const packed = packTower(widths[0], layers, wOut);
      assert.equal(packed.widths, widths);
      const got = towerScores(Tensor.fromArray(user, [n, widths[0]]), Tensor.fromArray(item, [widths[0], I]), packed);
      assert.equal(got.shape, [n, I]);
      const ref = towerRef(user, item, flat, n, I, widths);
      assertClose(got.toArray(), ref, { atol: 1e-5, rtol: 1e-4, what: 'scores' });
      // Into an existing tensor: the scores are added.
      const base = f32(rng.uniform(n * I));
      const into = Tensor.fromArray(base, [n, I]);
      towerScores(Tensor.fromArray(user, [n, widths[0]]), Tensor.fromArray(item, [widths[0], I]), packed, into);
      assertClose(into.toArray(), ref.map((v, k) => v + base[k]), { atol: 1e-5, rtol: 1e-4, what: 'accumulated scores' });
    });
  });
}

test('towerScores with no users or no items returns an empty result', () => {
  tidy(() => {
    const { layers, wOut } = randomTower([4, 2]);
    const p = packTower(4, layers, wOut);
    assert.equal(towerScores(zeros([0, 4]), zeros([4, 5]), p).shape, [0, 5]);
    assert.equal(towerScores(zeros([3, 4]), zeros([4, 0]), p).shape, [3, 0]);
  });
});

test('towerScores and packTower reject what does not fit, saying what', () => {
  tidy(() => {
    const { layers, wOut } = randomTower([4, 3, 2]);
    const p = packTower(4, layers, wOut);
    assert.throws(() => towerScores(zeros([2, 5]), zeros([4, 7]), p), /towerScores: expected user \[n, 4\] and item \[4, I\] but got \[2,\s?5\]/);
    assert.throws(() => towerScores(zeros([2, 4]), zeros([5, 7]), p), /expected user \[n, 4\] and item \[4, I\]/);
    assert.throws(() => towerScores(zeros([2, 4]), zeros([4, 7]), p, zeros([2, 6])), /expected into \[2, 7\]/);
    assert.throws(() => towerScores(zeros([2, 4]), zeros([4, 7]), { params: zeros([5]), widths: [4, 3, 2] }), /params holds 5 values, widths 4-3-2 need 25/);
    assert.throws(() => packTower(5, layers, wOut), /layer 1's weight \[3,\s?4\] does not take the previous width 5/);
    assert.throws(() => packTower(4, layers, zeros([3])), /output weights \[3\] do not match the last width 2/);
    const wide = [{ weight: zeros([TOWER_MAX_WIDTH + 1, 4]), bias: zeros([TOWER_MAX_WIDTH + 1]) }];
    assert.throws(() => packTower(4, wide, zeros([TOWER_MAX_WIDTH + 1])), /at most 5 widths of 1\.\.512 each/);
    const g = zeros([2, 4]).requireGrad();
    assert.throws(() => towerScores(g, zeros([4, 7]), p), /inference only/);
    assert.not.throws(() => noGrad(() => towerScores(g, zeros([4, 7]), p)));
  });
});

test('the kernel itself rejects bad widths (a zero inside, too wide) with the kernel id', () => {
  tidy(() => {
    const k = kernels('cpu');
    const o = zeros([1, 1]), u = zeros([1, 2]), it = zeros([2, 1]), p = zeros([100]);
    assert.throws(() => k.tower_fwd(o.handle, u.handle, it.handle, p.handle, 1, 1, 2, 0, 3, 0, 0, false), /tower_fwd: tower width h3 = 3 follows a zero width/);
    assert.throws(() => k.tower_fwd(o.handle, u.handle, it.handle, p.handle, 1, 1, 0, 0, 0, 0, 0, false), /tower_fwd: tower width h1 must be at least 1/);
    assert.throws(() => k.tower_fwd(o.handle, u.handle, it.handle, p.handle, 1, 1, 2, 513, 0, 0, 0, false), /wider than the kernel's limit of 512/);
    assert.throws(() => k.tower_fwd(o.handle, u.handle, it.handle, zeros([31]).handle, 1, 1, 2, 8, 0, 0, 0, false), /tower_fwd params: expected at least 32 elements but the storage holds 31/);
  });
});

test.run();
