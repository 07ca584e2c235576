/** Splits: disjoint and complete, users kept in train, seeded reproducibility, time order. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Interactions } from '../../src/data/dataset';
import { carveValidation, leaveOneOut, randomSplit, temporalSplit, Split } from '../../src/data/split';
import { ncfEvalSet } from '../../src/data/ncf_eval';
import { synthetic } from '../../src/data/synthetic';

const data = synthetic({ nUsers: 300, nItems: 400, nRatings: 15000, seed: 3 });

/** Row keys (user, item, time) of a part: rows are identified by their content. */
function keys(d: Interactions): string[] {
  return Array.from({ length: d.length }, (_, r) => `${d.users[r]}:${d.items[r]}:${d.timestamps![r]}`);
}

function checkPartition(s: Split, src: Interactions): void {
  const parts = [s.train, s.test, ...(s.valid ? [s.valid] : [])];
  const all = parts.flatMap(keys);
  assert.is(all.length, src.length, 'parts add up to the data');
  assert.is(new Set(all).size, src.length, 'no row in two parts');
  for (const p of parts) {
    assert.is(p.nUsers, src.nUsers, 'id maps are shared');
    assert.is(p.itemIds, src.itemIds);
  }
}

function usersOf(d: Interactions): Set<number> {
  return new Set(d.users);
}

test('leaveOneOut: one latest row per user, the rest train', () => {
  const s = leaveOneOut(data);
  checkPartition(s, data);
  assert.is(s.test.length, data.nUsers);
  const latest = new Float64Array(data.nUsers);
  for (let r = 0; r < s.train.length; r++) latest[s.train.users[r]] = Math.max(latest[s.train.users[r]], s.train.timestamps![r]);
  for (let r = 0; r < s.test.length; r++) assert.ok(s.test.timestamps![r] >= latest[s.test.users[r]]);
  // A user with a single interaction keeps it in train.
  const one = synthetic({ nUsers: 2, nItems: 30, nRatings: 30, minPerUser: 1, seed: 1 });
  const s1 = leaveOneOut(one, { minInteractions: 100 });
  assert.is(s1.test.length, 0);
});

test('randomSplit 80/20 and 90/10: sizes, disjoint, every test user in train, seeded', () => {
  for (const tf of [0.2, 0.1]) {
    const s = randomSplit(data, { testFraction: tf, seed: 5 });
    checkPartition(s, data);
    assert.ok(Math.abs(s.test.length - Math.round(data.length * tf)) <= 5);
    const trainUsers = usersOf(s.train);
    for (const u of usersOf(s.test)) assert.ok(trainUsers.has(u));
    assert.equal(keys(randomSplit(data, { testFraction: tf, seed: 5 }).test), keys(s.test), 'same seed, same split');
    assert.not.equal(keys(randomSplit(data, { testFraction: tf, seed: 6 }).test), keys(s.test), 'another seed, another split');
  }
  const v = randomSplit(data, { testFraction: 0.2, validFraction: 0.1, seed: 1 });
  checkPartition(v, data);
  assert.ok(Math.abs(v.valid!.length - Math.round(data.length * 0.8 * 0.1)) <= 5);
  const trainUsers = usersOf(v.train);
  for (const u of usersOf(v.valid!)) assert.ok(trainUsers.has(u));
  assert.throws(() => randomSplit(data, { testFraction: 1 }), /testFraction must be in \[0, 1\)/);
});

test('temporalSplit: global cut and per-user cut respect time', () => {
  const g = temporalSplit(data, { testFraction: 0.2, validFraction: 0.1 });
  checkPartition(g, data);
  const maxOf = (d: Interactions) => Math.max(...d.timestamps!);
  const minOf = (d: Interactions) => Math.min(...d.timestamps!);
  assert.ok(maxOf(g.train) <= minOf(g.valid!));
  assert.ok(maxOf(g.valid!) <= minOf(g.test));
  assert.is(g.test.length, Math.round(data.length * 0.2));
  const p = temporalSplit(data, { testFraction: 0.25, perUser: true });
  checkPartition(p, data);
  const lastTrain = new Float64Array(data.nUsers).fill(-Infinity);
  for (let r = 0; r < p.train.length; r++) lastTrain[p.train.users[r]] = Math.max(lastTrain[p.train.users[r]], p.train.timestamps![r]);
  for (let r = 0; r < p.test.length; r++) assert.ok(p.test.timestamps![r] >= lastTrain[p.test.users[r]]);
  const trainUsers = usersOf(p.train);
  for (const u of usersOf(p.test)) assert.ok(trainUsers.has(u));
  const noTime = { ...data, timestamps: null } as Interactions;
  assert.throws(() => temporalSplit(noTime), /has no timestamps/);
});

test('carveValidation picks a random row, not the last line, when timestamps are all missing', () => {
  const e = ncfEvalSet(data);
  const nan = { ...e.train, timestamps: new Float64Array(e.train.length).fill(NaN) } as Interactions;
  const viaNan = carveValidation(nan, { seed: 4 });
  const viaRandom = carveValidation(e.train, { seed: 4, pick: 'random' });
  assert.equal(Array.from(viaNan.valid.items), Array.from(viaRandom.valid.items));
});

test('carveValidation: one training item per user, negatives avoid train and test', () => {
  const e = ncfEvalSet(data);
  const { train, valid } = carveValidation(e.train, { seed: 4, exclude: e });
  assert.is(valid.users.length, data.nUsers);
  assert.is(train.length + valid.users.length, e.train.length);
  const trainKeys = new Set(keys(train).map((k) => k.split(':').slice(0, 2).join(':')));
  const allSeen = new Set<string>();
  for (let r = 0; r < data.length; r++) allSeen.add(`${data.users[r]}:${data.items[r]}`);
  for (let k = 0; k < valid.users.length; k++) {
    const u = valid.users[k];
    assert.ok(allSeen.has(`${u}:${valid.items[k]}`), 'the validation item is a real interaction');
    assert.not.ok(trainKeys.has(`${u}:${valid.items[k]}`), 'the validation item left train');
    const negs = Array.from(valid.negatives.subarray(k * 99, (k + 1) * 99));
    assert.is(new Set(negs).size, 99);
    for (const i of negs) assert.ok(!allSeen.has(`${u}:${i}`), 'a validation negative is never an interaction (train or test)');
  }
  const again = carveValidation(e.train, { seed: 4, exclude: e });
  assert.equal(Array.from(again.valid.negatives), Array.from(valid.negatives));
  // 'latest' is the default with timestamps: each validation item is the user's latest training row.
  const latest = new Float64Array(data.nUsers).fill(-Infinity);
  for (let r = 0; r < train.length; r++) latest[train.users[r]] = Math.max(latest[train.users[r]], train.timestamps![r]);
  const vt = new Map<number, number>();
  for (let r = 0; r < e.train.length; r++) {
    const u = e.train.users[r];
    if (e.train.items[r] === valid.items[u]) vt.set(u, e.train.timestamps![r]);
  }
  for (let u = 0; u < data.nUsers; u++) assert.ok(vt.get(u)! >= latest[u]);
});

test.run();
