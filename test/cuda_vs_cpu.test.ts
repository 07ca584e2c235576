/**
 * Every kernel id of the CUDA addon against the CPU kernel on fresh random inputs: sizes of 1,
 * odd sizes that are not multiples of any block or vector width, and large ones. Pure outputs
 * are poisoned with NaN first on both sides, so a value the kernel forgot to write shows up.
 * Without a GPU the device cases report themselves skipped with the reason; the table check
 * (every CPU kernel exists in the CUDA addon) still runs wherever the addon is built.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, cuda, cudaAddonBuild, whyNot } from '../src/backend/load';
import type { Addon, NativeStorage } from '../src/backend/addon_types';
import { UnaryOp } from '../src/ops/kernel_ids';
import { kernelCases, type KernelCase } from './util/kernel_cases';

type Buf = Float32Array | Int32Array;

/** Runs one case on an addon: uploads every buffer, calls the kernel, downloads the outputs. */
function runCase(addon: Addon, c: KernelCase): { outs: Buf[]; ret: unknown } {
  const stores: (NativeStorage | null)[] = [];
  const args = c.args.map((a) => {
    if (!ArrayBuffer.isView(a)) return a;
    const buf = a as Buf;
    const s = new addon.Storage(buf.length, buf instanceof Float32Array ? 0 : 1);
    if (c.poison.includes(buf)) s.fill(buf instanceof Float32Array ? NaN : -7);
    else s.upload(buf);
    stores.push(s);
    return s;
  });
  const ret = (addon[c.id] as unknown as (...x: unknown[]) => unknown)(...args);
  const outs = c.outputs.map((o) => (args[c.args.indexOf(o)] as NativeStorage).download());
  for (const s of stores) s?.dispose();
  return { outs, ret };
}

/** Largest |a-b| / (atol + rtol·|b|) over a pair of arrays, with the worst position. */
function worst(a: Buf, b: Buf, atol: number, rtol: number): { ratio: number; at: number } {
  let ratio = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (Number.isNaN(x) !== Number.isNaN(y)) return { ratio: Infinity, at: i };
    if (Number.isNaN(x)) continue;
    const r = Math.abs(x - y) / (atol + rtol * Math.abs(y));
    if (r > ratio) (ratio = r), (at = i);
  }
  return { ratio, at };
}

const built = cudaAddonBuild();
const device = cuda();

test('the CUDA addon, when built, exports every CPU kernel id', () => {
  const ids = cpu().capabilities().kernels;
  assert.ok(ids.length > 25, 'the CPU addon registers its kernels');
  if (!built) {
    const reason = whyNot('cuda');
    assert.ok(reason.length > 0, 'an unbuilt CUDA addon says why');
    console.log(`  SKIP cuda kernel table: ${reason}`);
    return;
  }
  const have = new Set(built.capabilities().kernels);
  const missing = ids.filter((id) => !have.has(id));
  assert.equal(missing, [], `kernels missing from neurec_cuda: ${missing.join(', ')}`);
});

if (!device) {
  test('CUDA equivalence cases are skipped without a device, with the reason', () => {
    const reason = whyNot('cuda');
    assert.ok(reason.length > 0);
    console.log(`  SKIP cuda: ${reason} (every kernel-vs-CPU case is left for a machine with a GPU)`);
  });
} else {
  const caps = device.capabilities();
  console.log(`  cuda: ${caps.device} (sm ${caps.computeCapability})`);
  for (const c of kernelCases()) {
    test(`cuda ${c.name}`, () => {
      // A case the CPU kernel rejects (k > C for top-k) must be rejected on the device with
      // the same message.
      let cpuError: unknown = null;
      try {
        runCase(cpu(), c);
      } catch (e) {
        cpuError = e;
      }
      if (cpuError) {
        const msg = (cpuError as Error).message;
        assert.throws(() => runCase(device, c), (e: Error) => e.message === msg, `${c.name}: cuda should throw "${msg}"`);
        return;
      }
      const want = runCase(cpu(), c);
      const got = runCase(device, c);
      if (c.ret) assert.equal(got.ret, want.ret, `${c.name}: return value`);
      c.outputs.forEach((_, k) => {
        const n = c.compareLength?.[k] ?? want.outs[k].length;
        const g = got.outs[k].subarray(0, n), w = want.outs[k].subarray(0, n);
        const { ratio, at } = worst(g, w, c.atol, c.rtol);
        assert.ok(ratio <= 1, `${c.name} output ${k}: cuda ${g[at]} vs cpu ${w[at]} at ${at} (error ${ratio.toFixed(2)}× tolerance)`);
      });
    });
  }

  test('cuda: an index out of range found on the device throws at the next read, naming the kernel', () => {
    const k = device;
    const table = new k.Storage(4 * 3, 0, true), idx = new k.Storage(2, 1), out = new k.Storage(2 * 3, 0);
    idx.upload(Int32Array.from([1, 9]));
    k.gather_fwd(out, table, idx, 2, 3, 4);
    assert.throws(() => out.download(), /gather_fwd: index 9 out of range \[0, 4\)/);
    out.download(); // the fault was reported once and cleared
    [table, idx, out].forEach((s) => s.dispose());
  });

  test('cuda: a CPU storage passed to a CUDA kernel is rejected', () => {
    const c = cpu().Storage, g = device.Storage;
    const a = new c(4, 0), out = new g(4, 0);
    assert.throws(() => device.unary_fwd(out, a, 4, UnaryOp.relu), /unary_fwd x: expected a cuda tensor storage/);
    a.dispose();
    out.dispose();
  });
}

test.run();
