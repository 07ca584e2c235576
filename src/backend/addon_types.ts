/**
 * The typed interface of the native addons: one signature per kernel id. Arguments follow the
 * C++ order (outputs first, then inputs, then sizes); `S` is an opaque storage handle.
 */

export interface NativeStorage {
  readonly numel: number;
  readonly disposed: boolean;
  dispose(): void;
  upload(values: Float32Array | Int32Array, offset?: number): void;
  download(offset?: number, length?: number): Float32Array | Int32Array;
  fill(value: number): void;
  copyFrom(src: NativeStorage): void;
}

export interface StorageCtor {
  new (numel: number, dtypeCode: 0 | 1, zero?: boolean): NativeStorage;
}

type S = NativeStorage;
type OptS = NativeStorage | null;

export interface KernelTable {
  matmul_fwd(out: S, a: S, b: S, M: number, N: number, K: number, transA: boolean, transB: boolean, accumulate: boolean): void;
  linear_fwd(y: S, x: S, w: S, bias: OptS, M: number, K: number, N: number, relu: boolean): void;
  linear_bwd(dx: OptS, dw: OptS, db: OptS, dy: S, x: S, w: S, y: OptS, M: number, K: number, N: number, relu: boolean, accumulate: boolean): void;
  binary_fwd(out: S, a: S, b: S, M: number, N: number, ars: number, acs: number, brs: number, bcs: number, op: number): void;
  scalar_fwd(out: S, x: S, n: number, op: number, s: number): void;
  unary_fwd(out: S, x: S, n: number, op: number): void;
  unary_bwd(dx: S, dy: S, x: OptS, y: OptS, n: number, op: number): void;
  copy_cols(out: S, x: S, rows: number, outCols: number, outOff: number, xCols: number, xOff: number, len: number, accumulate: boolean): void;
  transpose_fwd(out: S, x: S, M: number, N: number): void;
  sum_fwd(out: S, x: S, outer: number, R: number, inner: number, scale: number): void;
  broadcast_fwd(out: S, x: S, outer: number, R: number, inner: number, scale: number): void;
  gather_fwd(out: S, table: S, idx: S, B: number, D: number, R: number): void;
  gather_bwd(dtable: S, dy: S, idx: S, B: number, D: number, R: number): void;
  coalesce_rows(outRows: S, outVals: S, rows: S, vals: S, B: number, D: number): number;
}

export interface Addon extends KernelTable {
  Storage: StorageCtor;
  storageStats(): { liveStorages: number; liveBytes: number };
  capabilities(): { avx2Fma: boolean; threads: number; kernels: string[] };
  setNumThreads(n: number): number;
}
