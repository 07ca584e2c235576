/** Negative sampling: never an interacted item, right counts, per-epoch reproducibility, speed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NegativeSampler } from '../../src/data/negatives';
import { ncfEvalSet } from '../../src/data/ncf_eval';
import { loadNcf } from '../../src/data/ncf_files';
import { synthetic } from '../../src/data/synthetic';
import { realData } from './helpers';

const data = synthetic({ nUsers: 200, nItems: 300, nRatings: 12000, seed: 9 });

function seenSets(users: Int32Array, items: Int32Array): Map<number, Set<number>> {
  const m = new Map<number, Set<number>>();
  for (let r = 0; r < users.length; r++) {
    if (!m.has(users[r])) m.set(users[r], new Set());
    m.get(users[r])!.add(items[r]);
  }
  return m;
}

test('4 negatives per positive, none interacted, reproducible per epoch, fresh across epochs', () => {
  const s = new NegativeSampler(data, { seed: 1 });
  const neg = s.sample(0);
  assert.is(neg.length, data.length * 4);
  const seen = seenSets(data.users, data.items);
  for (let r = 0; r < data.length; r++) {
    for (let k = 0; k < 4; k++) {
      const i = neg[r * 4 + k];
      assert.ok(i >= 0 && i < data.nItems && !seen.get(data.users[r])!.has(i));
    }
  }
  assert.equal(Array.from(new NegativeSampler(data, { seed: 1 }).sample(0)), Array.from(neg), 'same seed and epoch');
  assert.equal(Array.from(s.sample(3)), Array.from(new NegativeSampler(data, { seed: 1 }).sample(3)), 'any epoch alone');
  assert.not.equal(Array.from(s.sample(1)), Array.from(neg), 'a new epoch draws new negatives');
  assert.not.equal(Array.from(new NegativeSampler(data, { seed: 2 }).sample(0)), Array.from(neg));
});

test('uniform over the non-interacted items', () => {
  // One user who has items 0..9 of 20: the others should each get about 1/10 of the draws.
  const users = new Int32Array(10), items = Int32Array.from({ length: 10 }, (_, i) => i);
  const s = new NegativeSampler({ users, items, nUsers: 1, nItems: 20 }, { perPositive: 1000 });
  const count = new Int32Array(20);
  for (const i of s.sample(0)) count[i]++;
  for (let i = 0; i < 10; i++) assert.is(count[i], 0);
  for (let i = 10; i < 20; i++) assert.ok(Math.abs(count[i] - 1000) < 150, `item ${i}: ${count[i]} of 10000`);
});

test('exclude, instances, and errors', () => {
  const e = ncfEvalSet(data);
  const s = new NegativeSampler(e.train, { perPositive: 2, seed: 3, exclude: e });
  const neg = s.sample(0);
  for (let r = 0; r < e.train.length; r++) {
    const u = e.train.users[r];
    assert.ok(neg[2 * r] !== e.items[u] && neg[2 * r + 1] !== e.items[u], 'held-out test items are excluded when asked');
  }
  const inst = s.instances(0);
  assert.is(inst.users.length, e.train.length * 3);
  let pos = 0;
  for (const l of inst.labels) pos += l;
  assert.is(pos, e.train.length);
  const plain = s.instances(0, { shuffle: false });
  assert.equal([plain.users[0], plain.items[0], plain.labels[0]], [e.train.users[0], e.train.items[0], 1]);
  assert.equal([plain.items[1], plain.labels[1]], [neg[0], 0]);
  const full = { users: new Int32Array([0, 0]), items: new Int32Array([0, 1]), nUsers: 1, nItems: 2 };
  assert.throws(() => new NegativeSampler(full), /user 0 has interacted with all 2 items/);
  assert.throws(() => new NegativeSampler(data, { perPositive: -1 }), /perPositive must be a non-negative integer/);
});

test('shuffled instances: the unshuffled ones in a uniform order, over many buckets too', () => {
  // 1,000 users x 60 items x 5 = 300,000 instances: more than one shuffle bucket (2^18 each).
  const nUsers = 1000, per = 60, nItems = 500;
  const users = new Int32Array(nUsers * per), items = new Int32Array(nUsers * per);
  for (let u = 0; u < nUsers; u++) for (let k = 0; k < per; k++) { users[u * per + k] = u; items[u * per + k] = (u * 7 + k * 13) % nItems; }
  const s = new NegativeSampler({ users, items, nUsers, nItems }, { seed: 5 });
  const key = (i: { users: Int32Array; items: Int32Array; labels: Uint8Array }, k: number) => (i.users[k] * nItems + i.items[k]) * 2 + i.labels[k];
  const plain = s.instances(3, { shuffle: false });
  // The arrays are reused by the next call: keep the keys.
  const inOrder = Float64Array.from({ length: plain.users.length }, (_, k) => key(plain, k));
  const want = inOrder.slice().sort();
  const shuffled = s.instances(3);
  const n = shuffled.users.length;
  assert.is(n, 300000);
  const got = Float64Array.from({ length: n }, (_, k) => key(shuffled, k));
  // The first user's 300 instances spread over the whole epoch, a tenth in each tenth.
  const tenths = new Int32Array(10);
  let moved = 0;
  for (let k = 0; k < n; k++) {
    if (shuffled.users[k] === 0) tenths[Math.floor((k * 10) / n)]++;
    if (got[k] !== inOrder[k]) moved++;
  }
  for (const t of tenths) assert.ok(t > 10 && t < 55, `first user per tenth: ${Array.from(tenths)}`);
  assert.ok(moved > n * 0.99, `${moved} of ${n} moved`);
  assert.equal(got.sort(), want, 'the same instances, negatives included');
  const again = new NegativeSampler({ users, items, nUsers, nItems }, { seed: 5 }).instances(3);
  assert.equal(Array.from(again.items.subarray(0, 1000)), Array.from(s.instances(3).items.subarray(0, 1000)), 'seeded');
});

test('ml-1m-ncf: 994k positives x 4 negatives well under a second', () => {
  const dir = realData('ml-1m-ncf');
  if (!dir) return;
  const e = ncfEvalSet(loadNcf(dir));
  const s = new NegativeSampler(e.train, { seed: 0 });
  s.sample(0); // warm up the JIT
  const t = process.hrtime.bigint();
  const neg = s.sample(1);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  assert.is(neg.length, 994169 * 4);
  console.log(`  (ml-1m-ncf negatives: ${neg.length} in ${ms.toFixed(0)} ms)`);
  assert.ok(ms < 1000, `sampling took ${ms} ms`);
});

test.run();
