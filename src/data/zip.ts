/**
 * A small zip reader: enough for GroupLens's archives (stored or deflated entries, no ZIP64,
 * no encryption), so downloading a data set needs no `unzip` binary or npm package.
 * Every entry's CRC-32 is checked; extraction refuses paths that would leave the target folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  offset: number;
}

let CRC_TABLE: Int32Array | null = null;

export function crc32(buf: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** The entries of a zip archive, from its central directory. */
export function zipEntries(buf: Buffer, what = 'zip archive'): ZipEntry[] {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${what}: not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (p === 0xffffffff || count === 0xffff) throw new Error(`${what}: ZIP64 archives are not supported`);
  const out: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${what}: central directory entry ${k} is damaged`);
    const flags = buf.readUInt16LE(p + 8);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const e: ZipEntry = {
      method: buf.readUInt16LE(p + 10),
      crc32: buf.readUInt32LE(p + 16),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
      name: buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen),
    };
    if (flags & 1) throw new Error(`${what}: ${e.name} is encrypted`);
    out.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The uncompressed bytes of one entry (CRC-checked). */
export function zipRead(buf: Buffer, e: ZipEntry, what = 'zip archive'): Buffer {
  const h = e.offset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== 0x04034b50) throw new Error(`${what}: local header of ${e.name} is damaged`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const raw = buf.subarray(start, start + e.compressedSize);
  let data: Buffer;
  if (e.method === 0) data = Buffer.from(raw);
  else if (e.method === 8) data = zlib.inflateRawSync(raw);
  else throw new Error(`${what}: ${e.name} uses compression method ${e.method} (only stored and deflate are supported)`);
  if (data.length !== e.size) throw new Error(`${what}: ${e.name} inflated to ${data.length} bytes, expected ${e.size}`);
  if (crc32(data) !== e.crc32) throw new Error(`${what}: ${e.name} fails its CRC-32 check (corrupt download?)`);
  return data;
}

/** Extracts every file entry into `dest` (folders created); returns the written paths. */
export function extractZip(buf: Buffer, dest: string, what = 'zip archive'): string[] {
  const root = path.resolve(dest);
  const written: string[] = [];
  for (const e of zipEntries(buf, what)) {
    const target = path.resolve(root, e.name);
    if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`${what}: entry ${e.name} would be written outside ${root}`);
    if (e.name.endsWith('/')) { fs.mkdirSync(target, { recursive: true }); continue; }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, zipRead(buf, e, what));
    written.push(target);
  }
  return written;
}
