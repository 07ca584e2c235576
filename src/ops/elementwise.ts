/**
 * Elementwise ops: add/sub/mul/div with row, column and scalar broadcasting, scalar ops, and
 * the unary activations. Gradients are written next to each op, from the same ops.
 */
import { Tensor, numel } from '../tensor';
import { record } from '../autograd';
import { defaultDevice } from '../backend/load';
import { fmtShape, opError } from '../errors';
import { BinaryOp, ScalarOp, UnaryOp, type BinaryOpName, type UnaryOpName } from './kernel_ids';
import { empty, expectDType, kernels, sameDevice } from './util';
import { sumTo } from './reduce';

/** How an operand of shape s reads the (M,N) output: strides per row and column. */
interface Strides {
  rs: number;
  cs: number;
}

/** Output shape of broadcasting a and b (numpy rules), plus 2-D strides for each operand. */
function broadcast2d(op: string, a: readonly number[], b: readonly number[]) {
  const rank = Math.max(a.length, b.length);
  const pad = (s: readonly number[]) => [...Array(rank - s.length).fill(1), ...s];
  const pa = pad(a), pb = pad(b);
  const out = pa.map((d, i) => {
    const e = pb[i];
    if (d !== e && d !== 1 && e !== 1) throw opError(op, `shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
    return d === 1 ? e : d;
  });
  const N = rank === 0 ? 1 : out[rank - 1];
  const M = rank === 0 ? 1 : numel(out.slice(0, rank - 1));
  const strides = (p: number[]): Strides => {
    if (rank === 0) return { rs: 0, cs: 0 };
    const lead = p.slice(0, rank - 1), outLead = out.slice(0, rank - 1);
    const cs = p[rank - 1] === N ? 1 : 0;
    const width = cs === 1 ? N : 1;
    if (lead.every((d, i) => d === outLead[i])) return { rs: M === 1 ? 0 : width, cs };
    if (lead.every((d) => d === 1)) return { rs: 0, cs };
    throw opError(op, `broadcasting ${fmtShape(a)} with ${fmtShape(b)} over leading axes is not supported; reshape to 2-D first`);
  };
  return { out, M, N, sa: strides(pa), sb: strides(pb) };
}

function binary(op: BinaryOpName, a: Tensor, b: Tensor): Tensor {
  const dev = sameDevice(op, a, b);
  expectDType(op, 'a', a, 'float32');
  expectDType(op, 'b', b, 'float32');
  const { out, M, N, sa, sb } = broadcast2d(op, a.shape, b.shape);
  const y = empty(out, a);
  kernels(dev).binary_fwd(y.handle, a.handle, b.handle, M, N, sa.rs, sa.cs, sb.rs, sb.cs, BinaryOp[op]);
  return y;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const y = binary('add', a, b);
  return record(y, 'add', [a, b], function addBackward(gy) {
    return [a.requiresGrad ? sumTo(gy, a.shape) : null, b.requiresGrad ? sumTo(gy, b.shape) : null];
  });
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const y = binary('sub', a, b);
  return record(y, 'sub', [a, b], function subBackward(gy) {
    return [a.requiresGrad ? sumTo(gy, a.shape) : null, b.requiresGrad ? neg(sumTo(gy, b.shape)) : null];
  });
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const y = binary('mul', a, b);
  return record(y, 'mul', [a, b], function mulBackward(gy) {
    return [a.requiresGrad ? sumTo(binary('mul', gy, b), a.shape) : null, b.requiresGrad ? sumTo(binary('mul', gy, a), b.shape) : null];
  });
}

export function div(a: Tensor, b: Tensor): Tensor {
  const y = binary('div', a, b);
  return record(y, 'div', [a, b], function divBackward(gy) {
    const da = a.requiresGrad ? sumTo(binary('div', gy, b), a.shape) : null;
    // d(a/b)/db = -a/b² = -y/b
    const db = b.requiresGrad ? sumTo(neg(binary('div', binary('mul', gy, y), b)), b.shape) : null;
    return [da, db];
  });
}

function scalarOp(op: keyof typeof ScalarOp, x: Tensor, s: number): Tensor {
  const dev = sameDevice(op, x);
  expectDType(op, 'x', x, 'float32');
  const y = empty(x.shape, x);
  kernels(dev).scalar_fwd(y.handle, x.handle, x.size, ScalarOp[op], s);
  return y;
}

export function addScalar(x: Tensor, s: number): Tensor {
  const y = scalarOp('add', x, s);
  return record(y, 'addScalar', [x], function addScalarBackward(gy) {
    return [gy];
  });
}

export function mulScalar(x: Tensor, s: number): Tensor {
  const y = scalarOp('mul', x, s);
  return record(y, 'mulScalar', [x], function mulScalarBackward(gy) {
    return [scalarOp('mul', gy, s)];
  });
}

/** s - x */
export function rsubScalar(x: Tensor, s: number): Tensor {
  const y = scalarOp('rsub', x, s);
  return record(y, 'rsubScalar', [x], function rsubScalarBackward(gy) {
    return [neg(gy)];
  });
}

/** x ** p */
export function powScalar(x: Tensor, p: number): Tensor {
  const y = scalarOp('pow', x, p);
  return record(y, 'powScalar', [x], function powScalarBackward(gy) {
    return [binary('mul', gy, scalarOp('mul', scalarOp('pow', x, p - 1), p))];
  });
}

function unary(op: UnaryOpName, x: Tensor): Tensor {
  const dev = sameDevice(op, x);
  expectDType(op, 'x', x, 'float32');
  const y = empty(x.shape, x);
  kernels(dev).unary_fwd(y.handle, x.handle, x.size, UnaryOp[op]);
  return record(y, op, [x], function unaryBackward(gy) {
    const dx = empty(x.shape, x);
    kernels(dev).unary_bwd(dx.handle, gy.handle, x.handle, y.handle, x.size, UnaryOp[op]);
    return [dx];
  });
}

export const relu = (x: Tensor) => unary('relu', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const softplus = (x: Tensor) => unary('softplus', x);
export const neg = (x: Tensor) => unary('neg', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const square = (x: Tensor) => unary('square', x);

/** dst += src in place (same size), outside autograd: used to accumulate gradients. */
export function addInto(dst: Tensor, src: Tensor): void {
  const dev = sameDevice('addInto', dst, src);
  if (dst.size !== src.size) throw opError('addInto', `sizes differ: ${fmtShape(dst.shape)} and ${fmtShape(src.shape)}`);
  kernels(dev).binary_fwd(dst.handle, dst.handle, src.handle, 1, dst.size, 0, 1, 0, 1, BinaryOp.add);
}

/** A copy with its own storage and no history. */
export function clone(x: Tensor): Tensor {
  const y = Tensor.empty(x.shape, x.dtype, x.device);
  y.handle.copyFrom(x.handle);
  return y;
}

export function full(shape: readonly number[], value: number, like?: Tensor): Tensor {
  const t = Tensor.empty(shape, 'float32', like ? like.device : defaultDevice());
  t.handle.fill(value);
  return t;
}

export function onesLike(x: Tensor): Tensor {
  return full(x.shape, 1, x);
}

export function zerosLike(x: Tensor): Tensor {
  return Tensor.empty(x.shape, x.dtype, x.device, true);
}
