/**
 * Fuzzing the checkpoint readers: safetensors files (round trips of random tensors, then
 * headers with fields replaced by hostile values, and raw bytes cut or flipped) and
 * config.json (any JSON value, and a valid config with fields replaced). A reader must return
 * something consistent or throw an Error naming the file; nothing may be read from outside a
 * tensor's own bytes.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../src/io/safetensors';
import { readCheckpointMeta } from '../../src/io/checkpoint';

const tensorName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'a.b.c', 'ü', '\u0000', '"', '__metadata'),
);
const namedArray: fc.Arbitrary<NamedArray> = fc
  .record({ int: fc.boolean(), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }) })
  .chain(({ int, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return int
      ? fc.array(fc.integer(), { minLength: n, maxLength: n }).map((v): NamedArray => ({ dtype: 'I32', shape, data: Int32Array.from(v) }))
      : fc.array(fc.float(), { minLength: n, maxLength: n }).map((v): NamedArray => ({ dtype: 'F32', shape, data: Float32Array.from(v) }));
  });
const tensorsArb = fc.uniqueArray(fc.tuple(tensorName, namedArray), { maxLength: 5, selector: ([k]) => k }).map((e) => new Map(e));
const metadataArb = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 });

/** Values that replace a header field: wrong types, negatives, fractions, huge, nested. */
const hostile = fc.oneof(
  fc.constantFrom<unknown>(null, true, 'F32', 'I32', 'F64', '', -1, -8, 0, 1.5, 2 ** 53, 2 ** 64, 1e308, [], [0], [-8, 0], [0, -1], [8, 0],
    [0, 2 ** 53], ['0', '8'], [[0], [8]], [0, 8, 16], {}, { a: 1 }, [2, -1], [1.5], ['2'], [2 ** 40, 2 ** 40]),
  fc.jsonValue({ maxDepth: 2 }),
);

function expectNamedError(file: string, fn: () => void): 'ok' | 'threw' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
    if (!e.message.includes(file)) throw new Error(`an error that does not name ${file}: ${e.constructor.name}: ${e.message}`);
    return 'threw';
  }
}

/** Whatever decodeSafetensors returns must be consistent with the bytes it came from. */
function checkDecoded(buf: Buffer, file: string): 'ok' | 'threw' {
  return expectNamedError(file, () => {
    const { tensors, metadata } = decodeSafetensors(buf, file);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    for (const v of Object.values(metadata)) if (typeof v !== 'string') throw new Error(`metadata value ${JSON.stringify(v)} is not a string`);
    for (const [name, t] of tensors) {
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== count) throw new Error(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
      const [s, e] = header[name].data_offsets as [number, number];
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      if (s < 0 || 8 + n + e > buf.length || !bytes.equals(buf.subarray(8 + n + s, 8 + n + e)))
        throw new Error(`tensor ${name}: its values are not the bytes at data_offsets [${s}, ${e}]`);
    }
  });
}

export function ioProperties(root: string): Array<{ name: string; property: fc.IProperty<never> }> {
  const file = path.join(root, 'model.safetensors');
  const roundTrip = fc.property(tensorsArb, metadataArb, (tensors, metadata) => {
    const back = decodeSafetensors(encodeSafetensors(tensors, metadata), file);
    if (back.tensors.size !== tensors.size) throw new Error(`${tensors.size} tensors written, ${back.tensors.size} read`);
    for (const [name, t] of tensors) {
      const b = back.tensors.get(name);
      if (!b || b.dtype !== t.dtype || b.shape.join() !== t.shape.join()) throw new Error(`tensor ${JSON.stringify(name)} did not round-trip`);
      const x = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), y = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
      if (!x.equals(y)) throw new Error(`tensor ${JSON.stringify(name)}: values changed`);
    }
    if (JSON.stringify(back.metadata) !== JSON.stringify(Object.keys(metadata).length ? metadata : {})) throw new Error('metadata changed');
    return true;
  });
  // A valid file whose header has one field (or a whole entry, or the header) replaced.
  const badHeader = fc.property(tensorsArb, fc.nat(), fc.constantFrom('dtype', 'shape', 'data_offsets', 'entry', 'header', 'metadata'), hostile,
    fc.integer({ min: -16, max: 16 }), (tensors, pick, field, value, extra) => {
      const buf = encodeSafetensors(tensors, { format: 'neurec' });
      const n = Number(buf.readBigUInt64LE(0));
      const header = JSON.parse(buf.subarray(8, 8 + n).toString());
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      let h: unknown = header;
      if (field === 'header') h = value;
      else if (field === 'metadata') header.__metadata__ = value;
      else if (names.length) {
        const name = names[pick % names.length];
        if (field === 'entry') header[name] = value;
        else header[name][field] = value;
      }
      const json = Buffer.from(JSON.stringify(h) ?? 'undefined');
      const data = buf.subarray(8 + n, Math.max(8 + n, buf.length + Math.min(0, extra)));
      const out = Buffer.concat([Buffer.alloc(8), json, data, Buffer.alloc(Math.max(0, extra))]);
      out.writeBigUInt64LE(BigInt(json.length), 0);
      return checkDecoded(out, file) !== null;
    });
  // Raw bytes: cut anywhere, bytes overwritten, the length prefix replaced.
  const badBytes = fc.property(tensorsArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(),
    fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), (tensors, flips, cut, prefix) => {
      let buf = Buffer.from(encodeSafetensors(tensors, {}));
      for (const [at, b] of flips) buf[at % buf.length] = b;
      if (cut % 3 === 0) buf = buf.subarray(0, cut % (buf.length + 1));
      if (prefix !== null && buf.length >= 8) buf.writeBigUInt64LE(prefix, 0);
      let headerOk = false;
      try {
        headerOk = buf.length >= 8 && JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString('utf8')) !== undefined;
      } catch {
        headerOk = false;
      }
      return (headerOk ? checkDecoded(buf, file) : expectNamedError(file, () => decodeSafetensors(buf, file))) !== null;
    });
  // config.json: any JSON, or a valid config with one field replaced.
  const dir = path.join(root, 'checkpoint');
  fs.mkdirSync(dir, { recursive: true });
  const cfgFile = path.join(dir, 'config.json');
  const valid = { format: 'neurec-checkpoint/1', model: 'mf', config: { factors: 4 }, dataset: 'ml-100k', evalFingerprint: 'abc', info: {} };
  const config = fc.property(
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.tuple(fc.constantFrom(...Object.keys(valid), 'extra'), hostile).map(([k, v]) => ({ ...valid, [k]: v })),
      fc.string({ maxLength: 20 }).map((t) => ({ raw: t })),
    ),
    (value) => {
      const raw = (value as { raw?: string })?.raw;
      fs.writeFileSync(cfgFile, typeof raw === 'string' ? raw : JSON.stringify(value) ?? '');
      return expectNamedError(dir, () => {
        const m = readCheckpointMeta(dir);
        const obj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
        if (m.format !== 'neurec-checkpoint/1' || typeof m.model !== 'string' || !obj(m.config) || typeof m.dataset !== 'string' ||
          (m.evalFingerprint !== undefined && typeof m.evalFingerprint !== 'string') || (m.info !== undefined && !obj(m.info)))
          throw new Error(`readCheckpointMeta accepted ${JSON.stringify(m)}`);
      }) !== null;
    });
  return [
    { name: 'safetensors round trip', property: roundTrip as unknown as fc.IProperty<never> },
    { name: 'safetensors hostile header fields', property: badHeader as unknown as fc.IProperty<never> },
    { name: 'safetensors raw bytes', property: badBytes as unknown as fc.IProperty<never> },
    { name: 'checkpoint config.json', property: config as unknown as fc.IProperty<never> },
  ];
}
