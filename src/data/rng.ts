/**
 * Seeded random number generators for the data layer.
 *
 * XorShift32 is the NCF evaluation protocol's stream (../shared/peers/movielens.py rule 3), bit
 * for bit, so our 99 sampled negatives equal the PyTorch peer's. Rng is the general-purpose one
 * (sfc32, seeded through splitmix32) for splits, training negatives and synthetic data: faster
 * and statistically better than xorshift32, and any number of independent streams can be derived
 * from one seed (e.g. one per epoch) with `Rng.derive(seed, epoch)`.
 */

/** The NCF protocol's xorshift32 (shifts 13, 17, 5, mod 2^32); `next()` returns the new state. */
export class XorShift32 {
  private x: number;
  constructor(seed = 42) {
    this.x = seed >>> 0;
    // A zero state stays zero forever: refuse it rather than return a constant stream.
    if (this.x === 0) throw new Error('XorShift32: seed must be non-zero mod 2^32');
  }
  /** The next state, an unsigned 32-bit integer (never 0). */
  next(): number {
    let x = this.x;
    // `<<` works on int32 and `>>>` reads it back as uint32: exactly the mod 2^32 arithmetic.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.x = x >>> 0);
  }
}

/** splitmix32 finaliser: spreads any 32-bit input over all 32 output bits. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Folds any finite number (not only 32-bit integers) into a 32-bit seed. */
function seed32(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
  const lo = seed >>> 0, hi = Math.floor(seed / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi));
}

/** General seeded PRNG (sfc32). Period about 2^127; the same seed always gives the same stream. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed = 0) {
    const s = seed32(seed);
    this.a = mix32(s);
    this.b = mix32(s ^ 0x6a09e667);
    this.c = mix32(s ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32(); // warm up: decorrelate nearby seeds
  }

  /** An independent stream for (seed, stream ids...), e.g. `Rng.derive(seed, epoch)`. */
  static derive(seed: number, ...streams: number[]): Rng {
    let s = seed32(seed);
    for (const t of streams) s = mix32(s ^ seed32(t));
    return new Rng(s);
  }

  /** Uniform unsigned 32-bit integer. */
  nextU32(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n), n ≤ 2^32 (bias below n / 2^32, negligible for item counts). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle of any index-able array. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
