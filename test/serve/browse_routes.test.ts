/**
 * The read routes the page uses (popular items, what a user rated, the model's training run,
 * the profile fields in /v1/model) and the page itself at /, against a real server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { NCF } from '../../src/models/ncf';
import { synthetic } from '../../src/data/synthetic';
import { LiveModel } from '../../src/serve/live_model';
import { call, serveLive, tmpDir, type Running } from './helpers';

const data = synthetic({ nUsers: 60, nItems: 80, nRatings: 1500, seed: 3 });
const neumf = () => new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 4, layers: [8, 4], seed: 1, initStd: 0.3 });
const item = (i: number) => String(data.itemIds.raw(i));
const u0 = String(data.userIds.raw(0));
const genre = data.itemMeta!.genres.flat().find(Boolean)!;

/** A run folder as train writes it: config.json and two epochs of log.jsonl. */
const runDir = tmpDir('run');
fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify({ format: 'neurec-checkpoint/1', model: 'neumf', config: { factors: 4 }, dataset: data.name, info: { bestEpoch: 2 } }));
fs.writeFileSync(path.join(runDir, 'log.jsonl'), [1, 2].map((e) => JSON.stringify({ epoch: e, loss: 0.5 / e, seconds: 0.1, samplesPerSecond: 1000, valid: { 'hr@10': 0.3 * e }, best: true, lrScale: 1 })).join('\n') + '\n');

let s: Running;
test.before(async () => {
  s = await serveLive(LiveModel.fromModel(neumf(), data, data, { source: runDir }));
});
test.after(async () => s.close());

test('GET /v1/items/popular: the most interacted-with items, optionally of one genre', async () => {
  const r = await call(s.url, 'GET', '/v1/items/popular?k=5');
  assert.is(r.status, 200);
  assert.is(r.body.items.length, 5);
  const counts = new Map<string, number>();
  for (let k = 0; k < data.length; k++) counts.set(item(data.items[k]), (counts.get(item(data.items[k])) ?? 0) + 1);
  const top = Math.max(...counts.values());
  assert.is(r.body.items[0].count, top);
  r.body.items.forEach((it: any, j: number) => {
    assert.is(it.rank, j + 1);
    assert.is(it.count, counts.get(it.item));
    if (j) assert.ok(r.body.items[j - 1].count >= it.count);
    assert.type(it.title, 'string');
  });
  const g = await call(s.url, 'GET', `/v1/items/popular?k=50&genre=${encodeURIComponent(genre)}`);
  assert.ok(g.body.items.length > 0);
  for (const it of g.body.items) assert.ok(it.genres.includes(genre));
  for (const [q, field] of [['k=0', 'k'], ['genre=Nope', 'genre'], ['x=1', 'x']]) {
    const bad = await call(s.url, 'GET', `/v1/items/popular?${q}`);
    assert.is(bad.status, 400, q);
    assert.is(bad.body.field, field);
  }
});

test('GET /v1/users/:user/interactions: stored events newest first, then training data best rated first', async () => {
  const known = await call(s.url, 'GET', `/v1/users/${u0}/interactions?limit=1000`);
  assert.is(known.status, 200);
  assert.is(known.body.known, true);
  const train = [];
  for (let k = 0; k < data.length; k++) if (data.users[k] === 0) train.push(data.ratings[k]);
  assert.is(known.body.total, train.length);
  const ratings = known.body.items.map((it: any) => it.rating);
  assert.equal(ratings, [...ratings].sort((a: number, b: number) => b - a), 'best rated first');
  assert.ok(known.body.items.every((it: any) => it.source === 'training'));

  await call(s.url, 'POST', `/v1/users/${u0}/interactions`, { events: [{ item: item(7), rating: 2 }, { item: item(8), kind: 'click' }] });
  const after = await call(s.url, 'GET', `/v1/users/${u0}/interactions?limit=3`);
  assert.is(after.body.total, train.length + 2);
  assert.is(after.body.items.length, 3);
  assert.equal(after.body.items.slice(0, 2).map((it: any) => [it.item, it.kind, it.rating, it.source]), [[item(8), 'click', null, 'event'], [item(7), 'rating', 2, 'event']]);

  const fresh = await call(s.url, 'GET', '/v1/users/nobody-yet/interactions');
  assert.equal([fresh.body.known, fresh.body.total, fresh.body.items], [false, 0, []]);
  assert.is((await call(s.url, 'GET', `/v1/users/${u0}/interactions?limit=0`)).body.field, 'limit');
  assert.is((await call(s.url, 'GET', `/v1/users/${'u'.repeat(201)}/interactions`)).body.field, 'user');
});

test('GET /v1/model/training: the checkpoint\'s config and per-epoch log; a 404 that says why without one', async () => {
  const r = await call(s.url, 'GET', '/v1/model/training');
  assert.is(r.status, 200);
  assert.is(r.body.model, 'neumf');
  assert.is(r.body.hasLog, true);
  assert.equal(r.body.log.map((p: any) => [p.epoch, p.loss, p.valid['hr@10'], p.perSecond]), [[1, 0.5, 0.3, 1000], [2, 0.25, 0.6, 1000]]);
  const bare = await serveLive(LiveModel.fromModel(neumf(), data));
  try {
    const nf = await call(bare.url, 'GET', '/v1/model/training');
    assert.is(nf.status, 404);
    assert.match(nf.body.error, /not loaded from a checkpoint folder/);
  } finally {
    await bare.close();
  }
});

test('GET /v1/model names an example user and the occupations a profile may give', async () => {
  const m = await call(s.url, 'GET', '/v1/model');
  assert.is(m.body.data.example_user, u0);
  const occ = [...new Set(data.userMeta!.occupation.filter(Boolean))].sort();
  assert.equal(m.body.data.occupations, occ);
});

test('GET / is the page: an HTML shell whose script and styles the service serves itself', async () => {
  const r = await call(s.url, 'GET', '/');
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type')!, /^text\/html/);
  assert.match(r.body, /<script src="\/assets\/page\.js" defer><\/script>/);
  assert.not.match(r.body, /https?:\/\//, 'nothing from elsewhere');
  const js = await call(s.url, 'GET', '/assets/page.js');
  assert.is(js.status, 200);
  assert.match(js.headers.get('content-type')!, /javascript/);
  assert.ok(js.body.length > 10_000 && js.body.length < 200_000, `page.js is ${js.body.length} bytes`);
  assert.match((await call(s.url, 'GET', '/assets/page.css')).headers.get('content-type')!, /text\/css/);
  assert.is((await call(s.url, 'GET', '/assets/other.js')).status, 400);
  const wrong = await call(s.url, 'POST', '/', {});
  assert.is(wrong.status, 405);
  assert.is((await call(s.url, 'DELETE', `/v1/users/${u0}/interactions`)).headers.get('allow'), 'POST, GET');
});

test.run();
