/**
 * Fuzzing the argument layer of every kernel id (native/napi_util.h and native/bind/): each case
 * calls one kernel of the CPU addon with arguments drawn around its signature (storages of
 * random sizes and dtypes, shared, disposed, null or not storages at all; sizes near 0, the
 * int32, 2^32 and int64 limits, NaN and fractions; op codes out of range; missing and extra
 * arguments). A call must return or throw an Error naming the kernel; a crash kills the child
 * process that runs this (main.ts), so the harness reports it with the case that did it.
 */
import fc from 'fast-check';
import { cpu } from '../../src/backend/load';
import type { Addon, NativeStorage } from '../../src/backend/addon_types';

/**
 * Argument kinds, by position, of every kernel (the order of addon_types.ts): f/i a float32 or
 * int32 storage (f?/i? also null), n a size, x a float, b a flag, cK an op code below K, s a
 * seed, t a step count.
 */
export const SIGNATURES: Record<string, string> = {
  matmul_fwd: 'f f f n n n b b b',
  linear_fwd: 'f f f f? n n n b',
  linear_bwd: 'f? f? f? f f f f? n n n b b',
  binary_fwd: 'f f f n n n n n n c4',
  scalar_fwd: 'f f n c5 x',
  unary_fwd: 'f f n c9',
  unary_bwd: 'f f f? f? n c9',
  copy_cols: 'f f n n n n n n b',
  transpose_fwd: 'f f n n',
  sum_fwd: 'f f n n n x',
  broadcast_fwd: 'f f n n n x',
  gather_fwd: 'f f i n n n',
  gather_bwd: 'f f i n n n',
  coalesce_rows: 'i f i f n n',
  init_fill: 'f n c2 x x s',
  dropout_fwd: 'f f f n x s',
  batchnorm_fwd: 'f f f f f? f? f? f? n n x x b',
  batchnorm_bwd: 'f? f? f? f f f f f? n n b',
  sgd_step: 'f f f? n x x x b',
  adam_step: 'f f f f n x x x x x t b',
  sparse_adam_step: 'f f f i f n n n x x x x x t b',
  bce_logits_fwd: 'f f f f n',
  mse_fwd: 'f f f f n',
  masked_mse_fwd: 'f f f f f n',
  softmax_ce_fwd: 'f f f i n n',
  multinomial_nll_fwd: 'f f f f n n',
  gaussian_kl_fwd: 'f f f f f n n',
  topk_fwd: 'f i f i? i? n n n n',
  tower_fwd: 'f f f f n n n n n n n b',
};

/** Sizes near every limit the argument layer guards: int32, 2^32 (the largest storage), 2^53, int64. */
const EDGE_SIZES = [-1, -0, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1,
  2 ** 33, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 1e300];
const EDGE_FLOATS = [0, -0, 1, -1, 0.5, 1e-8, 0.999, 1 - 2 ** -24, NaN, Infinity, -Infinity, 1e300, -1e300, 3.4e38, 5e-324];

/**
 * A storage argument: the storage of its own position (`own`, the usual case, so that most calls
 * pass the checks and reach the kernel), one of the case's shared storages (so outputs and
 * inputs overlap), or something that is not a live storage.
 */
type BufferPick = { own: true } | { shared: number } | { other: 'null' | 'undefined' | 'disposed' | 'object' | 'number' | 'typed' | 'string' };

const size = fc.oneof(
  { weight: 14, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 7, max: 70 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_SIZES) },
);
const float = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_FLOATS) },
);
const anyValue = fc.constantFrom<unknown>(undefined, null, 'x', {}, [], true, 7, -1, NaN);
const bufferPick = (optional: boolean): fc.Arbitrary<BufferPick> =>
  fc.oneof(
    { weight: 24, arbitrary: fc.constant({ own: true as const }) },
    { weight: 2, arbitrary: fc.nat({ max: 3 }).map((shared) => ({ shared })) },
    { weight: optional ? 6 : 1, arbitrary: fc.constant({ other: 'null' as const }) },
    { weight: 1, arbitrary: fc.constantFrom('undefined', 'disposed', 'object', 'number', 'typed', 'string').map((other) => ({ other }) as BufferPick) },
  );

/** One argument by kind, or (rarely) any value at all in its place. */
function argFor(kind: string): fc.Arbitrary<unknown> {
  const exact: fc.Arbitrary<unknown> = kind.startsWith('f') || kind.startsWith('i') ? bufferPick(kind.endsWith('?'))
    : kind === 'n' ? size
    : kind === 'x' ? float
    : kind === 'b' ? fc.oneof({ weight: 10, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyValue })
    : kind === 's' ? fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max: 1000 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 53, 2 ** 64, 0.5, NaN) })
    : kind === 't' ? fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 100 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 2 ** 53, 2 ** 53 + 2, 1.5, NaN) })
    : fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max: Number(kind.slice(1)) - 1 }) },
        { weight: 1, arbitrary: fc.constantFrom(-1, Number(kind.slice(1)), 2 ** 32, 2 ** 32 + 1, 0.5, NaN) });
  return fc.oneof({ weight: 60, arbitrary: exact }, { weight: 1, arbitrary: anyValue });
}

/** A storage: dtype, size (often enough for three small sizes multiplied) and a content seed. */
const storageSpec = (int: boolean) => fc.record({
  int: fc.oneof({ weight: 12, arbitrary: fc.constant(int) }, { weight: 1, arbitrary: fc.constant(!int) }),
  numel: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 10 }) },
    { weight: 2, arbitrary: fc.integer({ min: 30, max: 60 }) },
    { weight: 5, arbitrary: fc.integer({ min: 216, max: 400 }) },
    { weight: 1, arbitrary: fc.integer({ min: 4000, max: 5000 }) },
  ),
  seed: fc.nat(),
});
type StorageSpec = { int: boolean; numel: number; seed: number };

export interface KernelCase {
  id: string;
  /** The storage of each argument position (unused where the argument is not a storage). */
  own: StorageSpec[];
  shared: StorageSpec[];
  args: unknown[];
}

export const kernelCase: fc.Arbitrary<KernelCase> = fc.constantFrom(...Object.keys(SIGNATURES)).chain((id) => {
  const kinds = SIGNATURES[id].split(' ');
  const args: fc.Arbitrary<unknown[]> = fc.tuple(...kinds.map(argFor)).chain((a) =>
    // Missing trailing arguments, the exact count, or extra ones.
    fc.oneof(
      { weight: 20, arbitrary: fc.constant(a as unknown[]) },
      { weight: 1, arbitrary: fc.nat({ max: a.length }).map((k) => a.slice(0, k)) },
      { weight: 1, arbitrary: fc.constant([...a, 1, null] as unknown[]) },
    ));
  return fc.record({
    id: fc.constant(id),
    own: fc.tuple(...kinds.map((k) => storageSpec(k.startsWith('i')))) as fc.Arbitrary<StorageSpec[]>,
    shared: fc.array(storageSpec(false), { minLength: 4, maxLength: 4 }),
    args,
  });
});

/** Deterministic contents: floats in [-3, 3) with some NaN/Inf; ints mostly in [0, 6), some out of range or extreme. */
function fillStorage(h: NativeStorage, int: boolean, numel: number, seed: number): void {
  let s = (seed >>> 0) || 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  if (int) {
    const a = new Int32Array(numel);
    for (let k = 0; k < numel; k++) {
      const r = next();
      a[k] = r < 0.97 ? Math.floor(next() * 6) : [2 ** 31 - 1, -(2 ** 31), 1 << 20, -1, 6, 7][Math.floor(next() * 6)];
    }
    h.upload(a);
  } else {
    const a = new Float32Array(numel);
    for (let k = 0; k < numel; k++) {
      const r = next();
      a[k] = r < 0.95 ? next() * 6 - 3 : [NaN, Infinity, -Infinity, 3e38][Math.floor(next() * 4)];
    }
    h.upload(a);
  }
}

/** Runs one case; returns 'ok' or 'threw'. Throws (a failed property) when the kernel misbehaved without crashing. */
export function runKernelCase(c: KernelCase, addon: Addon = cpu()): 'ok' | 'threw' {
  const made: NativeStorage[] = [];
  const make = (p: StorageSpec) => {
    const h = new addon.Storage(p.numel, p.int ? 1 : 0, false);
    made.push(h);
    fillStorage(h, p.int, p.numel, p.seed);
    return h;
  };
  const shared = c.shared.map(make);
  const disposed = new addon.Storage(4, 0, true);
  disposed.dispose();
  const args = c.args.map((a, k) => {
    if (a === null || typeof a !== 'object' || !('own' in a || 'shared' in a || 'other' in a)) return a;
    if ('own' in a) return make(c.own[k]);
    if ('shared' in a) return shared[(a as { shared: number }).shared];
    switch ((a as { other: string }).other) {
      case 'null': return null;
      case 'undefined': return undefined;
      case 'disposed': return disposed;
      case 'object': return {};
      case 'number': return 0;
      case 'typed': return new Float32Array(4);
      default: return 'storage';
    }
  });
  try {
    const fn = (addon as unknown as Record<string, (...a: unknown[]) => unknown>)[c.id];
    fn(...args);
    return 'ok';
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${c.id} threw a non-Error: ${String(e)}`);
    // Every message names the kernel.
    if (!e.message.startsWith(c.id)) throw new Error(`${c.id} threw an Error that does not name it: ${e.message}`);
    return 'threw';
  } finally {
    for (const h of made) h.dispose();
  }
}

/** A compact description of a case, to replay a crash by hand. */
export function describeKernelCase(c: KernelCase): string {
  return JSON.stringify(c, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
