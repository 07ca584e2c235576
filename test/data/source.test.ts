/** Data sources: search order, clear "missing" errors, the default data set, zip and download. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as zlib from 'zlib';
import { AddressInfo } from 'net';
import {
  dataDirFromArgs, defaultDataset, downloadDataset, findDataset, missingMessage, resolveDataset, searchRoots,
} from '../../src/data/source';
import { crc32, extractZip, zipEntries } from '../../src/data/zip';
import { defaultRatingSplit, ml100kFolder, ratingSplit } from '../../src/data/rating_split';
import { fixtureDir } from './helpers';

const U_DATA = '1\t10\t5\t100\n2\t10\t4\t200\n2\t20\t3\t300\n';

/** A minimal zip writer (stored or deflated entries), to test our reader on real archives. */
function makeZip(files: Record<string, string>, deflate = true): Buffer {
  const locals: Buffer[] = [], centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text), body = deflate ? zlib.deflateRawSync(data) : data;
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(data), 14); local.writeUInt32LE(body.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflate ? 8 : 0, 10); central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(body.length, 20); central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8); end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

test('search order: --data-dir, then NEUREC_DATA_DIR, then the user cache', () => {
  const a = fixtureDir({ 'ml-100k/u.data': U_DATA });
  const b = fixtureDir({ 'ml-100k/u.data': U_DATA + '3\t30\t1\t400\n' });
  const c = fixtureDir({ 'ml-100k/u.data': U_DATA });
  const env = { NEUREC_DATA_DIR: b };
  assert.equal(searchRoots({ dataDir: a, env, cacheDir: c }).map((r) => r.why), ['--data-dir', 'NEUREC_DATA_DIR', 'user cache']);
  assert.is(findDataset('ml-100k', { dataDir: a, env, cacheDir: c })!.dir, path.join(a, 'ml-100k'));
  assert.is(findDataset('ml-100k', { env, cacheDir: c })!.why, 'NEUREC_DATA_DIR');
  assert.is(resolveDataset('ml-100k', { env, cacheDir: c }).length, 4);
  assert.is(findDataset('ml-100k', { env: {}, cacheDir: c })!.why, 'user cache');
  assert.is(searchRoots({ env: { XDG_CACHE_HOME: '/x/cache' } }).at(-1)!.dir, path.join('/x/cache', 'neurec'));
  // A folder without the marker file is passed over for the next root.
  const empty = fixtureDir({ 'ml-100k/README': 'no data' });
  assert.is(findDataset('ml-100k', { dataDir: empty, env, cacheDir: null })!.why, 'NEUREC_DATA_DIR');
  assert.is(dataDirFromArgs(['--epochs', '3', '--data-dir', '/d']), '/d');
  assert.is(dataDirFromArgs(['--data-dir=/e']), '/e');
  assert.is(dataDirFromArgs(['x']), undefined);
  assert.throws(() => dataDirFromArgs(['--data-dir']), /needs a folder/);
});

test('every name and format resolves; paths are used as they are', () => {
  const root = fixtureDir({
    'ml-1m/ratings.dat': '1::10::5::100\n',
    'ml-latest-small/ratings.csv': 'userId,movieId,rating,timestamp\n1,10,3.5,100\n',
    'ml-1m-ncf/ml-1m.train.rating': '0\t0\t5\n', 'ml-1m-ncf/ml-1m.test.rating': '0\t1\t4\t9\n', 'ml-1m-ncf/ml-1m.test.negative': '(0,1)\t2\n',
    'mine/u.data': U_DATA,
  });
  const o = { dataDir: root, env: {}, cacheDir: null };
  assert.is(resolveDataset('ml-1m', o).name, 'ml-1m');
  assert.is(resolveDataset('ml-latest-small', o).ratings[0], 3.5);
  assert.is(resolveDataset('ml-1m-ncf', o).ncf!.nNeg, 1);
  assert.is(resolveDataset('mine', o).length, 3, 'an unknown folder name is recognised by its files');
  assert.is(resolveDataset(path.join(root, 'mine'), { env: {}, cacheDir: null }).length, 3);
  const s = resolveDataset('synthetic', { env: {}, cacheDir: null });
  assert.equal([s.nUsers, s.nItems, s.length], [943, 1682, 100000]);
  assert.is(resolveDataset('synthetic:ml-1m', { env: {}, cacheDir: null }).nUsers, 6040);
  assert.throws(() => resolveDataset(path.join(root, 'ml-1m-ncf', '..', 'nothing-here'), o), /is not a folder/);
});

test('a folder data set keeps its own name and split files, never ml-100k\'s (issue 25)', () => {
  const root = fixtureDir({
    'ml-100k/u.data': U_DATA, 'ml-100k/u1.base': '1\t10\t5\t100\n', 'ml-100k/u1.test': '2\t10\t4\t200\n2\t20\t3\t300\n',
    'mine/u.data': U_DATA, 'mine/u1.base': '2\t10\t4\t200\n2\t20\t3\t300\n', 'mine/u1.test': '1\t10\t5\t100\n',
    'plain/u.data': U_DATA, 'ml1m-like/ratings.dat': '1::10::5::100\n',
  });
  const o = { env: { NEUREC_DATA_DIR: root }, cacheDir: null };
  const byPath = resolveDataset(path.join(root, 'mine'), o);
  assert.is(byPath.name, path.join(root, 'mine'), 'a path is named by its absolute path (the checkpoint records it)');
  assert.is(resolveDataset('mine', o).name, 'mine', 'a folder under a root keeps the name it was found by');
  assert.is(resolveDataset(path.join(root, 'ml1m-like'), o).name, path.join(root, 'ml1m-like'));
  assert.is(resolveDataset('ml-100k', o).name, 'ml-100k');
  // Its u1 split comes from its own folder: 2 training and 1 test rating, not ml-100k's 1 and 2.
  const folder = ml100kFolder(byPath, o);
  assert.is(folder, path.join(root, 'mine'));
  assert.is(defaultRatingSplit(byPath, folder), 'u1');
  const split = ratingSplit(byPath, 'u1', 1, 0, folder);
  assert.equal([split.train.length, split.test.length], [2, 1]);
  assert.is(ml100kFolder(resolveDataset('mine', o), o), path.join(root, 'mine'));
  // Without split files (or for other formats) the default is a seeded random split.
  const plain = resolveDataset(path.join(root, 'plain'), o);
  assert.is(defaultRatingSplit(plain, ml100kFolder(plain, o)), 'random90');
  assert.is(ml100kFolder(resolveDataset(path.join(root, 'ml1m-like'), o), o), undefined);
  assert.is(defaultRatingSplit(resolveDataset('ml-100k', o), ml100kFolder(resolveDataset('ml-100k', o), o)), 'u1');
});

test('a missing data set says where it looked and exactly what to do', () => {
  const cache = fixtureDir({});
  const msg = missingMessage('ml-100k', { env: {}, cacheDir: cache });
  assert.match(msg, /data set "ml-100k" not found/);
  assert.ok(msg.includes(path.join(cache, 'ml-100k')));
  assert.match(msg, /--data-dir and NEUREC_DATA_DIR are not set/);
  assert.ok(msg.includes('https://files.grouplens.org/datasets/movielens/ml-100k.zip'));
  assert.match(msg, /set NEUREC_DATA_DIR to the folder that contains ml-100k\//);
  assert.throws(() => resolveDataset('ml-100k', { env: {}, cacheDir: cache }), /u\.data in:/);
  const ncf = missingMessage('ml-1m-ncf', { env: { NEUREC_DATA_DIR: '/nowhere' }, cacheDir: null });
  assert.match(ncf, /NCF authors' ml-1m files/);
  assert.ok(ncf.includes(path.join('/nowhere', 'ml-1m-ncf')));
});

test('default data set: ml-100k when found, else synthetic, with a notice saying why', () => {
  const logs: string[] = [];
  const root = fixtureDir({ 'ml-100k/u.data': U_DATA });
  const found = defaultDataset({ env: { NEUREC_DATA_DIR: root }, cacheDir: null, log: (m) => logs.push(m) });
  assert.is(found.name, 'ml-100k');
  assert.is(found.data.length, 3);
  assert.match(logs[0], /ml-100k from .* \(found via NEUREC_DATA_DIR\)/);
  const fallback = defaultDataset({ env: {}, cacheDir: fixtureDir({}), log: (m) => logs.push(m) });
  assert.is(fallback.name, 'synthetic');
  assert.is(fallback.data.length, 100000);
  assert.match(logs[1], /synthetic .* because ml-100k was not found in .*user cache.*not comparable/);
});

test('zip reader: stored and deflated entries, CRC and path checks', () => {
  for (const deflate of [false, true]) {
    const zip = makeZip({ 'ml-100k/u.data': U_DATA, 'ml-100k/README': 'hello' }, deflate);
    assert.equal(zipEntries(zip).map((e) => [e.name, e.method]), [['ml-100k/u.data', deflate ? 8 : 0], ['ml-100k/README', deflate ? 8 : 0]]);
    const dir = fixtureDir({});
    extractZip(zip, dir);
    assert.is(fs.readFileSync(path.join(dir, 'ml-100k', 'u.data'), 'utf8'), U_DATA);
  }
  const bad = makeZip({ 'a.txt': 'abcdef' }, false);
  bad[30 + 5] ^= 1; // flip a data byte
  assert.throws(() => extractZip(bad, fixtureDir({})), /a\.txt fails its CRC-32 check/);
  assert.throws(() => extractZip(makeZip({ '../evil.txt': 'x' }), fixtureDir({})), /would be written outside/);
  assert.throws(() => zipEntries(Buffer.from('not a zip at all, really not a zip')), /not a zip file/);
});

test('download: fetch, verify the checksum, unzip into the cache (local server)', async () => {
  const zip = makeZip({ 'ml-latest-small/ratings.csv': 'userId,movieId,rating,timestamp\n1,10,3.5,100\n' });
  const server = http.createServer((req, res) => {
    if (req.url === '/moved') { res.writeHead(302, { location: '/ml.zip' }); res.end(); return; }
    if (req.url === '/ml.zip') { res.writeHead(200); res.end(zip); return; }
    res.writeHead(404); res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const cache = fixtureDir({});
    const md5 = crypto.createHash('md5').update(zip).digest('hex');
    const log = () => {};
    await assert_rejects(downloadDataset('ml-latest-small', { url: `${base}/ml.zip`, md5: '0'.repeat(32), cacheDir: cache, log }), /has MD5 .* expected 0{32}/);
    assert.not.ok(fs.existsSync(path.join(cache, 'ml-latest-small')), 'nothing written after a bad checksum');
    await assert_rejects(downloadDataset('ml-latest-small', { url: `${base}/missing.zip`, cacheDir: cache, log }), /answered HTTP 404/);
    const dir = await downloadDataset('ml-latest-small', { url: `${base}/moved`, md5, cacheDir: cache, log });
    assert.is(dir, path.join(cache, 'ml-latest-small'));
    assert.is(resolveDataset('ml-latest-small', { env: {}, cacheDir: cache }).length, 1);
    await assert_rejects(downloadDataset('synthetic', { cacheDir: cache, log }), /no download for "synthetic"/);
  } finally {
    server.close();
  }
});

async function assert_rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected a rejection');
}

test.run();
