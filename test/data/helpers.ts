/** Test helpers for the data layer: temp fixture folders and the real-data location. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Rng } from '../../src/data/rng';
import { crc32 } from '../../src/data/zip';

/** A fresh folder under os.tmpdir() holding `files` (name -> text, or bytes); removed at exit. */
export function fixtureDir(files: Record<string, string | Buffer>, enc: BufferEncoding = 'utf8'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-data-'));
  for (const [name, body] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof body === 'string' ? Buffer.from(body, enc) : body);
  }
  cleanup.push(dir);
  return dir;
}

const cleanup: string[] = [];
process.on('exit', () => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * The real data folder $NEUREC_DATA_DIR/name (CI sets NEUREC_DATA_DIR to the shared data; locally
 * run with NEUREC_DATA_DIR=/work/shared/data); null, with the reason printed, when unset/missing.
 */
export function realData(name: string): string | null {
  const root = process.env.NEUREC_DATA_DIR;
  const dir = root ? path.join(root, name) : '';
  if (!root || !fs.existsSync(dir)) {
    console.log(`  (skipped: real data ${name}: ${root ? `${dir} is missing` : 'NEUREC_DATA_DIR is not set'})`);
    return null;
  }
  return dir;
}

/**
 * A deterministic ml-100k-style u.data text with non-contiguous raw ids, unsorted lines and
 * deliberate timestamp ties: the NCF rules' hard cases. Its peer fingerprint is pinned in
 * ncf_eval.test.ts (computed by ../shared/peers/movielens.py on this very text).
 */
export function trickyUData(): string {
  const rng = new Rng(7);
  const lines: string[] = [];
  for (let u = 0; u < 40; u++) {
    const rawUser = 1000 - 17 * u; // descending raw ids: file order != dense order
    const n = 5 + rng.int(26);
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      let it: number;
      do it = 7 + 3 * rng.int(150); while (seen.has(it));
      seen.add(it);
      const ts = 880000000 + rng.int(4); // only 4 distinct times: many ties
      lines.push(`${rawUser}\t${it}\t${1 + rng.int(5)}\t${ts}`);
    }
  }
  // Interleave users so "the later line" is not simply the user's last block.
  const order = rng.permutation(lines.length);
  return Array.from(order, (k) => lines[k]).join('\n') + '\n';
}

/** A minimal zip writer (stored or deflated entries), to test our reader on real archives. */
export function makeZip(files: Record<string, string>, deflate = true): Buffer {
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
