/** matmul with either operand transposed, and the fused linear layer x·Wᵀ + b (+ ReLU). */
import { Tensor } from '../tensor';
import { record } from '../autograd';
import { fmtShape, opError } from '../errors';
import { empty, expectDType, expectRank, kernels, sameDevice } from './util';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/** op(a)·op(b) for 2-D a, b; op transposes when asked. */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const dev = sameDevice('matmul', a, b);
  expectDType('matmul', 'a', a, 'float32');
  expectDType('matmul', 'b', b, 'float32');
  expectRank('matmul', 'a', a, 2);
  expectRank('matmul', 'b', b, 2);
  const ta = !!opts.transA, tb = !!opts.transB;
  const [M, K] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [K2, N] = tb ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (K !== K2)
    throw opError('matmul', `inner sizes differ: ${fmtShape(a.shape)}${ta ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${tb ? 'ᵀ' : ''} (${K} vs ${K2})`);
  const y = empty([M, N], a);
  const k = kernels(dev);
  k.matmul_fwd(y.handle, a.handle, b.handle, M, N, K, ta, tb, false);
  return record(y, 'matmul', [a, b], function matmulBackward(gy) {
    let da: Tensor | null = null, db: Tensor | null = null;
    if (a.requiresGrad) {
      // C = A·B: dA = dC·Bᵀ; stored transposed (ta): dAᵀ = B·dCᵀ. Same pattern for B.
      da = empty(a.shape, a);
      if (!ta) k.matmul_fwd(da.handle, gy.handle, b.handle, M, K, N, false, !tb, false);
      else k.matmul_fwd(da.handle, b.handle, gy.handle, K, M, N, tb, true, false);
    }
    if (b.requiresGrad) {
      db = empty(b.shape, b);
      if (!tb) k.matmul_fwd(db.handle, a.handle, gy.handle, K, N, M, !ta, false, false);
      else k.matmul_fwd(db.handle, gy.handle, a.handle, N, K, M, true, ta, false);
    }
    return [da, db];
  });
}

export interface LinearOptions {
  relu?: boolean;
}

/** y = x·Wᵀ + b for x (M,K), W (N,K), b (N) or null; with relu, max(y, 0) in the same kernel. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null, opts: LinearOptions = {}): Tensor {
  const dev = sameDevice('linear', x, w, b);
  expectDType('linear', 'x', x, 'float32');
  expectDType('linear', 'w', w, 'float32');
  expectRank('linear', 'x', x, 2);
  expectRank('linear', 'w', w, 2);
  const [M, K] = x.shape, [N, K2] = w.shape;
  if (K !== K2) throw opError('linear', `expected weight [N,${K}] for input ${fmtShape(x.shape)} but got ${fmtShape(w.shape)}`);
  if (b && (b.rank !== 1 || b.shape[0] !== N))
    throw opError('linear', `expected bias [${N}] for weight ${fmtShape(w.shape)} but got ${fmtShape(b.shape)}`);
  const relu = !!opts.relu;
  const y = empty([M, N], x);
  const k = kernels(dev);
  k.linear_fwd(y.handle, x.handle, w.handle, b ? b.handle : null, M, K, N, relu);
  return record(y, relu ? 'linear_relu' : 'linear', [x, w, b], function linearBackward(gy) {
    const dx = x.requiresGrad ? empty(x.shape, x) : null;
    const dw = w.requiresGrad ? empty(w.shape, w) : null;
    const db = b && b.requiresGrad ? empty(b.shape, b) : null;
    k.linear_bwd(dx && dx.handle, dw && dw.handle, db && db.handle, gy.handle, x.handle, w.handle, relu ? y.handle : null, M, K, N, relu, false);
    return [dx, dw, db];
  });
}
