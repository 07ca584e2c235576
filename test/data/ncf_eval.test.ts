/** The NCF evaluation set: each rule of movielens.py's docstring, and the peers' fingerprints. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { loadMl100k, loadMl1m } from '../../src/data/movielens';
import { loadNcf } from '../../src/data/ncf_files';
import { fingerprint, fnv1a32, ncfEvalSet } from '../../src/data/ncf_eval';
import { XorShift32 } from '../../src/data/rng';
import { Interactions } from '../../src/data/dataset';
import { fixtureDir, realData, trickyUData } from './helpers';

test('xorshift32 and FNV-1a match the Python reference bit for bit', () => {
  const x = new XorShift32(42);
  assert.equal([x.next(), x.next(), x.next(), x.next(), x.next()], [11355432, 2836018348, 476557059, 3648046016, 3759983556]);
  const hex = (s: string) => fnv1a32(Buffer.from(s)).toString(16).padStart(8, '0');
  assert.is(hex(''), '811c9dc5');
  assert.is(hex('a'), 'e40c292c');
  assert.is(hex('foobar'), 'bf9cf968');
  // The fingerprint hashes int32 little-endian: the same as hashing those bytes.
  const users = Int32Array.of(0, 1), items = Int32Array.of(5, -2), negatives = Int32Array.of(7, 8, 9, 70000);
  const bytes = new Uint8Array(Int32Array.of(0, 5, 7, 8, 1, -2, 9, 70000).buffer);
  assert.is(fingerprint({ users, items, negatives, nNeg: 2 }), fnv1a32(bytes).toString(16).padStart(8, '0'));
});

/** The rules written the slowest, plainest way, to check the fast implementation. */
function reference(d: Interactions, nNeg = 99, seed = 42) {
  const held: number[] = [];
  for (let u = 0; u < d.nUsers; u++) {
    let best = -1;
    for (let r = 0; r < d.length; r++) {
      if (d.users[r] !== u) continue;
      if (best < 0 || d.timestamps![r] >= d.timestamps![best]) best = r;
    }
    held.push(best);
  }
  const rng = new XorShift32(seed);
  const negs: number[][] = [];
  for (let u = 0; u < d.nUsers; u++) {
    const seen = new Set<number>();
    for (let r = 0; r < d.length; r++) if (d.users[r] === u) seen.add(d.items[r]);
    const chosen: number[] = [];
    while (chosen.length < nNeg) {
      const c = rng.next() % d.nItems;
      if (!seen.has(c) && !chosen.includes(c)) chosen.push(c);
    }
    negs.push(chosen);
  }
  return { held, negs };
}

test('rules 1-3 on a fixture with ties and unsorted raw ids; the peer\'s fingerprint', () => {
  const dir = fixtureDir({ 'u.data': trickyUData() });
  const d = loadMl100k(dir);
  // Rule 1: dense ids in ascending raw order.
  const raw = d.userIds.toArray() as number[];
  assert.equal(raw, [...raw].sort((a, b) => a - b));
  const e = ncfEvalSet(d);
  const ref = reference(d);
  assert.is(e.source, 'sampled');
  assert.equal(Array.from(e.users), Array.from({ length: d.nUsers }, (_, u) => u));
  assert.equal(Array.from(e.items), ref.held.map((r) => d.items[r]));
  assert.equal(Array.from(e.negatives), ref.negs.flat());
  assert.is(e.train.length, d.length - d.nUsers);
  // Ties really occurred at the top, so the tie-break was exercised.
  let ties = 0;
  for (let u = 0; u < d.nUsers; u++) {
    const t = d.timestamps![ref.held[u]];
    for (let r = 0; r < d.length; r++) if (d.users[r] === u && r !== ref.held[u] && d.timestamps![r] === t) { ties++; break; }
  }
  assert.ok(ties > 10, `${ties} users with tied latest timestamps`);
  // Pinned from ../shared/peers/movielens.py run on this exact file.
  assert.is(e.fingerprint, '73315b26');
  assert.ok(e.negValid.every((v) => v === 1));
  // The same ratings in ml-1m's format give the same set.
  const dat = trickyUData().replace(/\t/g, '::');
  assert.is(ncfEvalSet(loadMl1m(fixtureDir({ 'ratings.dat': dat }))).fingerprint, '73315b26');
});

test('held-out rows leave train; negatives are distinct and never interacted', () => {
  const d = loadMl100k(fixtureDir({ 'u.data': trickyUData() }));
  const e = ncfEvalSet(d, { nNeg: 50, seed: 7 });
  assert.is(e.nNeg, 50);
  for (let u = 0; u < d.nUsers; u++) {
    const seen = new Set<number>();
    for (let r = 0; r < d.length; r++) if (d.users[r] === u) seen.add(d.items[r]);
    const negs = Array.from(e.negatives.subarray(u * 50, (u + 1) * 50));
    assert.is(new Set(negs).size, 50);
    assert.ok(negs.every((i) => !seen.has(i) && i >= 0 && i < d.nItems));
    assert.ok(seen.has(e.items[u]));
  }
  // Train is every row but the held-out one of each user (a user's held item may repeat only if rated twice).
  assert.is(e.train.length + d.nUsers, d.length);
  assert.not.equal(e.fingerprint, ncfEvalSet(d).fingerprint);
});

test('a user with too few unseen items, and a user with no rows, are errors', () => {
  const lines = Array.from({ length: 150 }, (_, i) => `1\t${i + 1}\t5\t${i}`).join('\n') + '\n2\t1\t3\t5\n';
  assert.throws(() => ncfEvalSet(loadMl100k(fixtureDir({ 'u.data': lines }))), /user 1 has rated all but 0 items: fewer than the 99 negatives/);
});

test('rule 6: NCF-format data uses its own test items and negatives, as given', () => {
  const dir = fixtureDir({
    'toy.train.rating': '0\t0\t5\n0\t1\t3\n1\t0\t4\n1\t3\t2\n',
    'toy.test.rating': '0\t2\t4\t300\n1\t2\t5\t400\n',
    'toy.test.negative': '(0,2)\t3\t4\t5\n(1,2)\t1\t4\t2\n',
  });
  const d = loadNcf(dir);
  const e = ncfEvalSet(d);
  assert.is(e.source, 'files');
  assert.equal(Array.from(e.items), [2, 2]);
  assert.equal(Array.from(e.negatives), [3, 4, 5, 1, 4, 2]);
  assert.equal(Array.from(e.negValid), [1, 1, 1, 1, 1, 0], 'the held-out item among its own negatives is not counted');
  assert.is(e.train.length, 4);
  assert.equal(Array.from(e.train.items), [0, 1, 0, 3]);
  const bytes = new Uint8Array(Int32Array.of(0, 2, 3, 4, 5, 1, 2, 1, 4, 2).buffer);
  assert.is(e.fingerprint, fnv1a32(bytes).toString(16).padStart(8, '0'));
  assert.is(ncfEvalSet(d, { resample: true, nNeg: 2 }).source, 'sampled');
});

test('real ml-100k: fingerprint 56b0a832 (the PyTorch peer\'s)', () => {
  const dir = realData('ml-100k');
  if (!dir) return;
  const e = ncfEvalSet(loadMl100k(dir));
  assert.equal([e.nUsers, e.nItems, e.train.length], [943, 1682, 99057]);
  assert.is(e.fingerprint, '56b0a832');
});

test('real ml-1m-ncf: fingerprint f1b4633b, 156 held-out items among their negatives', () => {
  const dir = realData('ml-1m-ncf');
  if (!dir) return;
  const e = ncfEvalSet(loadNcf(path.resolve(dir)));
  assert.equal([e.nUsers, e.nItems, e.train.length, e.nNeg], [6040, 3706, 994169, 99]);
  assert.is(e.fingerprint, 'f1b4633b');
  let dup = 0;
  for (const v of e.negValid) if (!v) dup++;
  assert.is(dup, 156);
});

test.run();
