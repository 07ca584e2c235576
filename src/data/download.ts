/**
 * Downloading GroupLens's MovieLens archives into the user cache (`neurec data download NAME`).
 *
 * The zip streams to a temporary file beside the cache folder while its MD5 is computed; it is
 * checked against GroupLens's published MD5 (pinned here for ml-100k, ml-1m, ml-20m and ml-25m;
 * ml-latest-small is refreshed by GroupLens, so its MD5 is read from the `.md5` file GroupLens
 * publishes next to it), unpacked by our own zip reader, checked file by file where SHA-256s are
 * pinned (ml-100k), and only then moved into place: a failed, truncated or corrupt download
 * leaves nothing behind. A mirror (`mirror`: a base URL holding NAME.zip and NAME.zip.md5) is held
 * to the same checksums unless `md5` names another. Node's http/https/crypto only.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { CATALOGUE, GROUPLENS, cacheDir, missingMessage, type SourceOptions } from './source';
import { extractZip } from './zip';

export interface DownloadProgress {
  /** Bytes received so far. */
  received: number;
  /** Bytes announced by the server (Content-Length), or null when it did not say. */
  total: number | null;
}

export interface DownloadOptions extends SourceOptions {
  /** A base URL in place of GroupLens's (https://files.grouplens.org/datasets/movielens). */
  mirror?: string;
  /** A whole URL for the zip (overrides mirror); its checksum is then `md5`/`sha256`, if given. */
  url?: string;
  /** The MD5 the zip must have, instead of GroupLens's. */
  md5?: string;
  /** A SHA-256 the zip must have as well. */
  sha256?: string;
  /** Download again even when the data set is already in the cache. */
  force?: boolean;
  /** Seconds without a byte before giving up (60). */
  idleTimeoutS?: number;
  log?: (msg: string) => void;
  onProgress?: (p: DownloadProgress) => void;
}

/** The data sets `neurec data download` knows, in catalogue order. */
export function downloadable(): string[] {
  return Object.keys(CATALOGUE).filter((k) => CATALOGUE[k].url);
}

/** The MD5 in a checksum file: GroupLens's `MD5 (name.zip) = hex`, or md5sum's `hex  name.zip`. */
export function parseMd5File(text: string, file: string): string {
  const m = /^MD5 \(([^)]+)\) = ([0-9a-f]{32})\s*$/im.exec(text) ?? /^([0-9a-f]{32})\s+\*?(\S+)\s*$/im.exec(text);
  if (!m) throw new Error(`download: ${file} holds no MD5 line (expected "MD5 (name.zip) = <32 hex digits>"), got ${JSON.stringify(text.slice(0, 80))}`);
  return (m[0].startsWith('MD5') ? m[2] : m[1]).toLowerCase();
}

type Getter = typeof http.get;

/** GET url following up to 5 redirects; resolves with the 200 response. */
function open(url: string, idleMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get: Getter | null = url.startsWith('https:') ? https.get : url.startsWith('http:') ? http.get : null;
    if (!get) return reject(new Error(`download: ${url} is not an http(s) URL`));
    const req = get(url, (res) => {
      const code = res.statusCode ?? 0;
      if (code >= 300 && code < 400 && res.headers.location) {
        res.resume();
        if (redirects <= 0) return reject(new Error(`download: too many redirects at ${url}`));
        return resolve(open(new URL(res.headers.location, url).toString(), idleMs, redirects - 1));
      }
      if (code !== 200) {
        res.resume();
        const why = code >= 500 ? ' (a server error: try again later)' : code === 404 ? ' (not found)' : '';
        return reject(new Error(`download: ${url} answered HTTP ${code}${why}`));
      }
      resolve(res);
    });
    req.setTimeout(idleMs, () => req.destroy(new Error(`download: ${url} sent nothing for ${idleMs / 1000} s`)));
    req.on('error', (e) => reject(e.message.startsWith('download:') ? e : new Error(`download: ${url} failed: ${e.message} (no network? see "neurec data download --help" for a mirror, or put the files in place by hand)`)));
  });
}

/** A small text file (a checksum) into memory. */
export async function fetchText(url: string, idleMs = 60_000): Promise<string> {
  const res = await open(url, idleMs);
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Streams url into `file`; resolves with the bytes' MD5 and SHA-256. A body shorter than its
 * Content-Length, or a connection dropped mid-way, is an error naming both sizes.
 */
export async function fetchToFile(url: string, file: string, o: { idleMs?: number; onProgress?: (p: DownloadProgress) => void } = {}): Promise<{ bytes: number; md5: string; sha256: string }> {
  const res = await open(url, o.idleMs ?? 60_000);
  const len = Number(res.headers['content-length']);
  const total = Number.isFinite(len) && len >= 0 ? len : null;
  const md5 = crypto.createHash('md5'), sha = crypto.createHash('sha256');
  const out = fs.createWriteStream(file);
  let received = 0;
  try {
    for await (const chunk of res) {
      const c = chunk as Buffer;
      md5.update(c);
      sha.update(c);
      received += c.length;
      if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
      o.onProgress?.({ received, total });
    }
  } catch (e) {
    throw new Error(`download: ${url} broke off after ${received} bytes${total !== null ? ` of ${total}` : ''}: ${(e as Error).message}`);
  } finally {
    await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
  }
  if (!res.complete || (total !== null && received !== total))
    throw new Error(`download: ${url} is truncated: ${received} bytes of ${total ?? 'an unknown number of'} arrived (the connection closed early); nothing was written`);
  return { bytes: received, md5: md5.digest('hex'), sha256: sha.digest('hex') };
}

/**
 * Downloads data set `name` into the cache folder, verifies and unzips it; returns its folder.
 * Does nothing when the folder is already there (unless `force`).
 */
export async function downloadDataset(name: string, opts: DownloadOptions = {}): Promise<string> {
  const entry = CATALOGUE[name];
  if (!entry?.url) throw new Error(`download: no download for "${name}" (known: ${downloadable().join(', ')}).\n${missingMessage(name, opts)}`);
  const url = opts.url ?? (opts.mirror ? `${opts.mirror.replace(/\/+$/, '')}/${name}.zip` : entry.url);
  const cache = cacheDir(opts);
  if (!cache) throw new Error('download: no cache folder (cacheDir is null)');
  const dest = path.join(cache, name);
  const log = opts.log ?? ((m: string) => console.error(m));
  if (!opts.force && fs.existsSync(path.join(dest, entry.marker))) {
    log(`${name} is already in ${dest} (--force downloads it again)`);
    return dest;
  }
  const idleMs = (opts.idleTimeoutS ?? 60) * 1000;
  // The MD5 to hold the zip to: given, GroupLens's pinned one, or the one published beside the zip.
  let md5 = opts.md5?.toLowerCase() ?? (opts.url === undefined ? entry.md5 : undefined);
  let md5From = opts.md5 ? 'given' : "GroupLens's published";
  if (!md5 && opts.url === undefined) {
    md5 = parseMd5File(await fetchText(`${url}.md5`, idleMs), `${url}.md5`);
    md5From = `${url}.md5`;
  }
  fs.mkdirSync(cache, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cache, `.${name}-`));
  try {
    log(`downloading ${url}`);
    const zipFile = path.join(tmp, `${name}.zip`);
    const got = await fetchToFile(url, zipFile, { idleMs, onProgress: opts.onProgress });
    if (md5 && got.md5 !== md5) throw new Error(`download: ${url} has MD5 ${got.md5}, expected ${md5} (${md5From}): a corrupt or changed download; nothing was written`);
    if (opts.sha256 && got.sha256 !== opts.sha256) throw new Error(`download: ${url} has SHA-256 ${got.sha256}, expected ${opts.sha256}; nothing was written`);
    log(`checked: ${got.bytes.toLocaleString('en-US')} bytes, MD5 ${got.md5}${md5 ? ` (${md5From})` : ' (no checksum to compare with)'}`);
    const unpacked = path.join(tmp, 'unpacked');
    extractZip(fs.readFileSync(zipFile), unpacked, url);
    const inner = fs.existsSync(path.join(unpacked, name, entry.marker)) ? path.join(unpacked, name)
      : fs.existsSync(path.join(unpacked, entry.marker)) ? unpacked : null;
    if (!inner) throw new Error(`download: ${url} does not contain ${name}/${entry.marker}`);
    for (const [file, sum] of Object.entries(md5From === 'given' || opts.url ? {} : entry.sha256 ?? {})) {
      const h = crypto.createHash('sha256').update(fs.readFileSync(path.join(inner, file))).digest('hex');
      if (h !== sum) throw new Error(`download: ${name}/${file} has SHA-256 ${h}, expected ${sum}`);
    }
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(inner, dest);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`${name} is in ${dest}`);
  return dest;
}
