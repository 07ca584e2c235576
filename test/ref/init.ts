/**
 * float64 references of the counter-based generator (native/cpu/init.h) in BigInt: value i of
 * a stream is splitmix64's mix of key + (i+1)·golden, key = mix(mix(seed) ^ stream).
 */
const MASK = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;
export const STREAM_INIT = 1n, STREAM_DROPOUT = 2n;

function mix64(z: bigint): bigint {
  z &= MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

export function rngBits(seed: number, stream: bigint, i: number): bigint {
  const key = mix64(mix64(BigInt(seed)) ^ stream);
  return mix64(key + BigInt(i + 1) * GOLDEN);
}

/** The top 24 bits as a value in [0, 1). */
export function unit(bits: bigint): number {
  return Number(bits >> 40n) / 2 ** 24;
}

export function uniformRef(n: number, lo: number, hi: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => lo + (hi - lo) * unit(rngBits(seed, STREAM_INIT, i)));
}

/** Box–Muller with u1 = (high 24 bits + 1)/2^24 in (0,1], u2 = low 24 bits/2^24, cosine branch. */
export function normalRef(n: number, mean: number, std: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const h = rngBits(seed, STREAM_INIT, i);
    const u1 = (Number(h >> 40n) + 1) / 2 ** 24, u2 = Number(h & 0xffffffn) / 2 ** 24;
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  });
}

/** Dropout mask: 1/(1-p) where the element's uniform is >= p (p as float32), else 0. */
export function dropoutMaskRef(n: number, p: number, seed: number): Float64Array {
  const pf = Math.fround(p), scale = Math.fround(1 / Math.fround(1 - pf));
  return Float64Array.from({ length: n }, (_, i) => (unit(rngBits(seed, STREAM_DROPOUT, i)) >= pf ? scale : 0));
}

export function meanStd(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let q = 0;
  for (let i = 0; i < a.length; i++) q += (a[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / a.length) };
}
