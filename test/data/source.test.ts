/** Data sources: search order, clear "missing" errors, the default data set, the zip reader (downloads: download.test.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  dataDirFromArgs, defaultDataset, findDataset, missingMessage, resolveDataset, searchRoots,
} from '../../src/data/source';
import { extractZip, zipEntries } from '../../src/data/zip';
import { defaultRatingSplit, ml100kFolder, ratingSplit } from '../../src/data/rating_split';
import { fixtureDir, makeZip } from './helpers';

const U_DATA = '1\t10\t5\t100\n2\t10\t4\t200\n2\t20\t3\t300\n';

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
  assert.match(msg, /run `neurec data download ml-100k`/);
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

test.run();
