/**
 * Seeded initialisers. Values come from a native counter-based generator (value i is a pure
 * function of (seed, i)), so a seed gives the same tensor whatever the thread count. One run
 * seed feeds a SeedSequence, which hands each parameter (and each dropout call) its own seed.
 */
import { Tensor, numel, type Device } from './tensor';
import { defaultDevice } from './backend/load';
import { fmtShape, opError } from './errors';
import { InitKind } from './ops/kernel_ids';
import { kernels } from './ops/util';

/** A seed, or a SeedSequence to draw the next seed from. */
export type Seed = number | SeedSequence;

const MASK64 = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;

/** splitmix64's finaliser, the same mix the native generator uses. */
function mix64(z: bigint): bigint {
  z &= MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** 64-bit FNV-1a of a string key, so named seeds survive parameters being added or reordered. */
function hashKey(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const ch of Buffer.from(key, 'utf8')) h = ((h ^ BigInt(ch)) * 0x100000001b3n) & MASK64;
  return h;
}

function checkSeed(op: string, seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw opError(op, `expected a seed that is an integer in [0, 2^53) but got ${seed}`);
  return seed;
}

/**
 * Derives independent seeds from one run seed: next() gives child 0, 1, 2, ... and
 * derive(key) a child named by a string. Children are safe integers (53 bits).
 */
export class SeedSequence {
  private counter = 0;
  constructor(readonly seed: number) {
    checkSeed('SeedSequence', seed);
  }
  /** The next child seed (depends on the run seed and how many were drawn before). */
  next(): number {
    return this.child(BigInt(this.counter++) * GOLDEN);
  }
  /** A seed that depends only on the run seed and `key`. */
  derive(key: string): number {
    return this.child(hashKey(key));
  }
  /** A child sequence, for a sub-model that draws its own seeds. */
  spawn(): SeedSequence {
    return new SeedSequence(this.next());
  }
  private child(salt: bigint): number {
    return Number(mix64(mix64(BigInt(this.seed)) + salt + GOLDEN) >> 11n);
  }
}

/** The seed to use now: a number as given (checked), or the next of a sequence. */
export function resolveSeed(op: string, seed: Seed | undefined): number {
  if (seed instanceof SeedSequence) return seed.next();
  if (seed === undefined) throw opError(op, 'expected a seed (a non-negative integer or a SeedSequence)');
  return checkSeed(op, seed);
}

function fill(op: string, shape: readonly number[], kind: number, a: number, b: number, seed: Seed, device: Device): Tensor {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw opError(op, `expected finite parameters but got ${a} and ${b}`);
  const s = resolveSeed(op, seed);
  const t = Tensor.empty(shape, 'float32', device);
  kernels(device).init_fill(t.handle, t.size, kind, a, b, s);
  return t;
}

/** Values uniform in [lo, hi). */
export function uniform(shape: readonly number[], lo: number, hi: number, seed: Seed, device: Device = defaultDevice()): Tensor {
  if (!(lo < hi)) throw opError('uniform', `expected lo < hi but got [${lo}, ${hi})`);
  return fill('uniform', shape, InitKind.uniform, lo, hi, seed, device);
}

/** Values from a normal distribution with the given mean and standard deviation. */
export function normal(shape: readonly number[], mean: number, std: number, seed: Seed, device: Device = defaultDevice()): Tensor {
  if (!(std >= 0)) throw opError('normal', `expected std >= 0 but got ${std}`);
  return fill('normal', shape, InitKind.normal, mean, std, seed, device);
}

/** PyTorch's fans: a weight [fanOut, fanIn, ...receptive field] (a Linear weight is [out, in]). */
function fans(op: string, shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw opError(op, `expected a weight shape [fanOut, fanIn, ...] of rank >= 2 but got ${fmtShape(shape)}`);
  const rf = numel(shape.slice(2));
  const fanIn = shape[1] * rf, fanOut = shape[0] * rf;
  if (fanIn === 0 || fanOut === 0) throw opError(op, `expected non-zero fans but got ${fmtShape(shape)}`);
  return { fanIn, fanOut };
}

/** Glorot uniform: U(-b, b), b = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(shape: readonly number[], seed: Seed, gain = 1, device: Device = defaultDevice()): Tensor {
  const { fanIn, fanOut } = fans('xavierUniform', shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fill('xavierUniform', shape, InitKind.uniform, -bound, bound, seed, device);
}

/** Glorot normal: N(0, std²), std = gain·sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal(shape: readonly number[], seed: Seed, gain = 1, device: Device = defaultDevice()): Tensor {
  const { fanIn, fanOut } = fans('xavierNormal', shape);
  return fill('xavierNormal', shape, InitKind.normal, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), seed, device);
}

/** He (Kaiming) uniform for ReLU layers, fan-in mode: U(-b, b), b = sqrt(6 / fanIn). */
export function heUniform(shape: readonly number[], seed: Seed, device: Device = defaultDevice()): Tensor {
  const bound = Math.sqrt(6 / fans('heUniform', shape).fanIn);
  return fill('heUniform', shape, InitKind.uniform, -bound, bound, seed, device);
}

/** He (Kaiming) normal for ReLU layers, fan-in mode: N(0, 2 / fanIn). */
export function heNormal(shape: readonly number[], seed: Seed, device: Device = defaultDevice()): Tensor {
  return fill('heNormal', shape, InitKind.normal, 0, Math.sqrt(2 / fans('heNormal', shape).fanIn), seed, device);
}
