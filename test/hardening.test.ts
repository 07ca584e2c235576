/**
 * Issue 25's engine cases: inputs that reached a native crash or a silent wrong answer. The
 * crash cases run in a child process (test/util/isolated.ts), so a regression fails here
 * instead of killing the runner.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_NUMEL, Tensor, linear, mean, memory, square, sum, tensor, tidy, zeros, int32 } from '../src';
import { cpu } from '../src/backend/load';
import { howItEnded, runIsolated } from './util/isolated';
import { NCF } from '../src/models/ncf';
import { makeInteractions } from '../src/data/dataset';
import { IdMap } from '../src/data/ids';
import { trainImplicit } from '../src/train/implicit';

/** Runs `cases` (name -> JS expression) in one child; returns name -> thrown message or 'returned'. */
function outcomes(setup: string, cases: Record<string, string>): Record<string, string> {
  const body = Object.entries(cases)
    .map(([k, expr]) => `try { ${expr}; out[${JSON.stringify(k)}] = 'returned'; } catch (e) { out[${JSON.stringify(k)}] = e.message; }`)
    .join('\n');
  const r = runIsolated(`${setup}\nconst out = {};\n${body}\n` +
    // The heap must still work afterwards: a wild write shows up as a crash here, if not before.
    `for (let i = 0; i < 50; i++) T.tidy(() => T.sum(T.zeros([64, 33]), 1));\nconsole.log(JSON.stringify(out));`);
  assert.ok(r.status === 0, `child process crashed: ${howItEnded(r)}`);
  return JSON.parse(r.out.trim().split('\n').pop()!);
}

test('Storage offsets and lengths past the end (2^63 included) throw, and the heap stays intact', () => {
  const o = outcomes('const t = T.zeros([4]).handle;', {
    upload2p63: 't.upload(new Float32Array([7]), 2**63)',
    uploadNeg: 't.upload(new Float32Array([7]), -1)',
    uploadFrac: 't.upload(new Float32Array([7]), 1.5)',
    uploadNaN: 't.upload(new Float32Array([7]), NaN)',
    uploadPast: 't.upload(new Float32Array(2), 3)',
    download2p63: 't.download(1, 2**63)',
    downloadPast: 't.download(2, 3)',
    uploadEnd: 't.upload(new Float32Array(0), 4)',
    copySelf: 't.copyFrom(t)',
  });
  assert.match(o.upload2p63, /upload: offset must be a whole number in \[0, 4\], got 9.22\d*e\+18/);
  assert.match(o.uploadNeg, /upload: offset must be a whole number in \[0, 4\], got -1/);
  assert.match(o.uploadFrac, /got 1.5/);
  assert.match(o.uploadNaN, /got nan/);
  assert.match(o.uploadPast, /upload: 2 values at offset 3 do not fit a storage of 4/);
  assert.match(o.download2p63, /download: length must be a whole number in \[0, 3\]/);
  assert.match(o.downloadPast, /download: length must be a whole number in \[0, 2\], got 3/);
  assert.is(o.uploadEnd, 'returned');
  assert.is(o.copySelf, 'returned');
});

test('sizes whose product wraps int64 throw in every kernel, before any memory is touched', () => {
  const big = 2 ** 32;
  const o = outcomes('const S = (n, d = 0) => new A.Storage(n, d, true);', {
    transpose: `A.transpose_fwd(S(1), S(1), ${big}, ${big})`,
    binary: `A.binary_fwd(S(1), S(1), S(1), ${big}, ${big}, 0, 0, 0, 0, 0)`,
    sum: `A.sum_fwd(S(1), S(1), ${big}, ${big}, ${big}, 1)`,
    matmulK0: `A.matmul_fwd(S(1), S(1), S(1), ${big}, ${big}, 0, false, false, false)`,
    linear: `A.linear_fwd(S(1), S(1), S(1), null, ${big}, 0, ${big}, false)`,
    topk: `A.topk_fwd(S(1), S(1, 1), S(1), null, null, ${big}, 0, ${big}, 0)`,
    gather: `A.gather_fwd(S(1), S(1), S(1, 1), ${big}, ${big}, 0)`,
    copyCols: `A.copy_cols(S(1), S(1), ${big}, ${big}, 0, ${big}, 0, 0, false)`,
    tooLarge: `A.unary_fwd(S(1), S(1), ${big + 1}, 0)`,
  });
  for (const k of ['transpose', 'binary', 'sum', 'matmulK0', 'linear', 'topk', 'gather', 'copyCols'])
    assert.match(o[k], /multiply past int64: no storage is that large/, k);
  assert.match(o.tooLarge, /unary_fwd: n = 4294967297 is too large: a size is at most 4294967296/);
});

test('an empty output returns at once, however large the other sizes (the fuzzer found an 86 s broadcast)', () => {
  const big = 2 ** 32 - 1;
  const t0 = Date.now();
  const o = outcomes('const S = (n) => new A.Storage(n, 0, true);', {
    broadcast: `A.broadcast_fwd(S(0), S(0), ${big}, 6, 0, 1)`,
    sum: `A.sum_fwd(S(0), S(0), 1, ${big}, 0, 1)`,
    binary: `A.binary_fwd(S(0), S(0), S(0), ${big}, 0, 0, 0, 0, 0, 0)`,
    copyCols: `A.copy_cols(S(0), S(0), ${big}, 0, 0, 0, 0, 0, false)`,
    transpose: `A.transpose_fwd(S(0), S(0), ${big}, 0)`,
    linearBwd: `A.linear_bwd(null, null, S(0), S(0), S(0), S(0), null, ${big}, 0, 0, false, false)`,
    batchnorm: `A.batchnorm_fwd(S(0), S(0), S(0), S(0), null, null, null, null, ${big}, 0, 0.1, 1e-5, true)`,
  });
  for (const [k, v] of Object.entries(o)) assert.is(v, 'returned', k);
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
});

test('unary_bwd without the x or y its op reads throws (it dereferenced null)', () => {
  const o = outcomes('const S = (n) => new A.Storage(n, 0, true);', {
    reluNoX: 'A.unary_bwd(S(4), S(4), null, null, 4, 0)',
    sigmoidNoY: 'A.unary_bwd(S(4), S(4), S(4), null, 4, 1)',
    negNeither: 'A.unary_bwd(S(4), S(4), null, null, 4, 6)',
  });
  assert.match(o.reluNoX, /unary_bwd: op 0's derivative needs x, got null/);
  assert.match(o.sigmoidNoY, /unary_bwd: op 1's derivative needs y = f\(x\), got null/);
  assert.is(o.negNeither, 'returned');
});

test('op, kind and dtype codes out of range are rejected, never truncated (2^32 + 1 is not 1)', () => {
  const k = cpu();
  const s = new k.Storage(4, 0, true);
  try {
    assert.throws(() => k.unary_fwd(s, s, 4, 2 ** 32 + 1), /unary_fwd: unknown unary op code 4294967297 \(codes are 0 to 8\)/);
    assert.throws(() => k.binary_fwd(s, s, s, 1, 4, 4, 1, 4, 1, 4), /unknown binary op code 4/);
    assert.throws(() => k.scalar_fwd(s, s, 4, -1, 2), /unknown scalar op code -1/);
    assert.throws(() => k.init_fill(s, 4, 1.5, 0, 1, 7), /unknown init kind code 1.5/);
    assert.throws(() => k.dropout_fwd(s, new k.Storage(4, 0), s, 4, 0.5, 2 ** 64), /seed must be a whole number/);
    assert.throws(() => new k.Storage(4, (2 ** 32 + 1) as 0), /Storage: unknown dtype code 4294967297/);
    assert.throws(() => new k.Storage(4, 0.5 as 0), /Storage: unknown dtype code 0.5/);
  } finally {
    s.dispose();
  }
});

test('an output never shares a storage with another buffer; elementwise ops still run in place', () => {
  const k = cpu();
  const a = new k.Storage(4, 0), b = new k.Storage(4, 0), idx = new k.Storage(2, 1, true);
  try {
    assert.throws(() => k.gather_fwd(a, a, idx, 2, 2, 2), /gather_fwd: (out and table|table and out) are the same storage/);
    assert.throws(() => k.matmul_fwd(a, a, b, 2, 2, 2, false, false, false), /matmul_fwd: .* are the same storage/);
    assert.throws(() => k.transpose_fwd(a, a, 2, 2), /transpose_fwd: .* are the same storage/);
    assert.throws(() => k.copy_cols(a, a, 2, 2, 0, 2, 0, 2, false), /copy_cols: .* are the same storage/);
    assert.throws(() => k.adam_step(a, b, b, b, 4, 0.1, 0.9, 0.99, 1e-8, 0, 1, false), /adam_step: .* are the same storage/);
    // out = a + b(row broadcast) with out being b: rows after the first would read a written row.
    assert.throws(() => k.binary_fwd(b, a, b, 2, 2, 2, 1, 0, 1, 0), /out shares its storage with a broadcast operand/);
    a.upload(new Float32Array([1, 2, 3, 4]));
    b.upload(new Float32Array([10, 20, 30, 40]));
    k.binary_fwd(a, a, b, 1, 4, 4, 1, 4, 1, 0); // a += b, in place
    assert.equal(Array.from(a.download()), [11, 22, 33, 44]);
    k.unary_fwd(a, a, 4, 6); // a = -a
    assert.equal(Array.from(a.download()), [-11, -22, -33, -44]);
  } finally {
    [a, b, idx].forEach((s) => s.dispose());
  }
});

test('int32 values outside int32 are an Error at tensor creation (2^32 stored 0, 2^31 became -2^31)', () => {
  tidy(() => {
    assert.throws(() => int32([2 ** 32]), /tensor: int32 tensor got 4294967296 at 0, outside the int32 range/);
    assert.throws(() => int32([1, 2 ** 31]), /got 2147483648 at 1/);
    assert.throws(() => Tensor.fromArray([-(2 ** 31) - 1], [1], 'int32'), /outside the int32 range/);
    assert.equal(Array.from(int32([-(2 ** 31), 2 ** 31 - 1]).toArray()), [-(2 ** 31), 2 ** 31 - 1]);
    const t = zeros([2], 'int32');
    assert.throws(() => t.handle.fill(2 ** 31), /fill: 2147483648 is not an int32 value/);
    assert.throws(() => t.handle.fill(0.5), /fill: 0.5 is not an int32 value/);
  });
});

test('unknown dtypes and devices are an Error (float64 held int32 [1,2])', () => {
  const before = memory().tensors;
  assert.throws(() => Tensor.fromArray([1.5, 2.7], [2], 'float64' as 'float32'), /tensor: unknown dtype "float64": tensors are float32 or int32/);
  assert.throws(() => Tensor.empty([2], 'int64' as 'int32'), /empty: unknown dtype "int64"/);
  assert.throws(() => zeros([2], 'float16' as 'float32'), /unknown dtype "float16"/);
  assert.throws(() => Tensor.empty([2], 'float32', 'gpu' as 'cpu'), /unknown device "gpu" \(expected cpu or cuda\)/);
  assert.is(memory().tensors, before, 'a rejected tensor leaves nothing behind');
});

test('backward() through a graph a tidy freed, or a second time, throws saying why', () => {
  const w = Tensor.fromArray([0.5, -0.25], [1, 2]).requireGrad().keep();
  try {
    let loss: Tensor | null = null;
    tidy(() => {
      loss = mean(square(linear(tensor([[1, 2], [3, 4]]), w, null))).keep();
    });
    const before = memory().tensors;
    assert.throws(() => loss!.backward(), /backward: mean's input \[2,1\] float32 was disposed before backward\(\): a tidy\(\) or dispose\(\) freed part of the graph/);
    assert.is(w.grad, null);
    assert.is(memory().tensors, before, 'nothing leaked');
    loss!.dispose();

    tidy(() => {
      const l = mean(square(linear(tensor([[1, 2]]), w, null)));
      l.backward();
      const g = Array.from(w.grad!.toArray());
      assert.throws(() => l.backward(), /backward: tensor \[\] float32 belongs to a graph an earlier backward\(\) already used and released; run the forward pass again/);
      assert.equal(Array.from(w.grad!.toArray()), g, 'the gradient was not added to twice');
    });
    // A second loss built on an intermediate of a released graph cannot reach w either.
    tidy(() => {
      const h = linear(tensor([[1, 2]]), w, null);
      mean(square(h)).backward();
      assert.throws(() => sum(h).backward(), /backward: sum's input \[1,1\] float32 belongs to a graph an earlier backward\(\) already used/);
    });
  } finally {
    w.dispose();
  }
});

test('a mean over an empty axis is NaN whichever axis is empty; a sum over one is 0', () => {
  tidy(() => {
    for (const [shape, axis] of [[[0, 3], 0], [[3, 0], 1], [[2, 0, 3], 1], [[0], 0]] as const) {
      const m = Array.from(mean(zeros(shape as unknown as number[]), axis).toArray());
      assert.ok(m.every(Number.isNaN), `mean over axis ${axis} of [${shape}] gave [${m}]`);
      const s = Array.from(sum(zeros(shape as unknown as number[]), axis).toArray());
      assert.ok(s.every((v) => v === 0), `sum over axis ${axis} of [${shape}] gave [${s}]`);
    }
    assert.ok(Number.isNaN(mean(zeros([0, 3])).item()));
  });
});

test('a too-large tensor says it is too large, and the limit', () => {
  assert.is(MAX_NUMEL, 2 ** 32);
  assert.throws(() => zeros([2 ** 40]), /empty: shape \[1099511627776\] holds 1099511627776 elements: too large, a tensor holds at most 4294967296/);
  assert.throws(() => new (cpu().Storage)(2 ** 40, 0), /Storage: 1099511627776 elements is too large: a tensor holds at most 4294967296 elements/);
  assert.throws(() => new (cpu().Storage)(-1, 0), /Storage: numel must be a non-negative integer, got -1/);
});

test('trainImplicit refuses a batch of 0 (it hung) and negative epochs (they trained nothing)', () => {
  const users = Int32Array.from({ length: 100 }, (_, k) => k % 20), items = Int32Array.from({ length: 100 }, (_, k) => (k * 7) % 30);
  const data = makeInteractions({ name: 't', users, items, userIds: IdMap.identity(20), itemIds: IdMap.identity(30) });
  const net = new NCF({ model: 'gmf', nUsers: 20, nItems: 30, factors: 4, seed: 1 });
  try {
    for (const batchSize of [0, -1, 2.5, NaN])
      assert.throws(() => trainImplicit(net, data, { epochs: 1, batchSize }), /trainImplicit: batchSize must be an integer >= 1/);
    assert.throws(() => trainImplicit(net, data, { epochs: -1 }), /trainImplicit: epochs must be an integer >= 0, got -1/);
  } finally {
    net.dispose();
  }
});

test.run();
