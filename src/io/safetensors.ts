/**
 * The safetensors format (what PyTorch and Hugging Face read): an 8-byte little-endian header
 * length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__}, then the raw
 * little-endian bytes. Files are written atomically: a temp file in the same folder, fsync,
 * rename, so a crash never leaves a half-written checkpoint behind.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface NamedArray {
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Writes `bytes` to `file` through a temp file and rename. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function encodeSafetensors(tensors: Map<string, NamedArray>, metadata: Record<string, string> = {}): Buffer {
  if (tensors.has('__metadata__')) throw new Error('safetensors: "__metadata__" is reserved for the metadata, not a tensor name');
  // No prototype: a tensor named "__proto__" is a key like any other (on {} it set the prototype
  // and vanished from the file).
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const t = tensors.get(name)!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${name} has ${t.data.length} values but shape [${t.shape}]`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data to 8 bytes
  const hb = Buffer.from(json);
  const out = Buffer.alloc(8 + hb.length + offset);
  out.writeBigUInt64LE(BigInt(hb.length), 0);
  hb.copy(out, 8);
  let p = 8 + hb.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, p);
    p += d.byteLength;
  }
  return out;
}

/** A short JSON rendering of a bad value for messages. */
function shown(v: unknown): string {
  const j = JSON.stringify(v);
  return j === undefined ? String(v) : j.length > 80 ? j.slice(0, 77) + '...' : j;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Reads a safetensors file. Every field is checked as the reference implementation does, and a
 * bad one is an Error naming the file, the tensor and the field: the header must be an object,
 * each entry {dtype F32|I32, shape of non-negative integers, data_offsets [begin, end]} with
 * end - begin = 4·(elements), and the entries' byte ranges must tile the data exactly (no
 * negative or overlapping offsets, no holes, nothing read from the header or past the end).
 */
export function decodeSafetensors(buf: Buffer, file = 'safetensors'): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  if (buf.length < 8) throw new Error(`${file}: too short to be a safetensors file (${buf.length} bytes)`);
  const big = buf.readBigUInt64LE(0);
  if (big > BigInt(buf.length - 8)) throw new Error(`${file}: header length ${big} exceeds the file size ${buf.length}`);
  const n = Number(big);
  let header: unknown;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: header is not JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw new Error(`${file}: header is ${shown(header)}, expected an object of tensors {name: {dtype, shape, data_offsets}}`);
  const meta = header.__metadata__;
  if (meta !== undefined && !(isObject(meta) && Object.values(meta).every((v) => typeof v === 'string')))
    throw new Error(`${file}: __metadata__ is ${shown(meta)}, expected an object of strings`);
  const metadata = (meta ?? {}) as Record<string, string>;
  const tensors = new Map<string, NamedArray>();
  const base = 8 + n, dataBytes = buf.length - base;
  const ranges: Array<[number, number, string]> = [];
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const where = `${file}: tensor ${JSON.stringify(name)}`;
    if (!isObject(h)) throw new Error(`${where} is ${shown(h)}, expected {dtype, shape, data_offsets}`);
    if (h.dtype !== 'F32' && h.dtype !== 'I32') throw new Error(`${where}: dtype ${shown(h.dtype)}; neurec reads F32 and I32`);
    const shape = h.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new Error(`${where}: shape ${shown(shape)} is not a list of non-negative integers`);
    let count = 1;
    for (const d of shape) count *= d;
    const offsets = h.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
      throw new Error(`${where}: data_offsets ${shown(offsets)} is not [begin, end] with 0 <= begin <= end`);
    const [s, e] = offsets as [number, number];
    if (e > dataBytes) throw new Error(`${where}: data_offsets [${s}, ${e}] reach past the ${dataBytes} bytes of data after the header`);
    if (e - s !== count * 4) throw new Error(`${where}: data_offsets [${s}, ${e}] hold ${e - s} bytes, but shape [${shape}] needs ${count * 4}`);
    ranges.push([s, e, name]);
    const bytes = new Uint8Array(count * 4);
    bytes.set(buf.subarray(base + s, base + e));
    const data = h.dtype === 'F32' ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
    tensors.set(name, { dtype: h.dtype, shape: shape.slice(), data });
  }
  // The byte ranges tile [0, dataBytes): each begins where the one before it ends.
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let at = 0;
  for (const [s, e, name] of ranges) {
    if (s !== at)
      throw new Error(`${file}: tensor ${JSON.stringify(name)}: data_offsets [${s}, ${e}] ${s < at ? 'overlap the tensor before it' : `leave a hole at bytes [${at}, ${s})`}`);
    at = e;
  }
  if (at !== dataBytes) throw new Error(`${file}: ${dataBytes - at} bytes after the last tensor's data (data_offsets end at ${at})`);
  return { tensors, metadata };
}
