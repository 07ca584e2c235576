import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  SeedSequence, heNormal, heUniform, normal, setNumThreads, capabilities, tidy, uniform, xavierNormal, xavierUniform,
} from '../../src';
import { meanStd, normalRef, uniformRef } from '../ref/init';
import { assertClose } from '../util/close';

for (const n of [1, 7, 33, 1000]) {
  test(`uniform and normal of ${n} values match the generator reference`, () => {
    tidy(() => {
      assertClose(uniform([n], -2, 3, 42).toArray(), uniformRef(n, -2, 3, 42), { atol: 1e-6, rtol: 1e-6, what: 'uniform' });
      assertClose(normal([n], 0.5, 2, 42).toArray(), normalRef(n, 0.5, 2, 42), { atol: 1e-5, rtol: 1e-5, what: 'normal' });
    });
  });
}

test('same seed gives identical values, different seeds differ', () => {
  tidy(() => {
    for (const make of [(s: number) => uniform([5, 999], 0, 1, s), (s: number) => normal([5, 999], 0, 1, s)]) {
      const a = make(1).toArray(), b = make(1).toArray(), c = make(2).toArray();
      assert.equal(Array.from(a), Array.from(b));
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === c[i]) same++;
      assert.ok(same < 5, `seeds 1 and 2 share ${same} of ${a.length} values`);
    }
  });
});

test('values do not depend on the thread count', () => {
  const threads = capabilities().threads;
  try {
    const run = () => tidy(() => [Array.from(uniform([100003], -1, 1, 9).toArray()), Array.from(normal([100003], 0, 1, 9).toArray())]);
    setNumThreads(1);
    const one = run();
    setNumThreads(threads);
    assert.equal(run(), one);
  } finally {
    setNumThreads(threads);
  }
});

test('uniform stays in [lo, hi) with mean and variance of U(lo, hi) on 100k samples', () => {
  tidy(() => {
    const n = 100000, lo = -3, hi = 5;
    const a = uniform([n], lo, hi, 123).toArray();
    let min = Infinity, max = -Infinity;
    for (const v of a) { min = Math.min(min, v); max = Math.max(max, v); }
    assert.ok(min >= lo && max < hi, `range [${min}, ${max}]`);
    const { mean, std } = meanStd(a);
    // 5 standard errors: σ/√n for the mean, about σ/√(2n)·… for the std (a loose bound).
    const sigma = (hi - lo) / Math.sqrt(12);
    assert.ok(Math.abs(mean - (lo + hi) / 2) < 5 * sigma / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(std - sigma) < 0.01 * sigma, `std ${std} vs ${sigma}`);
  });
});

test('normal has the requested mean and std on 100k samples', () => {
  tidy(() => {
    const n = 100000;
    const { mean, std } = meanStd(normal([n], 2, 3, 77).toArray());
    assert.ok(Math.abs(mean - 2) < 5 * 3 / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(std - 3) < 5 * 3 / Math.sqrt(2 * n), `std ${std}`);
    const z = normal([n], 0, 0, 1).toArray();
    assert.ok(z.every((v) => v === 0), 'std 0 gives the mean');
  });
});

test('Xavier and He initialisers respect their bounds and stds', () => {
  tidy(() => {
    const [fanOut, fanIn] = [300, 500];
    const check = (name: string, a: ArrayLike<number>, bound: number | null, std: number) => {
      const s = meanStd(a);
      if (bound !== null) {
        let max = 0;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
        assert.ok(max <= bound && max > 0.99 * bound, `${name}: max |w| ${max} vs bound ${bound}`);
      }
      assert.ok(Math.abs(s.mean) < 5 * std / Math.sqrt(a.length), `${name}: mean ${s.mean}`);
      assert.ok(Math.abs(s.std - std) < 0.01 * std, `${name}: std ${s.std} vs ${std}`);
    };
    const xb = Math.sqrt(6 / (fanIn + fanOut)), hb = Math.sqrt(6 / fanIn);
    check('xavierUniform', xavierUniform([fanOut, fanIn], 1).toArray(), xb, xb / Math.sqrt(3));
    check('xavierUniform gain 2', xavierUniform([fanOut, fanIn], 1, 2).toArray(), 2 * xb, 2 * xb / Math.sqrt(3));
    check('xavierNormal', xavierNormal([fanOut, fanIn], 2).toArray(), null, Math.sqrt(2 / (fanIn + fanOut)));
    check('heUniform', heUniform([fanOut, fanIn], 3).toArray(), hb, hb / Math.sqrt(3));
    check('heNormal', heNormal([fanOut, fanIn], 4).toArray(), null, Math.sqrt(2 / fanIn));
    assert.equal(xavierUniform([4, 6], 5).shape, [4, 6]);
  });
});

test('SeedSequence derives reproducible, distinct seeds', () => {
  const a = new SeedSequence(2024), b = new SeedSequence(2024);
  const sa = [a.next(), a.next(), a.next()], sb = [b.next(), b.next(), b.next()];
  assert.equal(sa, sb);
  assert.is(new Set(sa).size, 3);
  for (const s of sa) assert.ok(Number.isSafeInteger(s) && s >= 0, `seed ${s}`);
  assert.is.not(new SeedSequence(2025).next(), sa[0]);
  assert.is(a.derive('user_emb'), b.derive('user_emb'));
  assert.is.not(a.derive('user_emb'), a.derive('item_emb'));
  assert.is.not(a.spawn().next(), b.next());
  tidy(() => {
    const x = uniform([10], 0, 1, new SeedSequence(5)).toArray();
    assert.equal(Array.from(x), Array.from(uniform([10], 0, 1, new SeedSequence(5).next()).toArray()));
  });
});

test('initialisers reject bad arguments with the op named', () => {
  tidy(() => {
    assert.throws(() => uniform([3], 1, 1, 0), /uniform: expected lo < hi but got \[1, 1\)/);
    assert.throws(() => normal([3], 0, -1, 0), /normal: expected std >= 0 but got -1/);
    assert.throws(() => uniform([3], 0, 1, -1), /uniform: expected a seed that is an integer in \[0, 2\^53\) but got -1/);
    assert.throws(() => normal([3], 0, 1, 1.5), /normal: expected a seed .* but got 1.5/);
    assert.throws(() => normal([3], NaN, 1, 1), /normal: expected finite parameters/);
    assert.throws(() => xavierUniform([8], 0), /xavierUniform: expected a weight shape \[fanOut, fanIn, \.\.\.\] of rank >= 2 but got \[8\]/);
    assert.throws(() => heNormal([0, 4], 0), /heNormal: expected non-zero fans but got \[0,4\]/);
    assert.throws(() => new SeedSequence(-3), /SeedSequence: expected a seed/);
  });
});

test.run();
