/** linear (+ReLU) and matmul rows: the NeuMF tower layer, the I-AutoRec encoder, a 1024³ GEMM. */
import { Tensor, linear, matmul, tidy } from '../src';
import { normal } from '../src/init';
import type { BenchRow } from './harness';

function params(M: number, K: number, N: number, grad: boolean) {
  const x = normal([M, K], 0, 1, 1).keep().requireGrad(grad);
  const w = normal([N, K], 0, K ** -0.5, 2).keep().requireGrad(grad);
  const b = normal([N], 0, 0.1, 3).keep().requireGrad(grad);
  return { x, w, b, all: [x, w, b] };
}

function linearRelu(M: number, K: number, N: number, bwd: boolean, op: string): BenchRow {
  return {
    op,
    shape: `${M}x${K}->${N}`,
    // FLOPs: 2MNK per GEMM; forward + backward is three GEMMs (y, dx, dW).
    amount: (bwd ? 3 : 1) * 2 * M * N * K,
    unit: 'GFLOP/s',
    setup() {
      const { x, w, b, all } = params(M, K, N, bwd);
      const dy = normal([M, N], 0, 1, 4).keep();
      const fn = bwd
        ? () =>
            tidy(() => {
              linear(x, w, b, { relu: true }).backward(dy);
              for (const p of all) {
                p.grad?.dispose();
                p.grad = null;
              }
            })
        : () => tidy(() => void linear(x, w, b, { relu: true }));
      return { fn, dispose: () => [...all, dy].forEach((t) => t.dispose()) };
    },
  };
}

export const rows: BenchRow[] = [
  linearRelu(256, 64, 32, true, 'linear_relu_fwd_bwd'),
  linearRelu(256, 6040, 500, false, 'linear_relu_fwd'),
  linearRelu(256, 6040, 500, true, 'linear_relu_fwd_bwd_autorec'),
  {
    op: 'matmul_1024',
    shape: '1024x1024@1024x1024',
    amount: 2 * 1024 ** 3,
    unit: 'GFLOP/s',
    setup() {
      const a = normal([1024, 1024], 0, 1, 5).keep(), b = normal([1024, 1024], 0, 1, 6).keep();
      return { fn: () => tidy(() => void matmul(a, b)), dispose: () => [a, b].forEach((t: Tensor) => t.dispose()) };
    },
  },
];
