/** A long training loop must leave live tensors and native bytes flat, and RSS bounded. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, Adam, bceWithLogits, concat, gather, memory, mul, sum, tidy } from '../src';
import { Embedding, MLPTower, Linear } from '../src/nn';
import { SeedSequence } from '../src/init';
import { Rng } from './util/rand';

test('10,000 training steps of a small NeuMF-like model leak no tensor and no native memory', () => {
  const seeds = new SeedSequence(1);
  const users = new Embedding(50, 8, seeds, { sparse: true }), items = new Embedding(80, 8, seeds, { sparse: true });
  const tower = new MLPTower([16, 16, 8], seeds);
  const head = new Linear(8, 1, seeds);
  const params = [...users.parameters(), ...items.parameters(), ...tower.parameters(), ...head.parameters()];
  const opt = new Adam(params, { lr: 1e-3 });
  const rng = new Rng(2);
  const B = 32;
  const u = Tensor.fromArray(rng.ints(B, 50), [B], 'int32').keep(), i = Tensor.fromArray(rng.ints(B, 80), [B], 'int32').keep();
  const y = Tensor.fromArray(Array.from({ length: B }, (_, k) => k % 2), [B, 1]).keep();
  const step = () =>
    tidy(() => {
      const pu = users.forward(u), qi = items.forward(i);
      const logits = head.forward(tower.forward(concat([pu, qi])));
      const loss = bceWithLogits(logits, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    });
  for (let s = 0; s < 200; s++) step(); // warm-up: optimizer state exists from here on
  global.gc?.();
  const before = memory();
  const rss0 = process.memoryUsage().rss;
  let first = 0, last = 0;
  for (let s = 0; s < 10_000; s++) {
    const l = step();
    if (s === 0) first = l;
    last = l;
  }
  const after = memory();
  const rss1 = process.memoryUsage().rss;
  assert.is(after.tensors, before.tensors, `live tensors ${before.tensors} -> ${after.tensors}`);
  assert.is(after.storages, before.storages, `native storages ${before.storages} -> ${after.storages}`);
  assert.is(after.bytes, before.bytes, `native bytes ${before.bytes} -> ${after.bytes}`);
  assert.ok(rss1 - rss0 < 64 * 1024 * 1024, `RSS grew by ${((rss1 - rss0) / 1048576).toFixed(1)} MiB`);
  assert.ok(last < first, `loss should fall: ${first} -> ${last}`);
  opt.dispose();
  for (const m of [users, items, tower, head]) m.dispose();
  [u, i, y].forEach((t) => t.dispose());
  void gather; void mul; void sum;
});

test('tidy frees temporaries but keeps returned tensors; dispose frees native memory at once', () => {
  const base = memory();
  const kept = tidy(() => {
    const a = Tensor.empty([100, 100]);
    const b = Tensor.empty([100, 100]);
    void a;
    return { b, list: [Tensor.empty([10])] };
  });
  const mid = memory();
  assert.is(mid.tensors - base.tensors, 2);
  assert.is(mid.bytes - base.bytes, 100 * 100 * 4 + 40);
  kept.b.dispose();
  kept.list[0].dispose();
  assert.equal(memory(), base);
});

test('views share storage: the buffer lives until the last view is disposed', () => {
  const base = memory();
  const a = Tensor.empty([4, 6]);
  const v = a.view([24]);
  a.dispose();
  assert.is(memory().storages - base.storages, 1);
  v.dispose();
  assert.equal(memory(), base);
});

test.run();
