import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as http from 'http';
import { NCF } from '../../src/models/ncf';
import { synthetic } from '../../src/data/synthetic';
import { RecommenderService } from '../../src/serve/recommender_service';
import { createServer } from '../../src/serve/http';

const data = synthetic({ nUsers: 30, nItems: 40, nRatings: 600, seed: 3 } as Parameters<typeof synthetic>[0]);
const model = new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 4, layers: [8, 4], seed: 1 });
const service = new RecommenderService(model, data);

function get(port: number, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(s) }));
    }).on('error', reject);
  });
}

test('recommend returns k unseen items in descending score order', () => {
  const raw = String(data.userIds.raw(0));
  const seen = new Set(service.seenItems(raw));
  const items = service.recommend(raw, 5);
  assert.is(items.length, 5);
  for (const it of items) assert.not.ok(seen.has(it.index), `item ${it.item} was seen`);
  for (let j = 1; j < items.length; j++) assert.ok(items[j - 1].score >= items[j].score);
  assert.throws(() => service.recommend('no-such-user', 5), /unknown user id no-such-user/);
  assert.throws(() => service.recommend(raw, 0), /k must be a positive integer/);
});

test('the HTTP service answers /recommend and /health, with JSON errors', async () => {
  const server = createServer(service);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const ok = await get(port, `/recommend?user=${data.userIds.raw(1)}&k=3`);
    assert.is(ok.status, 200);
    assert.is(ok.body.items.length, 3);
    assert.is((await get(port, '/health')).body.ok, true);
    const bad = await get(port, '/recommend?user=zzz');
    assert.is(bad.status, 404);
    assert.match(bad.body.error, /unknown user id zzz/);
    assert.is((await get(port, '/recommend')).status, 400);
    assert.is((await get(port, '/nope')).status, 404);
  } finally {
    server.close();
  }
});

test.after(() => model.dispose());
test.run();
