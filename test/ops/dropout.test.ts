import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeedSequence, Tensor, dropout, tidy } from '../../src';
import { dropoutMaskRef } from '../ref/init';
import { Rng, f32 } from '../util/rand';
import { assertClose } from '../util/close';
import { gradcheck } from '../util/gradcheck';

const rng = new Rng(11);

for (const n of [1, 13, 1000]) {
  test(`dropout of ${n} values matches the reference mask`, () => {
    const x = f32(rng.uniform(n));
    tidy(() => {
      const y = dropout(Tensor.fromArray(x, [n]), 0.3, { training: true, seed: 17 });
      const mask = dropoutMaskRef(n, 0.3, 17);
      assertClose(y.toArray(), x.map((v, i) => v * mask[i]), { atol: 1e-7, rtol: 1e-6 });
    });
  });
}

for (const p of [0.1, 0.5, 0.9]) {
  test(`dropout p=${p} drops about p of 100k values and scales the rest by 1/(1-p)`, () => {
    tidy(() => {
      const n = 100000;
      const y = dropout(Tensor.fromArray(new Float32Array(n).fill(2), [n]), p, { training: true, seed: 3 }).toArray();
      const scaled = Math.fround(2 * Math.fround(1 / (1 - p)));
      let zeros = 0;
      for (const v of y) {
        if (v === 0) zeros++;
        else assert.ok(Math.abs(v - scaled) < 1e-6 * scaled, `kept value ${v} vs ${scaled}`);
      }
      const frac = zeros / n;
      assert.ok(Math.abs(frac - p) < 5 * Math.sqrt(p * (1 - p) / n), `dropped ${frac}, expected ${p}`);
    });
  });
}

test('dropout is the identity in eval mode and for p=0; seeds reproduce masks', () => {
  tidy(() => {
    const x = Tensor.fromArray(f32(rng.uniform(50)), [5, 10]);
    assert.is(dropout(x, 0.5, { training: false }), x);
    assert.is(dropout(x, 0, { training: true, seed: 1 }), x);
    const a = dropout(x, 0.5, { training: true, seed: 8 }).toArray();
    const b = dropout(x, 0.5, { training: true, seed: 8 }).toArray();
    const c = dropout(x, 0.5, { training: true, seed: 9 }).toArray();
    assert.equal(Array.from(a), Array.from(b));
    assert.not.equal(Array.from(a), Array.from(c));
    const seq = new SeedSequence(1), again = new SeedSequence(1);
    const s1 = dropout(x, 0.5, { training: true, seed: seq }).toArray(), s2 = dropout(x, 0.5, { training: true, seed: seq }).toArray();
    assert.not.equal(Array.from(s1), Array.from(s2), 'a SeedSequence gives each call a new mask');
    assert.equal(Array.from(s1), Array.from(dropout(x, 0.5, { training: true, seed: again }).toArray()));
  });
});

test('dropout gradient with a fixed seed matches finite differences', () => {
  const [M, N] = [6, 11];
  const x = f32(rng.uniform(M * N));
  const mask = dropoutMaskRef(M * N, 0.4, 99);
  gradcheck({
    inputs: [{ values: x, shape: [M, N] }],
    engine: ([X]) => dropout(X, 0.4, { training: true, seed: 99 }),
    ref: ([X]) => X.map((v, i) => v * mask[i]),
    what: 'dropout',
  });
});

test('dropout rejects bad arguments with the op named', () => {
  tidy(() => {
    const x = Tensor.empty([4]);
    assert.throws(() => dropout(x, 1, { training: true, seed: 0 }), /dropout: expected p in \[0, 1\) but got 1/);
    assert.throws(() => dropout(x, -0.1, { training: true, seed: 0 }), /dropout: expected p in \[0, 1\) but got -0.1/);
    assert.throws(() => dropout(x, 0.5, { training: true }), /dropout: expected a seed/);
    assert.throws(() => dropout(x, 0.5, { training: true, seed: -2 }), /dropout: expected a seed .* but got -2/);
    assert.throws(() => dropout(Tensor.empty([4], 'int32'), 0.5, { training: true, seed: 0 }), /dropout: expected x to be float32/);
  });
});

test.run();
