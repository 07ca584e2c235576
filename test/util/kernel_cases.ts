/**
 * Raw kernel calls for the CUDA-vs-CPU equivalence suite: one list of cases per kernel id, on
 * seeded random inputs at sizes of 1, odd sizes (not multiples of any tile or vector width)
 * and large ones. A case names its outputs, which of them start as NaN poison (pure outputs)
 * rather than given values (accumulated ones), and the tolerance.
 */
import type { KernelTable } from '../../src/backend/addon_types';
import { BinaryOp, ScalarOp, UnaryOp } from '../../src/ops/kernel_ids';
import { Rng } from './rand';

type Buf = Float32Array | Int32Array;
export type KernelArg = Buf | number | boolean | null;

export interface KernelCase {
  id: keyof KernelTable;
  name: string;
  args: KernelArg[];
  outputs: Buf[];
  poison: Buf[];
  atol: number;
  rtol: number;
  /** Compare the return value too (coalesce_rows' count). */
  ret?: boolean;
  /** Per output, how many leading values to compare (the rest is unspecified). */
  compareLength?: number[];
}

const rng = new Rng(20261123);
const f32 = (n: number, lo = -1, hi = 1) => Float32Array.from(rng.uniform(n, lo, hi));
const out = (n: number) => new Float32Array(n);
const outI = (n: number) => new Int32Array(n);

function make(id: keyof KernelTable, name: string, args: KernelArg[], outputs: Buf[], opts: Partial<KernelCase> = {}): KernelCase {
  const poison = opts.poison ?? outputs;
  return { id, name: `${id} ${name}`, args, outputs, poison, atol: 1e-5, rtol: 1e-4, ...opts };
}

// GEMM sums K products: allow for a different summation order on the device.
const gemmTol = (K: number) => ({ atol: 1e-5 * Math.sqrt(K), rtol: 2e-4 });

function linearCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  const shapes: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [65, 33, 129], [256, 32, 64], [256, 500, 3706], [1000, 1, 7]];
  for (const [M, N, K] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const c = out(M * N), c0 = f32(M * N);
      cs.push(make('matmul_fwd', `${M}x${N}x${K} ta=${ta} tb=${tb}`, [c, f32(M * K), f32(K * N), M, N, K, ta, tb, false], [c], gemmTol(K)));
      if (ta === tb) cs.push(make('matmul_fwd', `${M}x${N}x${K} accumulate`, [c0, f32(M * K), f32(K * N), M, N, K, ta, tb, true], [c0], { ...gemmTol(K), poison: [] }));
    }
    for (const relu of [false, true]) {
      const y = out(M * N);
      cs.push(make('linear_fwd', `${M}x${K}->${N} relu=${relu}`, [y, f32(M * K), f32(N * K), f32(N), M, K, N, relu], [y], gemmTol(K)));
      const y2 = out(M * N);
      cs.push(make('linear_fwd', `${M}x${K}->${N} no bias`, [y2, f32(M * K), f32(N * K), null, M, K, N, relu], [y2], gemmTol(K)));
      const yv = Float32Array.from(f32(M * N), (v) => (relu ? Math.max(v, 0) : v));
      for (const acc of [false, true]) {
        const dx = acc ? f32(M * K) : out(M * K), dw = acc ? f32(N * K) : out(N * K), db = acc ? f32(N) : out(N);
        cs.push(make('linear_bwd', `${M}x${K}->${N} relu=${relu} acc=${acc}`, [dx, dw, db, f32(M * N), f32(M * K), f32(N * K), yv, M, K, N, relu, acc], [dx, dw, db], { ...gemmTol(Math.max(M, N)), poison: acc ? [] : [dx, dw, db] }));
      }
    }
  }
  return cs;
}

function elementwiseCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const n of [1, 7, 1003, 1 << 20]) {
    for (const [name, op] of Object.entries(UnaryOp)) {
      const positive = name === 'log' || name === 'sqrt';
      const x = positive ? f32(n, 0.01, 4) : f32(n, -30, 30);
      const o = out(n);
      cs.push(make('unary_fwd', `${name} n=${n}`, [o, x, n, op], [o], { atol: 1e-6, rtol: 2e-6 }));
      const dx = out(n);
      const y = Float32Array.from(x, (v) => unaryRef(name, v));
      cs.push(make('unary_bwd', `${name} n=${n}`, [dx, f32(n), x, y, n, op], [dx], { atol: 1e-6, rtol: 2e-6 }));
    }
    for (const [name, op] of Object.entries(ScalarOp)) {
      const x = name === 'pow' ? f32(n, 0.1, 3) : f32(n);
      const o = out(n);
      cs.push(make('scalar_fwd', `${name} n=${n}`, [o, x, n, op, name === 'rdiv' ? 2.5 : 1.7], [o], { atol: 1e-6, rtol: 1e-5 }));
    }
  }
  for (const [M, N] of [[1, 1], [3, 5], [257, 33], [1024, 1031]]) {
    for (const [name, op] of Object.entries(BinaryOp)) {
      const b = name === 'div' ? f32(M * N, 0.5, 2) : f32(M * N);
      const o1 = out(M * N), o2 = out(M * N), o3 = out(M * N);
      cs.push(make('binary_fwd', `${name} ${M}x${N} same shape`, [o1, f32(M * N), b, M, N, N, 1, N, 1, op], [o1]));
      cs.push(make('binary_fwd', `${name} ${M}x${N} row broadcast`, [o2, f32(M * N), b.subarray(0, N).slice(), M, N, N, 1, 0, 1, op], [o2]));
      cs.push(make('binary_fwd', `${name} ${M}x${N} column broadcast`, [o3, f32(M * N), b.subarray(0, M).slice(), M, N, N, 1, 1, 0, op], [o3]));
    }
  }
  return cs;
}

function unaryRef(name: string, v: number): number {
  switch (name) {
    case 'relu': return Math.max(v, 0);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'exp': return Math.exp(v);
    case 'log': return Math.log(v);
    case 'softplus': return Math.log1p(Math.exp(v));
    case 'neg': return -v;
    case 'sqrt': return Math.sqrt(v);
    default: return v * v;
  }
}

function shapeCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const [M, N] of [[1, 1], [7, 33], [300, 257], [2048, 1000]]) {
    const t = out(M * N);
    cs.push(make('transpose_fwd', `${M}x${N}`, [t, f32(M * N), M, N], [t]));
    for (const acc of [false, true]) {
      const o = acc ? f32(M * (N + 5)) : out(M * (N + 5));
      cs.push(make('copy_cols', `${M}x${N} into ${N + 5} at 3 acc=${acc}`, [o, f32(M * N), M, N + 5, 3, N, 0, N, acc], [o], { poison: [] }));
    }
  }
  for (const [outer, R, inner] of [[1, 1, 1], [3, 7, 5], [1, 100003, 1], [1000, 1001, 1], [7, 1000, 33], [1, 4096, 513]]) {
    const s = out(outer * inner);
    cs.push(make('sum_fwd', `${outer}x${R}x${inner}`, [s, f32(outer * R * inner), outer, R, inner, 0.5], [s], { atol: 1e-5 * Math.sqrt(R), rtol: 1e-4 }));
    const b = out(outer * R * inner);
    cs.push(make('broadcast_fwd', `${outer}x${R}x${inner}`, [b, f32(outer * inner), outer, R, inner, 0.5], [b]));
  }
  return cs;
}

function gatherCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const [B, D, R] of [[1, 1, 1], [7, 3, 5], [256, 8, 6040], [4099, 33, 3706], [65536, 64, 100000]]) {
    const idx = rng.ints(B, R);
    const o = out(B * D);
    cs.push(make('gather_fwd', `B=${B} D=${D} R=${R}`, [o, f32(R * D), idx, B, D, R], [o], { atol: 0, rtol: 0 }));
    const dt = f32(R * D);
    cs.push(make('gather_bwd', `B=${B} D=${D} R=${R}`, [dt, f32(B * D), idx, B, D, R], [dt], { poison: [] }));
    const rows = rng.ints(B, Math.max(1, Math.floor(R / 3)));
    const vals = f32(B * D);
    const orows = outI(B), ovals = out(B * D);
    const U = new Set(rows).size;
    cs.push(make('coalesce_rows', `B=${B} D=${D}`, [orows, ovals, rows, vals, B, D], [orows, ovals], { ret: true, compareLength: [U, U * D] }));
  }
  return cs;
}

function initCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const n of [1, 7, 1001, 1 << 20]) {
    const u = out(n), g = out(n);
    cs.push(make('init_fill', `uniform n=${n}`, [u, n, 0, -0.5, 0.5, 12345], [u], { atol: 0, rtol: 0 }));
    cs.push(make('init_fill', `normal n=${n}`, [g, n, 1, 0.1, 2, 777], [g], { atol: 1e-5, rtol: 1e-5 }));
    const o = out(n), m = out(n);
    cs.push(make('dropout_fwd', `n=${n} p=0.3`, [o, m, f32(n), n, 0.3, 99], [o, m], { atol: 0, rtol: 1e-7 }));
  }
  return cs;
}

function batchnormCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const [M, N] of [[2, 1], [7, 5], [256, 64], [1000, 333]]) {
    for (const training of [true, false]) {
      const y = out(M * N), mean = out(N), invstd = out(N), rm = f32(N), rv = f32(N, 0.5, 2);
      const x = f32(M * N, -2, 3), gamma = f32(N, 0.5, 1.5), beta = f32(N);
      cs.push(make('batchnorm_fwd', `${M}x${N} training=${training}`, [y, mean, invstd, x, gamma, beta, rm, rv, M, N, 0.1, 1e-5, training], [y, mean, invstd, rm, rv], { poison: [y, mean, invstd], atol: 1e-5, rtol: 2e-4 }));
      const mu = Float32Array.from({ length: N }, (_, j) => { let s = 0; for (let i = 0; i < M; i++) s += x[i * N + j]; return s / M; });
      const inv = f32(N, 0.5, 2);
      const dx = out(M * N), dg = out(N), db = out(N);
      cs.push(make('batchnorm_bwd', `${M}x${N} training=${training}`, [dx, dg, db, f32(M * N), x, mu, inv, gamma, M, N, training], [dx, dg, db], { atol: 1e-5 * Math.sqrt(M), rtol: 2e-4 }));
    }
  }
  return cs;
}

function optimCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const n of [1, 7, 1001, 1 << 22]) {
    for (const [mom, nest] of [[0, false], [0.9, false], [0.9, true]] as const) {
      const p = f32(n), vel = mom ? f32(n) : null;
      cs.push(make('sgd_step', `n=${n} momentum=${mom} nesterov=${nest}`, [p, f32(n), vel, n, 0.05, mom, 1e-4, nest], vel ? [p, vel] : [p], { poison: [], atol: 1e-6, rtol: 1e-5 }));
    }
    for (const decoupled of [false, true]) {
      const p = f32(n), m = f32(n, -0.1, 0.1), v = f32(n, 0, 0.01);
      cs.push(make('adam_step', `n=${n} decoupled=${decoupled}`, [p, f32(n), m, v, n, 1e-3, 0.9, 0.999, 1e-8, 1e-2, 7, decoupled], [p, m, v], { poison: [], atol: 1e-6, rtol: 1e-5 }));
    }
  }
  for (const [U, D, R] of [[1, 1, 1], [5, 3, 9], [4000, 64, 6040]]) {
    const rows = Int32Array.from([...new Set(rng.ints(U * 2, R))].sort((a, b) => a - b).slice(0, U));
    const u = rows.length;
    const p = f32(R * D), m = f32(R * D, -0.1, 0.1), v = f32(R * D, 0, 0.01);
    cs.push(make('sparse_adam_step', `U=${u} D=${D} R=${R}`, [p, m, v, rows, f32(u * D), u, D, R, 1e-3, 0.9, 0.999, 1e-8, 0, 3, false], [p, m, v], { poison: [], atol: 1e-6, rtol: 1e-5 }));
  }
  return cs;
}

function lossCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  const lossTol = (n: number) => ({ atol: 1e-6, rtol: 1e-5 * Math.max(1, Math.log2(n)) });
  for (const n of [1, 7, 1001, 1 << 20]) {
    const l1 = out(1), g1 = out(n);
    cs.push(make('bce_logits_fwd', `n=${n}`, [l1, g1, f32(n, -20, 20), Float32Array.from(rng.ints(n, 2)), n], [l1, g1], lossTol(n)));
    const l2 = out(1), g2 = out(n);
    cs.push(make('mse_fwd', `n=${n}`, [l2, g2, f32(n), f32(n), n], [l2, g2], lossTol(n)));
    const l3 = out(1), g3 = out(n);
    cs.push(make('masked_mse_fwd', `n=${n}`, [l3, g3, f32(n), f32(n, 1, 5), Float32Array.from(rng.ints(n, 2)), n], [l3, g3], lossTol(n)));
  }
  for (const [N, C] of [[1, 1], [3, 5], [256, 5], [33, 1000], [64, 26744]]) {
    const l = out(1), g = out(N * C);
    cs.push(make('softmax_ce_fwd', `${N}x${C}`, [l, g, f32(N * C, -8, 8), rng.ints(N, C), N, C], [l, g], lossTol(N * C)));
    const l2 = out(1), g2 = out(N * C);
    const targets = Float32Array.from(rng.ints(N * C, 4), (v) => (v === 0 ? 1 : 0));
    cs.push(make('multinomial_nll_fwd', `${N}x${C}`, [l2, g2, f32(N * C, -8, 8), targets, N, C], [l2, g2], lossTol(N * C)));
  }
  for (const [N, D] of [[1, 1], [7, 3], [500, 200]]) {
    const l = out(1), dmu = out(N * D), dlv = out(N * D);
    cs.push(make('gaussian_kl_fwd', `${N}x${D}`, [l, dmu, dlv, f32(N * D), f32(N * D, -2, 1), N, D], [l, dmu, dlv], lossTol(N * D)));
  }
  return cs;
}

function topkCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  for (const [N, C, k] of [[1, 1, 1], [3, 7, 3], [5, 100, 10], [64, 3706, 10], [17, 26744, 100], [4, 100000, 300], [2, 50, 60]]) {
    // Few distinct values, so ties are common and their order (lower index first) is checked.
    const scores = Float32Array.from(rng.ints(N * C, 50), (v) => v / 7);
    const ptr = new Int32Array(N + 1), idx: number[] = [];
    for (let r = 0; r < N; r++) {
      const seen = [...new Set(rng.ints(Math.min(C, 1 + (r % 9) * 3), C))].sort((a, b) => a - b);
      idx.push(...seen);
      ptr[r + 1] = idx.length;
    }
    const v1 = out(N * k), i1 = outI(N * k);
    cs.push(make('topk_fwd', `${N}x${C} k=${k}`, [v1, i1, scores, null, null, N, C, k, 0], [v1, i1], { atol: 0, rtol: 0 }));
    const v2 = out(N * k), i2 = outI(N * k);
    cs.push(make('topk_fwd', `${N}x${C} k=${k} exclude`, [v2, i2, scores, ptr, Int32Array.from(idx), N, C, k, idx.length], [v2, i2], { atol: 0, rtol: 0 }));
  }
  return cs;
}

function towerCases(): KernelCase[] {
  const cs: KernelCase[] = [];
  // Users x items around the 16-item CPU block and the 8-item CUDA tile, towers of 1 to 5 widths.
  const shapes: [number, number, number[]][] = [[1, 1, [1]], [3, 17, [5, 3]], [2, 9, [4, 3, 2]], [64, 3706, [32, 16, 8]], [5, 100, [64, 32, 16, 8]], [2, 31, [7, 6, 5, 4, 3]], [1, 40, [300, 2]]];
  for (const [n, I, widths] of shapes) {
    let P = widths[widths.length - 1];
    for (let l = 0; l + 1 < widths.length; l++) P += widths[l + 1] * widths[l] + widths[l + 1];
    const h = [0, 0, 0, 0, 0];
    widths.forEach((w, k) => (h[k] = w));
    const params = f32(P, -0.5, 0.5), user = f32(n * widths[0]), item = f32(widths[0] * I);
    const o1 = out(n * I), o2 = f32(n * I);
    const tol = { atol: 1e-5 * Math.sqrt(Math.max(...widths)), rtol: 2e-4 };
    cs.push(make('tower_fwd', `${n}x${I} widths ${widths.join('-')}`, [o1, user, item, params, n, I, ...h, false], [o1], tol));
    cs.push(make('tower_fwd', `${n}x${I} widths ${widths.join('-')} accumulate`, [o2, user, item, params, n, I, ...h, true], [o2], { ...tol, poison: [] }));
  }
  return cs;
}

/** Every case, built once (inputs are fixed by the seed). */
let cached: KernelCase[] | null = null;
export function kernelCases(): KernelCase[] {
  cached ??= [...linearCases(), ...elementwiseCases(), ...shapeCases(), ...gatherCases(), ...initCases(), ...batchnormCases(), ...optimCases(), ...lossCases(), ...topkCases(), ...towerCases()];
  return cached;
}
