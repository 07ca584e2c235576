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
