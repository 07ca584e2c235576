/**
 * Every route of the service with good and bad input, against a real server on a loopback
 * port and a real SQLite store.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NCF } from '../../src/models/ncf';
import { Popularity } from '../../src/models/popularity';
import { synthetic } from '../../src/data/synthetic';
import { LiveModel } from '../../src/serve/live_model';
import { call, serveModel, type Running } from './helpers';

const data = synthetic({ nUsers: 60, nItems: 80, nRatings: 1500, seed: 3 });
const neumf = (seed: number) => new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 4, layers: [8, 4], seed, initStd: 0.3 });
const TOKEN = 'test-token-123';
let s: Running;
const u0 = String(data.userIds.raw(0));
const item = (i: number) => String(data.itemIds.raw(i));
const genre = data.itemMeta!.genres.flat().find(Boolean)!;

test.before(async () => {
  s = await serveModel(neumf(1), data, data, {
    adminToken: TOKEN,
    loadModel: async (dir) => {
      if (dir === 'broken') throw new Error('no such checkpoint');
      return LiveModel.fromModel(neumf(Number(dir)), data);
    },
  });
});
test.after(async () => s.close());

test('GET recommendations: k unseen items in score order, titles and genres, the model version', async () => {
  const r = await call(s.url, 'GET', `/v1/users/${u0}/recommendations?k=7`);
  assert.is(r.status, 200);
  assert.is(r.body.user, u0);
  assert.is(r.body.model, 'neumf');
  assert.is(r.body.strategy, 'model');
  assert.match(r.body.model_version, /^neumf@[0-9a-f]{12}$/);
  assert.is(r.headers.get('x-model-version'), r.body.model_version);
  assert.is(r.body.items.length, 7);
  const seen = new Set<string>();
  for (let k = 0; k < data.length; k++) if (data.users[k] === 0) seen.add(item(data.items[k]));
  r.body.items.forEach((it: any, j: number) => {
    assert.is(it.rank, j + 1);
    assert.not.ok(seen.has(it.item), `item ${it.item} was in the user's training data`);
    assert.type(it.title, 'string');
    assert.ok(Array.isArray(it.genres));
    if (j) assert.ok(r.body.items[j - 1].score >= it.score);
  });
  const all = await call(s.url, 'GET', `/v1/users/${u0}/recommendations?k=80&exclude_seen=false`);
  assert.is(all.body.items.length, 80, 'exclude_seen=false ranks every item');
  assert.ok(all.body.items.some((it: any) => seen.has(it.item)));
});

test('GET recommendations: genre filter and re-ranking', async () => {
  const g = await call(s.url, 'GET', `/v1/users/${u0}/recommendations?k=5&genre=${encodeURIComponent(genre)}`);
  assert.is(g.status, 200);
  assert.ok(g.body.items.length > 0);
  for (const it of g.body.items) assert.ok(it.genres.includes(genre), `${it.item} lacks ${genre}`);
  const rr = await call(s.url, 'GET', `/v1/users/${u0}/recommendations?k=5&rerank=true`);
  assert.is(rr.status, 200);
  assert.is(rr.body.items.length, 5);
});

test('GET recommendations: bad query parameters are 400s naming the field', async () => {
  for (const [q, field] of [['k=0', 'k'], ['k=1001', 'k'], ['k=abc', 'k'], ['k=2.5', 'k'], ['genre=NoSuchGenre', 'genre'], ['bogus=1', 'bogus'], ['exclude_seen=maybe', 'exclude_seen']]) {
    const r = await call(s.url, 'GET', `/v1/users/${u0}/recommendations?${q}`);
    assert.is(r.status, 400, q);
    assert.is(r.body.field, field, `${q}: ${JSON.stringify(r.body)}`);
    assert.type(r.body.error, 'string');
  }
});

test('POST interactions: one event or a batch, 201 once stored; posted items leave the list; ids dedupe', async () => {
  const user = String(data.userIds.raw(5));
  const before = await call(s.url, 'GET', `/v1/users/${user}/recommendations?k=3`);
  const top = before.body.items.map((it: any) => it.item);
  const one = await call(s.url, 'POST', `/v1/users/${user}/interactions`, { item: top[0], rating: 4, id: 'e1' });
  assert.is(one.status, 201);
  assert.equal([one.body.stored, one.body.duplicates], [1, 0]);
  const batch = await call(s.url, 'POST', `/v1/users/${user}/interactions`, {
    events: [{ item: top[1], kind: 'click', id: 'e2' }, { item: Number(top[2]), kind: 'view', ts: '2026-01-02T03:04:05Z' }, { item: top[0], rating: 4, id: 'e1' }],
  });
  assert.is(batch.status, 201);
  assert.equal([batch.body.stored, batch.body.duplicates], [2, 1], 'the retried e1 is stored once');
  const after = await call(s.url, 'GET', `/v1/users/${user}/recommendations?k=10`);
  assert.is(after.body.strategy, 'fold-in');
  for (const it of after.body.items) assert.not.ok(top.includes(it.item), `posted item ${it.item} came back`);
  const events = await s.store.userEvents(user);
  assert.is(events.length, 3);
  assert.equal(events.map((e) => e.kind), ['rating', 'click', 'view']);
  assert.is(events[2].ts, Date.parse('2026-01-02T03:04:05Z'));
});

test('POST interactions: bad events are 400s naming the field, and nothing of the request is stored', async () => {
  const user = 'bad-input-user';
  const cases: [unknown, string, RegExp][] = [
    [{ item: 'no-such-item', rating: 4 }, 'item', /unknown item "no-such-item"/],
    [{ item: item(1), rating: 99 }, 'rating', /outside .* scale 1\.\.5/],
    [{ item: item(1), kind: 'rating' }, 'rating', /needs a rating/],
    [{ item: item(1), kind: 'click', rating: 3 }, 'rating', /carries no rating/],
    [{ item: item(1), kind: 'purchase' }, 'kind', /must be equal to one of the allowed values/],
    [{ item: item(1), ts: 'yesterday' }, 'ts', /not a time/],
    [{ item: item(1), color: 'red' }, 'color', /must NOT have additional properties/],
    [{}, 'item', /give an item/],
    [{ events: [{ item: item(1) }, { item: 'zzz' }] }, 'events[1].item', /unknown item "zzz"/],
    [{ events: [{ item: item(1), rating: 'five' }] }, 'events[0].rating', /must be number/],
    [{ events: Array.from({ length: 101 }, () => ({ item: item(1) })) }, 'events', /must NOT have more than 100 items/],
    [{ events: [] }, 'events', /fewer than 1 items/],
  ];
  for (const [body, field, msg] of cases) {
    const r = await call(s.url, 'POST', `/v1/users/${user}/interactions`, body);
    assert.is(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.is(r.body.field, field, JSON.stringify(r.body));
    assert.match(r.body.error, msg);
  }
  assert.is((await s.store.userEvents(user)).length, 0, 'no half-written request');
  const json = await call(s.url, 'POST', `/v1/users/${user}/interactions`, '{"item": "1",');
  assert.is(json.status, 400);
  assert.match(json.body.error, /malformed JSON/);
  const big = await call(s.url, 'POST', `/v1/users/${user}/interactions`, JSON.stringify({ item: 'x'.repeat(70 * 1024) }));
  assert.is(big.status, 413);
  assert.match(big.body.error, /larger than 64 KB/);
  const type = await call(s.url, 'POST', `/v1/users/${user}/interactions`, 'item=1', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.is(type.status, 415);
  const long = await call(s.url, 'POST', `/v1/users/${'u'.repeat(201)}/interactions`, { item: item(1) });
  assert.is(long.status, 400);
  assert.is(long.body.field, 'user');
});

test('profiles and new users: popularity, then profile, then fold-in, saying which', async () => {
  const user = 'brand-new-user';
  const none = await call(s.url, 'GET', `/v1/users/${user}/recommendations?k=5`);
  assert.is(none.status, 200);
  assert.is(none.body.strategy, 'popularity');
  const put = await call(s.url, 'PUT', `/v1/users/${user}/profile`, { age: 25, gender: 'F', occupation: 'artist' });
  assert.is(put.status, 200);
  assert.equal(put.body.profile, { age: 25, gender: 'F', occupation: 'artist' });
  assert.is((await call(s.url, 'GET', `/v1/users/${user}/recommendations?k=5`)).body.strategy, 'profile');
  await call(s.url, 'POST', `/v1/users/${user}/interactions`, { item: item(3), rating: 5 });
  const folded = await call(s.url, 'GET', `/v1/users/${user}/recommendations?k=5`);
  assert.is(folded.body.strategy, 'fold-in');
  assert.is(folded.body.interactions, 1);
  assert.ok(folded.body.profile_weight > 0 && folded.body.profile_weight < 1, 'ratings blended with the profile');
  assert.not.ok(folded.body.items.some((it: any) => it.item === item(3)));
  const got = await call(s.url, 'GET', `/v1/users/${user}/profile`);
  assert.equal(got.body, { user, profile: { age: 25, gender: 'F', occupation: 'artist' }, events: 1 });
  for (const [body, field] of [[{ gender: 'X' }, 'gender'], [{ age: 0 }, 'age'], [{ age: 'old' }, 'age'], [{ zip: '123' }, 'zip']] as const) {
    const r = await call(s.url, 'PUT', `/v1/users/${user}/profile`, body);
    assert.is(r.status, 400);
    assert.is(r.body.field, field);
  }
});

test('POST /v1/recommendations: cold start from a profile, from ratings, or both; nothing stored', async () => {
  const p = await call(s.url, 'POST', '/v1/recommendations', { profile: { age: 30, gender: 'M' }, k: 4 });
  assert.is(p.status, 200);
  assert.is(p.body.strategy, 'profile');
  assert.is(p.body.items.length, 4);
  const r = await call(s.url, 'POST', '/v1/recommendations', { ratings: [{ item: item(1), rating: 5 }, { item: Number(item(2)), rating: 4 }], k: 4 });
  assert.is(r.body.strategy, 'fold-in');
  assert.not.ok(r.body.items.some((it: any) => it.item === item(1) || it.item === item(2)));
  const both = await call(s.url, 'POST', '/v1/recommendations', { profile: { gender: 'F' }, ratings: [{ item: item(1), rating: 5 }] });
  assert.is(both.body.strategy, 'fold-in');
  assert.is(both.body.items.length, 10, 'k defaults to 10');
  assert.is((await call(s.url, 'POST', '/v1/recommendations', {})).body.strategy, 'popularity');
  const bad = await call(s.url, 'POST', '/v1/recommendations', { ratings: [{ item: 'nope', rating: 5 }] });
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'ratings[0].item');
  const bad2 = await call(s.url, 'POST', '/v1/recommendations', { ratings: [{ item: item(1) }] });
  assert.is(bad2.body.field, 'ratings[0].rating');
});

test('similar items: nearest by the item representation, never the item itself', async () => {
  const r = await call(s.url, 'GET', `/v1/items/${item(4)}/similar?k=6`);
  assert.is(r.status, 200);
  assert.is(r.body.item.item, item(4));
  assert.is(r.body.similar.length, 6);
  assert.not.ok(r.body.similar.some((it: any) => it.item === item(4)));
  for (let j = 1; j < 6; j++) assert.ok(r.body.similar[j - 1].score >= r.body.similar[j].score);
  assert.ok(r.body.similar[0].score <= 1 && r.body.similar[5].score >= -1, 'cosine');
  assert.is((await call(s.url, 'GET', '/v1/items/nope/similar')).status, 400);
  assert.is((await call(s.url, 'GET', `/v1/items/${item(4)}/similar?k=5000`)).body.field, 'k');
});

test('similar items on a model without item vectors is a 409 that says so', async () => {
  const pop = await serveModel(new Popularity(data), data);
  try {
    const r = await call(pop.url, 'GET', `/v1/items/${item(1)}/similar`);
    assert.is(r.status, 409);
    assert.match(r.body.error, /no item representation/);
  } finally {
    await pop.close();
  }
});

test('health, readiness, metrics, model info; unknown routes and methods', async () => {
  assert.equal((await call(s.url, 'GET', '/healthz')).body, { ok: true });
  const ready = await call(s.url, 'GET', '/readyz');
  assert.is(ready.status, 200);
  assert.is(ready.body.ready, true);
  const m = await call(s.url, 'GET', '/metrics');
  assert.is(m.status, 200);
  for (const name of ['neurec_http_requests_total', 'neurec_http_request_duration_seconds_bucket', 'neurec_scoring_batch_size_bucket', 'neurec_fold_ins_total', 'neurec_store_write_seconds_bucket', 'neurec_model_info'])
    assert.ok(m.body.includes(name), `metrics lack ${name}`);
  assert.match(m.body, /neurec_http_requests_total\{route="\/v1\/users\/:user\/recommendations",method="GET",status="200"\} \d+/);
  const info = await call(s.url, 'GET', '/v1/model');
  assert.is(info.body.model, 'neumf');
  assert.match(info.body.fold_in, /gradient steps/);
  const nf = await call(s.url, 'GET', '/v2/nothing');
  assert.is(nf.status, 404);
  assert.match(nf.body.error, /no route GET \/v2\/nothing/);
  const wrong = await call(s.url, 'DELETE', `/v1/users/${u0}/recommendations`);
  assert.is(wrong.status, 405);
  assert.is(wrong.headers.get('allow'), 'GET');
});

test('admin reload: token required, a bad checkpoint keeps the old model, a good one swaps', async () => {
  const v0 = (await call(s.url, 'GET', '/v1/model')).body.model_version;
  assert.is((await call(s.url, 'POST', '/admin/reload', { checkpoint: '2' })).status, 401);
  assert.is((await call(s.url, 'POST', '/admin/reload', { checkpoint: '2' }, { authorization: 'Bearer wrong' })).status, 401);
  const auth = { authorization: `Bearer ${TOKEN}` };
  const broken = await call(s.url, 'POST', '/admin/reload', { checkpoint: 'broken' }, auth);
  assert.is(broken.status, 422);
  assert.match(broken.body.error, /still serving/);
  assert.is((await call(s.url, 'GET', '/v1/model')).body.model_version, v0);
  const ok = await call(s.url, 'POST', '/admin/reload', { checkpoint: '2' }, auth);
  assert.is(ok.status, 200);
  assert.is(ok.body.previous_version, v0);
  assert.is.not(ok.body.model_version, v0);
  const r = await call(s.url, 'GET', `/v1/users/${u0}/recommendations`);
  assert.is(r.body.model_version, ok.body.model_version);
  assert.is(r.headers.get('x-model-version'), ok.body.model_version);
});

test('admin routes are off without a token', async () => {
  const plain = await serveModel(neumf(3), data);
  try {
    const r = await call(plain.url, 'POST', '/admin/reload', { checkpoint: 'x' }, { authorization: 'Bearer x' });
    assert.is(r.status, 404);
  } finally {
    await plain.close();
  }
});

test('hot reload under load: no request fails while the model is swapped', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  let stop = false;
  const statuses = new Map<number, number>();
  const versions = new Set<string>();
  const client = async (c: number) => {
    let n = 0;
    while (!stop) {
      const r = await call(s.url, 'GET', `/v1/users/${String(data.userIds.raw((c * 7 + n++) % data.nUsers))}/recommendations?k=5`);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      versions.add(r.body.model_version);
    }
  };
  const clients = Array.from({ length: 8 }, (_, c) => client(c));
  for (const seed of [11, 12, 13]) {
    await new Promise((r) => setTimeout(r, 60));
    const r = await call(s.url, 'POST', '/admin/reload', { checkpoint: String(seed) }, auth);
    assert.is(r.status, 200);
  }
  await new Promise((r) => setTimeout(r, 60));
  stop = true;
  await Promise.all(clients);
  assert.equal([...statuses.keys()], [200], `statuses ${JSON.stringify([...statuses])}`);
  // Enough requests that the swaps happened under traffic (a loaded CI machine answers fewer).
  assert.ok(statuses.get(200)! >= 10, `only ${statuses.get(200)} requests`);
  assert.ok(versions.size >= 3, `answers came from ${versions.size} model versions`);
});

test.run();
