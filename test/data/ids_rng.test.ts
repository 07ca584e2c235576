/** IdMap and densifying; the seeded generators. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdMap, densifyNumbers, densifyStrings } from '../../src/data/ids';
import { Rng, XorShift32 } from '../../src/data/rng';

test('densify: ascending raw order, both directions, small and huge ids', () => {
  for (const raw of [[30, 10, 20, 10, 30], [3e12, 1e12, 2e12, 1e12, 3e12]]) {
    const { dense, ids } = densifyNumbers(Float64Array.from(raw));
    assert.equal(Array.from(dense), [2, 0, 1, 0, 2]);
    assert.equal(ids.toArray(), [...new Set(raw)].sort((a, b) => a - b));
    assert.is(ids.dense(raw[1]), 0);
    assert.is(ids.raw(2), raw[0]);
    assert.is(ids.dense(12345), -1);
  }
  const s = densifyStrings(['b', 'a', 'c', 'a']);
  assert.equal(Array.from(s.dense), [1, 0, 2, 0]);
  assert.is(s.ids.dense('c'), 2);
  assert.is(s.ids.dense(5), -1);
  assert.throws(() => s.ids.denseOrThrow('zz', 'user'), /unknown user "zz": not among the 3 users/);
  assert.throws(() => s.ids.raw(3), /dense id 3 out of range \[0, 3\)/);
  const id = IdMap.identity(5);
  assert.equal([id.dense(4), id.dense(5), id.dense('2'), id.raw(3)], [4, -1, 2, 3]);
  assert.is(id.subset(Int32Array.of(0, 1)).kind, 'identity');
  assert.equal(id.subset(Int32Array.of(1, 3)).toArray(), [1, 3]);
  assert.throws(() => IdMap.fromSortedNumbers([1, 1]), /ascending and distinct/);
});

test('Rng: seeded, derived streams independent, ints in range, permutations', () => {
  const a = new Rng(1), b = new Rng(1), c = new Rng(2);
  const xs = Array.from({ length: 5 }, () => a.nextU32());
  assert.equal(Array.from({ length: 5 }, () => b.nextU32()), xs);
  assert.not.equal(Array.from({ length: 5 }, () => c.nextU32()), xs);
  assert.not.equal(Rng.derive(1, 0).nextU32(), Rng.derive(1, 1).nextU32());
  assert.is(Rng.derive(1, 7).nextU32(), Rng.derive(1, 7).nextU32());
  const r = new Rng(3);
  const hist = new Int32Array(7);
  for (let k = 0; k < 7000; k++) hist[r.int(7)]++;
  assert.ok(hist.every((h) => h > 850 && h < 1150), `${hist}`);
  const p = r.permutation(100);
  assert.equal(Array.from(p).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  let sum = 0, sq = 0;
  for (let k = 0; k < 10000; k++) { const z = r.normal(); sum += z; sq += z * z; }
  assert.ok(Math.abs(sum / 10000) < 0.05 && Math.abs(sq / 10000 - 1) < 0.05);
  assert.throws(() => new XorShift32(0), /non-zero/);
  assert.throws(() => new Rng(NaN), /finite/);
});

test.run();
