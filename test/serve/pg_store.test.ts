/**
 * The PostgreSQL event store against a real server (NEUREC_TEST_PG_URL; each test in a schema
 * of its own): the stores' contract, migrations from empty and from the previous schema,
 * replicas migrating at once, retries racing through two replicas, the change feed (delivery,
 * lag, reconnect), and the settled high-water mark training reads up to.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { PgEventStore } from '../../src/serve/store/pg_store';
import { PG_MIGRATIONS, migratePg } from '../../src/serve/store/pg_schema';
import { pgTarget } from '../../src/serve/store/pg_connect';
import { rejects, testPgUrl, testSchema, type TestSchema } from './helpers';
import { ev, storeContract } from './store_contract';

const server = testPgUrl('pg_store.test');
const schemas: TestSchema[] = [];
const fresh = async (name: string) => {
  const s = await testSchema(server!, name);
  schemas.push(s);
  return s;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds (polling every 2 ms); returns the milliseconds it took. */
async function until(cond: () => boolean, timeoutMs = 5000): Promise<number> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(2);
  }
  return performance.now() - t0;
}

if (server) {
  test.after(async () => {
    for (const s of schemas) await s.drop();
  });

  storeContract(test, async () => PgEventStore.open((await fresh('contract')).url));

  test('migrations: an empty schema gets the latest; a version-1 schema with data is upgraded and keeps it', async () => {
    const empty = await fresh('mig_new');
    const s = await PgEventStore.open(empty.url);
    assert.is(await s.schemaVersion(), PG_MIGRATIONS.length);
    await s.close();

    const old = await fresh('mig_old');
    const c = new pg.Client(pgTarget(old.url).config);
    await c.connect();
    assert.is(await migratePg(c, old.schema, 'test', 1), 1);
    await c.query(`INSERT INTO events ("user", item, kind, rating, ts) VALUES ('u', '1', 'rating', 4, 1), ('u', '2', 'click', NULL, 2)`);
    await c.query(`INSERT INTO profiles ("user", age, updated) VALUES ('u', 40, 1)`);
    await c.end();
    const up = await PgEventStore.open(old.url);
    assert.is(await up.schemaVersion(), 2);
    assert.equal((await up.userEvents('u')).map((e) => [e.seq, e.item, e.rating, e.id]), [[1, '1', 4, null], [2, '2', null, null]]);
    assert.equal(await up.profile('u'), { age: 40 });
    const r = await up.append('u', [ev('3', { id: 'x' }), ev('3', { id: 'x' })]);
    assert.equal([r.stored, r.duplicates, r.seq], [1, 1, 3]);
    await up.close();
    assert.equal((await old.sql(`SELECT version FROM ${old.schema}.neurec_schema`)).rows, [{ version: 2 }]);
  });

  test('a schema from a newer neurec is refused; read-only opening wants the latest schema and migrates nothing', async () => {
    const s = await fresh('newer');
    await (await PgEventStore.open(s.url)).close();
    await s.sql(`UPDATE ${s.schema}.neurec_schema SET version = ${PG_MIGRATIONS.length + 1}`);
    await rejects(() => PgEventStore.open(s.url), /schema version 3 is newer than this neurec knows \(2\)/);
    const none = await fresh('ro');
    await rejects(() => PgEventStore.open(none.url, { readOnly: true }), /schema version 0 \(this neurec reads 2; a replica migrates it when it starts\)/);
    assert.equal((await none.sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [none.schema])).rows, [], 'nothing created');
    await rejects(() => PgEventStore.open('postgres://127.0.0.1:1/x'), /cannot be reached/);
    await rejects(() => PgEventStore.open(server + '?schema=Bad-Name'), /schema "Bad-Name" must be lower-case/);
  });

  test('replicas starting at once migrate the schema once', async () => {
    const s = await fresh('race');
    const stores = await Promise.all(Array.from({ length: 4 }, () => PgEventStore.open(s.url, { pool: 2 })));
    assert.equal(await Promise.all(stores.map((x) => x.schemaVersion())), [2, 2, 2, 2]);
    await Promise.all(stores.map((x, k) => x.append('u', [ev(String(k))])));
    assert.is((await stores[0].userEvents('u')).length, 4);
    await Promise.all(stores.map((x) => x.close()));
    assert.equal((await s.sql(`SELECT version FROM ${s.schema}.neurec_schema`)).rows, [{ version: 2 }]);
  });

  test('a retry racing the original through another replica is stored once', async () => {
    const s = await fresh('retry');
    const [a, b] = await Promise.all([PgEventStore.open(s.url), PgEventStore.open(s.url)]);
    for (let k = 0; k < 30; k++) {
      const both = await Promise.all([a.append('u', [ev(String(k), { id: `e${k}` })]), b.append('u', [ev(String(k), { id: `e${k}` })])]);
      assert.is(both[0].stored + both[1].stored, 1, `round ${k}: ${JSON.stringify(both)}`);
    }
    assert.is((await a.userEvents('u')).length, 30);
    await Promise.all([a.close(), b.close()]);
  });

  test("the change feed: another replica's writes and profiles reach it within 100 ms, its own do not; it catches up after losing its connection", async () => {
    const s = await fresh('feed');
    const [a, b] = await Promise.all([PgEventStore.open(s.url), PgEventStore.open(s.url)]);
    // Notified users (they carry when they were sent); the backstop poll's reports are left out here.
    const seen: string[] = [];
    let resets = 0;
    const feed = b.watch({ user: (u, about) => about?.sentAt !== undefined && seen.push(u), reset: () => resets++ }, { pollMs: 200 });
    assert.ok(feed.behind(), 'behind until listening');
    await feed.ready();
    assert.is(resets, 1, 'caches reset once in step');
    const lags: number[] = [];
    for (let k = 0; k < 20; k++) {
      const n = seen.length;
      const t0 = performance.now();
      await a.append(`u${k}`, [ev('1')]);
      await until(() => seen.length > n);
      lags.push(performance.now() - t0);
      assert.is(seen[seen.length - 1], `u${k}`);
    }
    lags.sort((x, y) => x - y);
    console.log(`  change feed: write to notification p50 ${lags[10].toFixed(1)} ms, max ${lags[19].toFixed(1)} ms (20 writes)`);
    assert.ok(lags[10] < 100, `median lag ${lags[10]} ms`);
    await b.append('mine', [ev('1')]);
    await a.setProfile('p', { age: 20 });
    await until(() => seen.includes('p'));
    assert.not.ok(seen.includes('mine'), "a replica's own writes are not echoed back to it");

    // The feed's connection is cut: it is behind (caches dropped) until it listens again.
    await s.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`neurec:${s.schema} changes`]);
    await until(() => feed.behind() !== null);
    assert.ok(resets >= 2, 'caches dropped when the connection went');
    await feed.ready();
    await a.append('after', [ev('1')]);
    await until(() => seen.includes('after'));
    assert.is(feed.resets, resets);
    await Promise.all([a.close(), b.close()]);
    assert.is(feed.behind(), 'closed');
  });

  test("the change feed backstop: a write whose notification never came is found by the poll, with its seq", async () => {
    const s = await fresh('backstop');
    const b = await PgEventStore.open(s.url);
    const polled: [string, number | undefined][] = [];
    let resets = 0;
    const feed = b.watch({ user: (u, about) => about?.sentAt === undefined && polled.push([u, about?.seq]), reset: () => resets++ }, { pollMs: 50 });
    await feed.ready();
    // Written behind neurec's back, as by a writer that died between its commit and its NOTIFY.
    await s.sql(`INSERT INTO ${s.schema}.events ("user", item, kind, ts) VALUES ('x', '1', 'click', 1), ('x', '2', 'click', 1)`);
    await until(() => polled.length > 0, 2000);
    assert.equal(polled[0], ['x', 2], "the user and the latest seq a current state holds");
    await sleep(300);
    assert.ok(polled.length <= 2, 'reported by two polls at most (each looks two marks back)');
    assert.is(resets, 1, 'no cache reset: only that user is checked');
    await b.close();
  });

  test('the settled high-water mark waits for writes in flight (a lower seq can commit after a higher one)', async () => {
    const s = await fresh('settle');
    const store = await PgEventStore.open(s.url);
    await store.append('u', [ev('1')]);
    // A slow writer: holds the writers' lock with seq 2 uncommitted while seq 3 commits.
    const slow = new pg.Client(pgTarget(s.url).config);
    await slow.connect();
    await slow.query('BEGIN');
    await slow.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [`neurec:events:${s.schema}`]);
    await slow.query(`INSERT INTO events ("user", item, kind, ts) VALUES ('slow', '2', 'click', 1)`);
    const fast = await PgEventStore.open(s.url);
    await fast.append('fast', [ev('3')]);
    assert.is(await store.highWater(), 3, 'the plain mark is past an event not yet committed');
    let settled: number | null = null;
    const pending = store.settledHighWater().then((v) => (settled = v));
    await sleep(150);
    assert.is(settled, null, 'waits while seq 2 is in flight');
    await slow.query('COMMIT');
    await pending;
    assert.is(settled, 3);
    const seqs: number[] = [];
    for await (const page of store.streamEvents({ upToSeq: settled! })) seqs.push(...page.map((e) => e.seq));
    assert.equal(seqs, [1, 2, 3]);
    await slow.end();
    await Promise.all([store.close(), fast.close()]);
  });
}

test.run();
