/** float64 references for elementwise ops. */

export const unaryRef: Record<string, (x: number) => number> = {
  relu: (x) => (x > 0 ? x : 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  exp: Math.exp,
  log: Math.log,
  softplus: (x) => Math.log1p(Math.exp(x)),
  neg: (x) => -x,
  sqrt: Math.sqrt,
  square: (x) => x * x,
};

export const binaryRef: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/** Numpy-style broadcast of flat row-major arrays a (shape sa) and b (shape sb). */
export function broadcastRef(f: (a: number, b: number) => number, a: ArrayLike<number>, sa: number[], b: ArrayLike<number>, sb: number[]): { out: Float64Array; shape: number[] } {
  const rank = Math.max(sa.length, sb.length);
  const pa = [...Array(rank - sa.length).fill(1), ...sa], pb = [...Array(rank - sb.length).fill(1), ...sb];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const n = shape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(n);
  const idx = (p: number[], coord: number[]) => {
    let k = 0;
    for (let i = 0; i < rank; i++) k = k * p[i] + (p[i] === 1 ? 0 : coord[i]);
    return k;
  };
  const coord = new Array(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let r = k;
    for (let i = rank - 1; i >= 0; i--) {
      coord[i] = r % shape[i];
      r = Math.floor(r / shape[i]);
    }
    out[k] = f(a[idx(pa, coord)], b[idx(pb, coord)]);
  }
  return { out, shape };
}

/** Sum over one axis of a row-major array (or everything when axis is undefined). */
export function sumRef(x: ArrayLike<number>, shape: number[], axis?: number): Float64Array {
  if (axis === undefined) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    return Float64Array.of(s);
  }
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const R = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let r = 0; r < R; r++)
      for (let i = 0; i < inner; i++) out[o * inner + i] += x[(o * R + r) * inner + i];
  return out;
}
