/**
 * `neurec data download` end to end: the real command, run as a user runs it, against an HTTP
 * server on a loopback port that serves zips made here, in place of GroupLens (this machine
 * cannot reach GroupLens, and a test must not depend on it): the right checksum, a wrong one,
 * a truncated download and a server error, each leaving the cache as it should.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { AddressInfo } from 'net';
import { parseMd5File, downloadDataset } from '../../src/data/download';
import { CATALOGUE } from '../../src/data/source';
import { fixtureDir, makeZip } from './helpers';

const main = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/** ml-latest-small as GroupLens ships it (a folder in the zip), big enough for a progress bar. */
const RATINGS = 'userId,movieId,rating,timestamp\n' + Array.from({ length: 30000 }, (_, k) => `${1 + (k % 97)},${1 + ((k * 7919) % 1201)},${1 + (k % 5)}.0,${964982703 + k}`).join('\n') + '\n';
const LATEST = makeZip({ 'ml-latest-small/ratings.csv': RATINGS, 'ml-latest-small/movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n' }, false);
const ML100K = makeZip({ 'ml-100k/u.data': '1\t10\t5\t100\n2\t10\t4\t200\n2\t20\t3\t300\n' });

/** The mirror: path -> what it answers. */
type Answer = { body: Buffer; status?: number; cutAt?: number } | ((res: http.ServerResponse) => void);
const routes = new Map<string, Answer>();
let base = '';
const server = http.createServer((req, res) => {
  const a = routes.get(req.url ?? '');
  if (!a) { res.writeHead(404); res.end(); return; }
  if (typeof a === 'function') return a(res);
  res.writeHead(a.status ?? 200, { 'content-length': a.body.length });
  if (a.cutAt === undefined) {
    // In pieces, as a network delivers it, so the progress bar moves.
    for (let p = 0; p < a.body.length; p += 65536) res.write(a.body.subarray(p, p + 65536));
    res.end();
  } else {
    res.write(a.body.subarray(0, a.cutAt), () => res.destroy());
  }
});

function neurec(args: string[], cache: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, XDG_CACHE_HOME: cache, NEUREC_DATA_DIR: '' };
    execFile(process.execPath, [main, ...args], { env, encoding: 'utf8' }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }));
  });
}

/** What the cache folder holds (no temporary folders may stay behind). */
const listing = (cache: string) => (fs.existsSync(path.join(cache, 'neurec')) ? fs.readdirSync(path.join(cache, 'neurec')).sort() : []);

test.before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/movielens`;
});
test.after(() => { server.close(); });

test("right checksum: GroupLens's MD5 file beside the zip, a progress bar, unpacked where every command finds it", async () => {
  routes.set('/movielens/ml-latest-small.zip', { body: LATEST });
  routes.set('/movielens/ml-latest-small.zip.md5', { body: Buffer.from(`MD5 (ml-latest-small.zip) = ${md5(LATEST)}\n`) });
  const cache = fixtureDir({});
  const r = await neurec(['data', 'download', 'ml-latest-small', '--mirror', base], cache);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /downloading http:\/\/127\.0\.0\.1:\d+\/movielens\/ml-latest-small\.zip/);
  assert.match(r.err, /ml-latest-small\.zip 25% \([0-9.]+ \/ [0-9.]+ MB, [0-9.]+ MB\/s\)\n[^]*ml-latest-small\.zip 100%/);
  assert.match(r.err, new RegExp(`checked: ${LATEST.length.toLocaleString('en-US')} bytes, MD5 ${md5(LATEST)} \\(http://[^)]*ml-latest-small\\.zip\\.md5\\)`));
  assert.equal(listing(cache), ['ml-latest-small']);
  const stats = await neurec(['data', 'stats', '--dataset', 'ml-latest-small', '--json'], cache);
  assert.is(stats.code, 0, stats.err);
  assert.is(JSON.parse(stats.out.trim().split('\n').pop()!).ratings, 30000);
  // Once there, it is not fetched again unless asked.
  routes.delete('/movielens/ml-latest-small.zip');
  assert.match((await neurec(['data', 'download', 'ml-latest-small', '--mirror', base], cache)).err, /already in .*--force downloads it again/);
  // ml-100k from a mirror with its own archive: held to the MD5 given.
  routes.set('/movielens/ml-100k.zip', { body: ML100K });
  const own = await neurec(['data', 'download', 'ml-100k', '--mirror', base, '--md5', md5(ML100K)], cache);
  assert.is(own.code, 0, own.err);
  assert.equal(listing(cache), ['ml-100k', 'ml-latest-small']);
});

test("wrong checksum: refused, naming both MD5s, and nothing written", async () => {
  const cache = fixtureDir({});
  routes.set('/movielens/ml-100k.zip', { body: ML100K });
  // A mirror's ml-100k must be GroupLens's ml-100k: its published MD5 is pinned.
  const r = await neurec(['data', 'download', 'ml-100k', '--mirror', base], cache);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`neurec data download: http://[^ ]*ml-100k\\.zip has MD5 ${md5(ML100K)}, expected ${CATALOGUE['ml-100k'].md5} \\(GroupLens's published\\): a corrupt or changed download; nothing was written`));
  assert.equal(listing(cache), []);
  // The MD5 file beside the zip disagrees with it.
  routes.set('/movielens/ml-latest-small.zip', { body: LATEST });
  routes.set('/movielens/ml-latest-small.zip.md5', { body: Buffer.from(`MD5 (ml-latest-small.zip) = ${'0'.repeat(32)}\n`) });
  const s = await neurec(['data', 'download', 'ml-latest-small', '--mirror', base], cache);
  assert.is(s.code, 1);
  assert.match(s.err, /has MD5 [0-9a-f]{32}, expected 0{32} \(http:[^)]*\.md5\)/);
  assert.equal(listing(cache), []);
});

test('truncated download: the bytes that arrived are counted against Content-Length, and nothing is written', async () => {
  const cache = fixtureDir({});
  routes.set('/movielens/ml-100k.zip', { body: ML100K, cutAt: Math.floor(ML100K.length / 2) });
  const r = await neurec(['data', 'download', 'ml-100k', '--mirror', base, '--md5', md5(ML100K)], cache);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`(truncated: ${Math.floor(ML100K.length / 2)} bytes of ${ML100K.length} arrived|broke off after ${Math.floor(ML100K.length / 2)} bytes of ${ML100K.length})`));
  assert.equal(listing(cache), []);
});

test('server error: the status is named, and nothing is written', async () => {
  const cache = fixtureDir({});
  routes.set('/movielens/ml-100k.zip', { body: Buffer.from('busy'), status: 503 });
  const r = await neurec(['data', 'download', 'ml-100k', '--mirror', base], cache);
  assert.is(r.code, 1);
  assert.match(r.err, /ml-100k\.zip answered HTTP 503 \(a server error: try again later\)/);
  assert.equal(listing(cache), []);
  // A missing checksum file is an error too: an archive is never unpacked unchecked.
  routes.delete('/movielens/ml-latest-small.zip.md5');
  assert.match((await neurec(['data', 'download', 'ml-latest-small', '--mirror', base], cache)).err, /ml-latest-small\.zip\.md5 answered HTTP 404/);
  assert.match((await neurec(['data', 'download', 'ml-1m-ncf'], cache)).err, /unknown data set "ml-1m-ncf"; known: ml-100k, ml-1m, ml-latest-small, ml-20m, ml-25m/);
});

test("GroupLens's checksum files parse in both spellings; every GroupLens set but ml-latest-small has its MD5 pinned", async () => {
  assert.is(parseMd5File('MD5 (ml-25m.zip) = 6B51FB2759A8657D3BFCBFC42B592ADA\n', 'x'), '6b51fb2759a8657d3bfcbfc42b592ada');
  assert.is(parseMd5File('cd245b17a1ae2cc31bb14903e1204af3  ml-20m.zip\n', 'x'), 'cd245b17a1ae2cc31bb14903e1204af3');
  assert.throws(() => parseMd5File('<html>not found</html>', 'f.md5'), /f\.md5 holds no MD5 line/);
  for (const name of ['ml-100k', 'ml-1m', 'ml-20m', 'ml-25m']) assert.match(CATALOGUE[name].md5 ?? '', /^[0-9a-f]{32}$/, name);
  // The library call: a redirect is followed, the bytes land in the cache folder given.
  routes.set('/moved', (res) => { res.writeHead(302, { location: '/movielens/ml-100k.zip' }); res.end(); });
  routes.set('/movielens/ml-100k.zip', { body: ML100K });
  const cache = fixtureDir({});
  const dir = await downloadDataset('ml-100k', { url: base.replace('/movielens', '/moved'), md5: md5(ML100K), cacheDir: cache, log: () => {} });
  assert.is(dir, path.join(cache, 'ml-100k'));
  assert.ok(fs.existsSync(path.join(dir, 'u.data')));
});

test.run();
