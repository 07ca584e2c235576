/** Shape ops: reshape (a view), 2-D transpose, concat and slice along the last axis. */
import { Tensor, numel } from '../tensor';
import { record } from '../autograd';
import { fmtShape, opError } from '../errors';
import { empty, expectDType, expectRank, kernels, sameDevice } from './util';

/** Same values, new shape (one dimension may be -1). Shares storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const free = shape.indexOf(-1);
  let s = shape.slice();
  if (free >= 0) {
    const rest = numel(shape.filter((_, i) => i !== free));
    if (rest === 0 || x.size % rest !== 0) throw opError('reshape', `cannot view ${fmtShape(x.shape)} as ${fmtShape(shape)}`);
    s[free] = x.size / rest;
  }
  const y = x.view(s);
  return record(y, 'reshape', [x], function reshapeBackward(gy) {
    return [gy.view(x.shape)];
  });
}

export function transpose(x: Tensor): Tensor {
  const dev = sameDevice('transpose', x);
  expectDType('transpose', 'x', x, 'float32');
  expectRank('transpose', 'x', x, 2);
  const [M, N] = x.shape;
  const y = empty([N, M], x);
  kernels(dev).transpose_fwd(y.handle, x.handle, M, N);
  return record(y, 'transpose', [x], function transposeBackward(gy) {
    const dx = empty([M, N], x);
    kernels(dev).transpose_fwd(dx.handle, gy.handle, N, M);
    return [dx];
  });
}

function rowsOf(t: Tensor): number {
  return t.size / t.shape[t.rank - 1];
}

/** Joins tensors along the last axis; all leading dimensions must match. */
export function concat(xs: Tensor[]): Tensor {
  if (xs.length === 0) throw opError('concat', 'expected at least one tensor');
  const dev = sameDevice('concat', ...xs);
  const lead = xs[0].shape.slice(0, -1);
  for (const t of xs) {
    expectDType('concat', 'every input', t, 'float32');
    if (t.rank < 1 || t.shape.slice(0, -1).join() !== lead.join())
      throw opError('concat', `leading dimensions differ: ${xs.map((u) => fmtShape(u.shape)).join(' and ')}`);
  }
  const widths = xs.map((t) => t.shape[t.rank - 1]);
  const total = widths.reduce((a, b) => a + b, 0);
  const rows = rowsOf(xs[0]);
  const y = empty([...lead, total], xs[0]);
  const k = kernels(dev);
  let off = 0;
  const offsets = widths.map((w) => {
    const o = off;
    off += w;
    return o;
  });
  xs.forEach((t, i) => k.copy_cols(y.handle, t.handle, rows, total, offsets[i], widths[i], 0, widths[i], false));
  return record(y, 'concat', xs, function concatBackward(gy) {
    return xs.map((t, i) => {
      if (!t.requiresGrad) return null;
      const d = empty(t.shape, t);
      k.copy_cols(d.handle, gy.handle, rows, widths[i], 0, total, offsets[i], widths[i], false);
      return d;
    });
  });
}

/** Columns [start, start+len) of the last axis. */
export function slice(x: Tensor, start: number, len: number): Tensor {
  const dev = sameDevice('slice', x);
  expectDType('slice', 'x', x, 'float32');
  const W = x.shape[x.rank - 1];
  if (!Number.isInteger(start) || !Number.isInteger(len) || start < 0 || len < 0 || start + len > W)
    throw opError('slice', `columns [${start}, ${start + len}) are outside the last axis of ${fmtShape(x.shape)}`);
  const rows = rowsOf(x);
  const y = empty([...x.shape.slice(0, -1), len], x);
  const k = kernels(dev);
  k.copy_cols(y.handle, x.handle, rows, len, 0, W, start, len, false);
  return record(y, 'slice', [x], function sliceBackward(gy) {
    const dx = Tensor.empty(x.shape, 'float32', x.device, true);
    k.copy_cols(dx.handle, gy.handle, rows, W, start, len, 0, len, false);
    return [dx];
  });
}
