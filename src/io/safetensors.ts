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
  const header: Record<string, unknown> = {};
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

export function decodeSafetensors(buf: Buffer, file = 'safetensors'): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  if (buf.length < 8) throw new Error(`${file}: too short to be a safetensors file (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new Error(`${file}: header length ${n} exceeds the file size ${buf.length}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: header is not JSON (${(e as Error).message})`);
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const tensors = new Map<string, NamedArray>();
  const base = 8 + n;
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (h.dtype !== 'F32' && h.dtype !== 'I32') throw new Error(`${file}: tensor ${name} has dtype ${h.dtype}; neurec reads F32 and I32`);
    const [s, e] = h.data_offsets;
    const count = h.shape.reduce((a, b) => a * b, 1);
    if (e - s !== count * 4 || base + e > buf.length) throw new Error(`${file}: tensor ${name} [${h.shape}] has bad data offsets [${s}, ${e}]`);
    const bytes = new Uint8Array(count * 4);
    bytes.set(buf.subarray(base + s, base + e));
    const data = h.dtype === 'F32' ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
    tensors.set(name, { dtype: h.dtype, shape: h.shape, data });
  }
  return { tensors, metadata };
}
