/** Reductions: sum and mean over everything or one axis, and sumTo (undo a broadcast). */
import { Tensor, numel } from '../tensor';
import { record } from '../autograd';
import { fmtShape, opError } from '../errors';
import { empty, expectDType, kernels, normAxis, sameDevice } from './util';

/** Splits a shape around `axis` into (outer, R, inner). */
function around(shape: readonly number[], axis: number) {
  return { outer: numel(shape.slice(0, axis)), R: shape[axis], inner: numel(shape.slice(axis + 1)) };
}

function reduce(op: 'sum' | 'mean', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  const dev = sameDevice(op, x);
  expectDType(op, 'x', x, 'float32');
  let outer: number, R: number, inner: number, outShape: number[];
  if (axis === undefined) {
    outer = 1; R = x.size; inner = 1;
    outShape = keepDims ? x.shape.map(() => 1) : [];
  } else {
    const ax = normAxis(op, axis, x.rank);
    ({ outer, R, inner } = around(x.shape, ax));
    outShape = x.shape.slice();
    if (keepDims) outShape[ax] = 1; else outShape.splice(ax, 1);
  }
  const scale = op === 'mean' ? (R === 0 ? NaN : 1 / R) : 1;
  const y = empty(outShape, x);
  kernels(dev).sum_fwd(y.handle, x.handle, outer, R, inner, scale);
  return record(y, op, [x], function reduceBackward(gy) {
    const dx = empty(x.shape, x);
    kernels(dev).broadcast_fwd(dx.handle, gy.handle, outer, R, inner, scale);
    return [dx];
  });
}

export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  return reduce('sum', x, axis, keepDims);
}

export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  return reduce('mean', x, axis, keepDims);
}

/**
 * Sums a gradient of a broadcast result back to `shape` (the operand's shape). Only the 2-D
 * broadcasts that the elementwise ops support are undone: rows, columns, or everything.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.join() === shape.join()) return g;
  const n = numel(shape);
  if (n === g.size) {
    // A copy, not a view: gradients are accumulated in place later.
    const c = Tensor.empty(shape, 'float32', g.device);
    c.handle.copyFrom(g.handle);
    return c;
  }
  const N = g.rank === 0 ? 1 : g.shape[g.rank - 1];
  const M = g.size / N;
  const dev = g.device;
  const out = Tensor.empty(shape, 'float32', dev);
  const last = shape.length ? shape[shape.length - 1] : 1;
  if (n === 1) kernels(dev).sum_fwd(out.handle, g.handle, 1, g.size, 1, 1);
  else if (last === N && n === N) kernels(dev).sum_fwd(out.handle, g.handle, 1, M, N, 1);
  else if (last === 1 && n === M) kernels(dev).sum_fwd(out.handle, g.handle, M, N, 1, 1);
  else {
    out.dispose();
    throw opError('sumTo', `cannot reduce ${fmtShape(g.shape)} to ${fmtShape(shape)}`);
  }
  return out;
}
