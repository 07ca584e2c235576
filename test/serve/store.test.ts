/** The SQLite event store: the stores' contract (store_contract.ts), read-only opening, and migrations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { spawn } from 'child_process';
import Database from 'better-sqlite3';
import { SqliteEventStore, SQLITE_MIGRATIONS } from '../../src/serve/store/sqlite_store';
import { rejects, tmpDir } from './helpers';
import { ev, storeContract } from './store_contract';

storeContract(test, async () => new SqliteEventStore(':memory:'));

test('a read-only store reads a file as it is and writes nothing', async () => {
  const file = path.join(tmpDir('ro'), 'r.sqlite');
  const w = new SqliteEventStore(file);
  await w.append('u', [ev('1')]);
  const r = new SqliteEventStore(file, { readOnly: true });
  assert.equal((await r.userEvents('u')).map((e) => e.item), ['1']);
  await rejects(() => r.append('u', [ev('2')]), /readonly/);
  await r.close();
  await w.close();
  assert.throws(() => new SqliteEventStore(path.join(tmpDir('ro'), 'none.sqlite'), { readOnly: true }), /no such file/);
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
