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
  init_fill(out: S, n: number, kind: number, a: number, b: number, seed: number): void;
  dropout_fwd(out: S, mask: S, x: S, n: number, p: number, seed: number): void;
  batchnorm_fwd(y: S, mean: S, invstd: S, x: S, gamma: OptS, beta: OptS, runMean: OptS, runVar: OptS, M: number, N: number, momentum: number, eps: number, training: boolean): void;
  batchnorm_bwd(dx: OptS, dgamma: OptS, dbeta: OptS, dy: S, x: S, mean: S, invstd: S, gamma: OptS, M: number, N: number, training: boolean): void;
  sgd_step(param: S, grad: S, velocity: OptS, n: number, lr: number, momentum: number, weightDecay: number, nesterov: boolean): void;
  adam_step(param: S, grad: S, m: S, v: S, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number, decoupled: boolean): void;
  sparse_adam_step(param: S, m: S, v: S, rows: S, values: S, U: number, D: number, R: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number, decoupled: boolean): void;
  bce_logits_fwd(loss: S, grad: S, logits: S, targets: S, n: number): void;
  mse_fwd(loss: S, grad: S, pred: S, target: S, n: number): void;
  masked_mse_fwd(loss: S, grad: S, pred: S, target: S, mask: S, n: number): void;
  softmax_ce_fwd(loss: S, grad: S, logits: S, labels: S, N: number, C: number): void;
  multinomial_nll_fwd(loss: S, grad: S, logits: S, targets: S, N: number, C: number): void;
  gaussian_kl_fwd(loss: S, dmu: S, dlogvar: S, mu: S, logvar: S, N: number, D: number): void;
  topk_fwd(values: S, indices: S, scores: S, exclPtr: OptS, exclIdx: OptS, N: number, C: number, k: number, nnz: number): void;
  tower_fwd(out: S, user: S, item: S, params: S, n: number, I: number, h1: number, h2: number, h3: number, h4: number, h5: number, accumulate: boolean): void;
}

export interface Addon extends KernelTable {
  Storage: StorageCtor;
  storageStats(): { liveStorages: number; liveBytes: number; cachedBytes: number };
  releaseCache(): number;
  capabilities(): { avx2Fma: boolean; threads: number; kernels: string[]; device?: string; computeCapability?: string };
  setNumThreads(n: number): number;
  /** CUDA addon only: devices the runtime sees, and why none. */
  deviceStatus?(): { devices: number; error: string | null };
  /** CUDA addon only: waits for queued kernels and throws a fault a kernel recorded. */
  synchronize?(): void;
}
