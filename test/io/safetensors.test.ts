import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeSafetensors, encodeSafetensors, writeFileAtomic } from '../../src/io/safetensors';
import { loadWeights, readCheckpointMeta, saveCheckpoint } from '../../src/io/checkpoint';
import { NCF } from '../../src/models/ncf';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-io-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('safetensors round-trips F32 and I32 tensors and metadata, with the data 8-byte aligned', () => {
  const t = new Map([
    ['b.weight', { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, -6.5) }],
    ['a.ids', { dtype: 'I32' as const, shape: [4], data: Int32Array.of(7, -1, 0, 2 ** 31 - 1) }],
  ]);
  const buf = encodeSafetensors(t, { format: 'neurec' });
  const n = Number(buf.readBigUInt64LE(0));
  assert.is((8 + n) % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  assert.equal(header['a.ids'], { dtype: 'I32', shape: [4], data_offsets: [0, 16] });
  assert.equal(header['b.weight'].data_offsets, [16, 40]);
  const back = decodeSafetensors(buf);
  assert.equal(back.metadata, { format: 'neurec' });
  assert.equal(Array.from(back.tensors.get('b.weight')!.data), [1, 2, 3, 4, 5, -6.5]);
  assert.equal(Array.from(back.tensors.get('a.ids')!.data), [7, -1, 0, 2 ** 31 - 1]);
});

test('safetensors rejects truncated and malformed files, naming the file', () => {
  assert.throws(() => decodeSafetensors(Buffer.alloc(4), 'x.safetensors'), /x.safetensors: too short/);
  const bad = Buffer.alloc(16);
  bad.writeBigUInt64LE(100n, 0);
  assert.throws(() => decodeSafetensors(bad, 'y'), /y: header length 100 exceeds the file size 16/);
});

/** A safetensors buffer with this header (any JSON value, or raw text) and `data` bytes after it. */
function withHeader(header: unknown, data = 8): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + data);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

test('safetensors: every bad header field is an Error naming the file, the tensor and the field (issue 25)', () => {
  const f = 'm.safetensors';
  const w = (entry: unknown, data = 8) => () => decodeSafetensors(withHeader({ w: entry }, data), f);
  // Negative offsets read the weights from the header's own bytes before.
  assert.throws(w({ dtype: 'F32', shape: [2], data_offsets: [-8, 0] }), /m.safetensors: tensor "w": data_offsets \[-8,0\] is not \[begin, end\] with 0 <= begin <= end/);
  // These threw TypeErrors (Cannot read properties of null, h.shape.reduce is not a function).
  assert.throws(() => decodeSafetensors(withHeader(null), f), /m.safetensors: header is null, expected an object of tensors/);
  assert.throws(() => decodeSafetensors(withHeader([1, 2]), f), /m.safetensors: header is \[1,2\], expected an object/);
  assert.throws(w(null), /m.safetensors: tensor "w" is null, expected \{dtype, shape, data_offsets\}/);
  assert.throws(w({ dtype: 'F32', shape: [2] }), /tensor "w": data_offsets undefined is not \[begin, end\]/);
  assert.throws(w({ dtype: 'F32', shape: '2', data_offsets: [0, 8] }), /tensor "w": shape "2" is not a list of non-negative integers/);
  assert.throws(w({ dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] }), /tensor "w": shape \[2,-1\]/);
  assert.throws(w({ dtype: 'F32', shape: [1.5], data_offsets: [0, 8] }), /tensor "w": shape \[1.5\]/);
  assert.throws(w({ dtype: 'F64', shape: [1], data_offsets: [0, 8] }), /tensor "w": dtype "F64"; neurec reads F32 and I32/);
  assert.throws(w({ dtype: 'F32', shape: [2], data_offsets: [8, 0] }), /data_offsets \[8,0\] is not \[begin, end\]/);
  assert.throws(w({ dtype: 'F32', shape: [2], data_offsets: [0, 8, 16] }), /data_offsets \[0,8,16\]/);
  assert.throws(w({ dtype: 'F32', shape: [2], data_offsets: ['0', 8] }), /data_offsets \["0",8\]/);
  assert.throws(w({ dtype: 'F32', shape: [4], data_offsets: [0, 16] }), /tensor "w": data_offsets \[0, 16\] reach past the 8 bytes of data after the header/);
  assert.throws(w({ dtype: 'F32', shape: [3], data_offsets: [0, 8] }), /tensor "w": data_offsets \[0, 8\] hold 8 bytes, but shape \[3\] needs 12/);
  assert.throws(w({ dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] }), /hold 8 bytes, but shape/);
  assert.throws(w({ dtype: 'F32', shape: [1], data_offsets: [4, 8] }), /tensor "w": data_offsets \[4, 8\] leave a hole at bytes \[0, 4\)/);
  assert.throws(w({ dtype: 'F32', shape: [1], data_offsets: [0, 4] }), /m.safetensors: 4 bytes after the last tensor's data/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I32', shape: [1], data_offsets: [4, 8] } }, 8), f),
    /tensor "b": data_offsets \[4, 8\] overlap the tensor before it/);
  assert.throws(() => decodeSafetensors(withHeader({ __metadata__: { n: 1 } }, 0), f), /m.safetensors: __metadata__ is \{"n":1\}, expected an object of strings/);
  assert.throws(() => decodeSafetensors(withHeader('{"w": {', 0), f), /m.safetensors: header is not JSON/);
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(2n ** 63n, 0);
  assert.throws(() => decodeSafetensors(huge, f), /m.safetensors: header length 9223372036854775808 exceeds the file size 16/);
  // Well-formed: zero-size tensors anywhere, metadata of strings.
  const ok = decodeSafetensors(withHeader({ __metadata__: { a: 'b' }, e: { dtype: 'I32', shape: [0, 3], data_offsets: [8, 8] }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8), f);
  assert.equal([...ok.tensors.keys()].sort(), ['e', 'w']);
});

test('safetensors: a tensor named __proto__ (or constructor) is written and read like any other (found by the fuzzer)', () => {
  const t = new Map([
    ['__proto__', { dtype: 'F32' as const, shape: [1], data: Float32Array.of(1.5) }],
    ['constructor', { dtype: 'I32' as const, shape: [2], data: Int32Array.of(3, 4) }],
  ]);
  const back = decodeSafetensors(encodeSafetensors(t), 'p.safetensors');
  assert.equal([...back.tensors.keys()].sort(), ['__proto__', 'constructor']);
  assert.equal(Array.from(back.tensors.get('__proto__')!.data), [1.5]);
  assert.throws(() => encodeSafetensors(new Map([['__metadata__', t.get('__proto__')!]])), /"__metadata__" is reserved/);
});

test('checkpoint config.json: null, an array or a missing field is an Error naming the file and the field', () => {
  const dir = path.join(tmp, 'meta');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  const meta = (v: unknown) => {
    fs.writeFileSync(file, JSON.stringify(v));
    return () => readCheckpointMeta(dir);
  };
  const good = { format: 'neurec-checkpoint/1', model: 'mf', config: { factors: 4 }, dataset: 'ml-100k' };
  assert.is(meta(good)().model, 'mf');
  assert.throws(meta(null), /checkpoint .*config.json: expected a JSON object, got null/);
  assert.throws(meta([good]), /expected a JSON object, got \[/);
  assert.throws(meta({ ...good, config: undefined }), /config.json: field "config" must be an object \(the model's configuration\), got nothing/);
  assert.throws(meta({ ...good, config: null }), /field "config" must be an object .*, got null/);
  assert.throws(meta({ ...good, config: [1] }), /field "config" must be an object/);
  assert.throws(meta({ ...good, model: 7 }), /field "model" must be a model name, got 7/);
  assert.throws(meta({ ...good, dataset: null }), /field "dataset" must be a data set name, got null/);
  assert.throws(meta({ ...good, info: 'x' }), /field "info" must be an object when present, got "x"/);
  assert.throws(meta({ ...good, format: 'other' }), /unknown format "other"/);
});

test('a checkpoint whose weights are NaN or infinite, or of the wrong dtype, is refused by name, and the model is left alone', () => {
  const cfg = { model: 'gmf' as const, nUsers: 3, nItems: 4, factors: 2, seed: 3 };
  const src = new NCF(cfg), dst = new NCF({ ...cfg, seed: 9 });
  const dir = path.join(tmp, 'nan');
  saveCheckpoint(dir, src, { model: 'gmf', config: cfg, dataset: 'synthetic' });
  const file = path.join(dir, 'model.safetensors');
  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), file);
  const before = Array.from(dst.scorePairs(Int32Array.of(0, 1), Int32Array.of(2, 3)));
  const poison = (name: string, fill: number) => {
    const t = tensors.get(name)!;
    const copy = new Map(tensors);
    copy.set(name, { ...t, data: new Float32Array(t.data.length).fill(fill) });
    fs.writeFileSync(file, encodeSafetensors(copy, metadata));
  };
  poison('gmf_item.weight', NaN);
  assert.throws(() => loadWeights(dir, dst), /model.safetensors: tensor gmf_item.weight holds 8 of 8 values that are NaN or infinite \(the first at index 0\)/);
  poison('predict.weight', -Infinity);
  assert.throws(() => loadWeights(dir, dst), /tensor predict.weight holds 2 of 2 values that are NaN or infinite/);
  const asInt = new Map(tensors);
  asInt.set('predict.weight', { dtype: 'I32', shape: tensors.get('predict.weight')!.shape, data: new Int32Array(2) });
  fs.writeFileSync(file, encodeSafetensors(asInt, metadata));
  assert.throws(() => loadWeights(dir, dst), /tensor predict.weight is I32 but the model expects float32/);
  assert.equal(Array.from(dst.scorePairs(Int32Array.of(0, 1), Int32Array.of(2, 3))), before, 'a refused checkpoint changes nothing');
  [src, dst].forEach((m) => m.dispose());
});

test('atomic writes leave no temp file behind', () => {
  const f = path.join(tmp, 'a', 'file.bin');
  writeFileAtomic(f, 'hello');
  assert.is(fs.readFileSync(f, 'utf8'), 'hello');
  assert.equal(fs.readdirSync(path.dirname(f)), ['file.bin']);
});

test('a model checkpoint restores identical scores; mismatched shapes are refused', () => {
  const cfg = { model: 'neumf' as const, nUsers: 5, nItems: 7, factors: 4, layers: [8, 4], seed: 3 };
  const a = new NCF(cfg), b = new NCF({ ...cfg, seed: 4 });
  const u = Int32Array.of(0, 1, 4), i = Int32Array.of(6, 2, 0);
  const dir = path.join(tmp, 'ckpt');
  saveCheckpoint(dir, a, { model: 'neumf', config: cfg, dataset: 'synthetic' });
  assert.is(readCheckpointMeta(dir).model, 'neumf');
  assert.not.equal(Array.from(b.scorePairs(u, i)), Array.from(a.scorePairs(u, i)));
  loadWeights(dir, b);
  assert.equal(Array.from(b.scorePairs(u, i)), Array.from(a.scorePairs(u, i)));
  const c = new NCF({ ...cfg, factors: 5 });
  assert.throws(() => loadWeights(dir, c), /tensor gmf_user.weight is \[5,4\] but the model expects \[5,5\]/);
  [a, b, c].forEach((m) => m.dispose());
});

test.run();
