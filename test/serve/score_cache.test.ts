import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ScoreCache } from '../../src/serve/score_cache';
import { NCF } from '../../src/models/ncf';
import { synthetic } from '../../src/data/synthetic';
import { call, serveModel } from './helpers';

test('score cache: keeps copies, least recently used out first, bounded in bytes', () => {
  const c = new ScoreCache<object>(3 * 40); // three rows of 10 floats
  const keys = [{}, {}, {}, {}];
  const row = new Float32Array(10).fill(1);
  c.set(keys[0], row);
  row.fill(2); // the caller's buffer is reused: the cache holds its own copy
  assert.is(c.get(keys[0])![0], 1);
  c.set(keys[1], row);
  c.set(keys[2], row);
  assert.ok(c.get(keys[0]), 'key 0 read again: now the most recent');
  c.set(keys[3], row); // over the bound: key 1, the least recently used, goes
  assert.is(c.get(keys[1]), undefined);
  assert.ok(c.get(keys[0]) && c.get(keys[2]) && c.get(keys[3]));
  assert.is(c.size, 3);
  assert.is(c.usedBytes, 120);
  assert.is(c.hits, 5);
  assert.is(c.misses, 1);
});

test('score cache: 0 bytes keeps nothing; a row larger than the bound is not kept', () => {
  const off = new ScoreCache<object>(0), k = {};
  off.set(k, new Float32Array(4));
  assert.is(off.get(k), undefined);
  const small = new ScoreCache<object>(8);
  small.set(k, new Float32Array(4));
  assert.is(small.size, 0);
  small.set(k, new Float32Array(2));
  assert.is(small.size, 1);
  small.clear();
  assert.is(small.size, 0);
  assert.is(small.usedBytes, 0);
});

test('score cache: answers live with their row, count in its bytes, and go when it goes', () => {
  const c = new ScoreCache<object, string>(2 * 40 + 30);
  const [a, b, x] = [{}, {}, {}];
  c.setAnswer(x, 'k=10', 'no row, not kept', 10);
  assert.is(c.answer(x, 'k=10'), undefined);
  c.set(a, new Float32Array(10));
  c.setAnswer(a, 'k=10', 'top 10 of a', 30);
  assert.is(c.answer(a, 'k=10'), 'top 10 of a');
  assert.is(c.answer(a, 'k=5'), undefined, 'other options, other answer');
  assert.is(c.usedBytes, 70);
  assert.is(c.answerHits, 1);
  c.setAnswer(a, 'k=10', 'top 10 of a, raced', 30); // the same answer twice is kept and counted once
  assert.is(c.answer(a, 'k=10'), 'top 10 of a');
  assert.is(c.usedBytes, 70);
  c.set(b, new Float32Array(10)); // 110 bytes: at the bound
  assert.is(c.size, 2);
  c.setAnswer(b, 'k=10', 'top 10 of b', 30); // over it: a, the least recently used, goes with its answer
  assert.is(c.answer(a, 'k=10'), undefined);
  assert.is(c.get(a), undefined);
  assert.is(c.answer(b, 'k=10'), 'top 10 of b');
  assert.is(c.usedBytes, 70);
  c.set(b, new Float32Array(10)); // a row scored again replaces its answers
  assert.is(c.answer(b, 'k=10'), undefined);
  assert.is(c.usedBytes, 40);
});

test('a service answers a repeat request from the kept scores, the same as scoring anew; a write starts over', async () => {
  const data = synthetic({ nUsers: 50, nItems: 70, nRatings: 1200, seed: 8 });
  const model = () => new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 4, layers: [8, 4], seed: 5, initStd: 0.3 });
  const cached = await serveModel(model(), data), plain = await serveModel(model(), data, data, { scoreCacheBytes: 0 });
  try {
    const u = String(data.userIds.raw(3)), path = `/v1/users/${u}/recommendations?k=8`;
    const first = await call(cached.url, 'GET', path), again = await call(cached.url, 'GET', path), fresh = await call(plain.url, 'GET', path);
    assert.equal(again.body.items, first.body.items);
    assert.equal(fresh.body.items, first.body.items, 'the kept scores are the scores');
    const metrics = async (url: string) => (await fetch(url + '/metrics').then((r) => r.text()));
    assert.match(await metrics(cached.url), /neurec_score_cache\{what="answer_hits"\} 1\b/, 'the repeat is the kept answer');
    const five = await call(cached.url, 'GET', `/v1/users/${u}/recommendations?k=5`);
    assert.equal(five.body.items, first.body.items.slice(0, 5), 'other options: a top-k over the kept row');
    assert.match(await metrics(cached.url), /neurec_score_cache\{what="hits"\} [1-9]/);
    assert.match(await metrics(plain.url), /neurec_score_cache\{what="rows"\} 0/);
    // A write makes a new plan: the posted item leaves the list, and the answer is scored again
    // (a fold-in), on both services alike.
    const top = first.body.items[0].item;
    for (const s of [cached, plain]) assert.is((await call(s.url, 'POST', `/v1/users/${u}/interactions`, { item: top, kind: 'click', id: 'sc-1' })).status, 201);
    const after = await call(cached.url, 'GET', path), afterPlain = await call(plain.url, 'GET', path);
    assert.is(after.body.strategy, 'fold-in');
    assert.ok(!after.body.items.some((x: { item: string }) => x.item === top), 'the posted item is excluded');
    assert.equal(after.body.items, afterPlain.body.items);
  } finally {
    await cached.close();
    await plain.close();
  }
});

test.run();
