/** The SQLite event store: writes, reads, idempotent ids, streaming, profiles, and migrations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { spawn } from 'child_process';
import Database from 'better-sqlite3';
import { SqliteEventStore, SQLITE_MIGRATIONS } from '../../src/serve/store/sqlite_store';
import type { NewEvent } from '../../src/serve/store/event_store';
import { rejects, tmpDir } from './helpers';

const ev = (item: string, extra: Partial<NewEvent> = {}): NewEvent => ({ item, kind: 'rating', rating: 4, ts: 1_700_000_000_000, id: null, ...extra });

test('append and read back, in order, with a store-wide sequence', async () => {
  const s = new SqliteEventStore(path.join(tmpDir('st'), 'a.sqlite'));
  assert.is(await s.highWater(), 0);
  let r = await s.append('u1', [ev('10'), ev('11', { kind: 'click', rating: null })]);
  assert.equal([r.stored, r.duplicates, r.seq], [2, 0, 2]);
  r = await s.append('u2', [ev('12', { rating: 2.5 })]);
  assert.is(r.seq, 3);
  const u1 = await s.userEvents('u1');
  assert.equal(u1.map((e) => [e.seq, e.item, e.kind, e.rating]), [[1, '10', 'rating', 4], [2, '11', 'click', null]]);
  assert.equal(await s.userEvents('nobody'), []);
  const pages: number[][] = [];
  for await (const page of s.streamEvents({ page: 2 })) pages.push(page.map((e) => e.seq));
  assert.equal(pages, [[1, 2], [3]]);
  const part: number[] = [];
  for await (const page of s.streamEvents({ afterSeq: 1, upToSeq: 2 })) part.push(...page.map((e) => e.seq));
  assert.equal(part, [2]);
  await s.close();
  await rejects(() => s.userEvents('u1'), /closed/);
});

test('an event id is stored once per user, within a request and across requests', async () => {
  const s = new SqliteEventStore(':memory:');
  let r = await s.append('u', [ev('1', { id: 'a' }), ev('2', { id: 'b' }), ev('1', { id: 'a' })]);
  assert.equal([r.stored, r.duplicates], [2, 1]);
  r = await s.append('u', [ev('1', { id: 'a' }), ev('3')]);
  assert.equal([r.stored, r.duplicates], [1, 1]);
  r = await s.append('other', [ev('1', { id: 'a' })]);
  assert.equal([r.stored, r.duplicates], [1, 0], 'ids are per user');
  assert.is((await s.userEvents('u')).length, 3);
  await s.close();
});

test('a failing write stores nothing of its request', async () => {
  const s = new SqliteEventStore(':memory:');
  await rejects(() => s.append('u', [ev('1'), { ...ev('2'), kind: 'bogus' as never }]), /CHECK constraint/);
  assert.equal(await s.userEvents('u'), []);
  await s.close();
});

test('profiles: set, replace, read', async () => {
  const s = new SqliteEventStore(':memory:');
  assert.is(await s.profile('p'), null);
  await s.setProfile('p', { age: 30, gender: 'F' });
  assert.equal(await s.profile('p'), { age: 30, gender: 'F' });
  await s.setProfile('p', { occupation: 'writer' });
  assert.equal(await s.profile('p'), { occupation: 'writer' });
  await s.close();
});

test('migrations: an empty file gets the latest schema; a version-1 file with data is upgraded and keeps it', async () => {
  const dir = tmpDir('mig');
  const fresh = new SqliteEventStore(path.join(dir, 'new.sqlite'));
  assert.is(await fresh.schemaVersion(), SQLITE_MIGRATIONS.length);
  await fresh.close();

  const file = path.join(dir, 'old.sqlite');
  const v1 = new SqliteEventStore(file, { schemaVersion: 1 });
  assert.is(await v1.schemaVersion(), 1);
  await v1.append('u', [ev('1'), ev('2')]);
  await rejects(() => v1.append('u', [ev('3', { id: 'x' })]), /keeps no event ids/);
  await v1.setProfile('u', { age: 40 });
  await v1.close();

  const up = new SqliteEventStore(file);
  assert.is(await up.schemaVersion(), 2);
  assert.equal((await up.userEvents('u')).map((e) => [e.seq, e.item, e.id]), [[1, '1', null], [2, '2', null]]);
  assert.equal(await up.profile('u'), { age: 40 });
  const r = await up.append('u', [ev('3', { id: 'x' }), ev('3', { id: 'x' })]);
  assert.equal([r.stored, r.duplicates, r.seq], [1, 1, 3]);
  await up.close();
});

test('a file from a newer neurec is refused, not downgraded', async () => {
  const file = path.join(tmpDir('newer'), 'f.sqlite');
  const db = new Database(file);
  db.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => new SqliteEventStore(file), /schema version 3 is newer than this neurec knows \(2\)/);
  assert.throws(() => new SqliteEventStore(tmpDir('dir')), /is a folder/);
});

test('two processes opening one new file at once migrate it once', async () => {
  const file = path.join(tmpDir('race'), 'r.sqlite');
  const mod = require.resolve('../../src/serve/store/sqlite_store');
  const script = `const { SqliteEventStore } = require(${JSON.stringify(mod)});
    (async () => { const s = new SqliteEventStore(process.argv[1]); await s.append('u', [{ item: String(process.pid), kind: 'click', rating: null, ts: 1, id: null }]);
    process.stdout.write(String(await s.schemaVersion())); await s.close(); })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const run = () => new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', script, file]);
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
  });
  const versions = await Promise.all([run(), run(), run()]);
  assert.equal(versions, ['2', '2', '2']);
  const s = new SqliteEventStore(file);
  assert.is((await s.userEvents('u')).length, 3);
  await s.close();
});

test.run();
