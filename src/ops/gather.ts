/**
 * Embedding gather: rows of a (R,D) table by int32 indices. The backward scatter-adds rows;
 * for a leaf table with `sparseGrad`, it hands the optimizer sparse row gradients instead,
 * so only the rows a batch touched are updated.
 */
import { Tensor } from '../tensor';
import { record } from '../autograd';
import { fmtShape, opError } from '../errors';
import { empty, expectDType, expectRank, kernels, sameDevice } from './util';

/** table (R,D), idx (...) int32 → (..., D). */
export function gather(table: Tensor, idx: Tensor): Tensor {
  const dev = sameDevice('gather', table, idx);
  expectDType('gather', 'table', table, 'float32');
  expectDType('gather', 'indices', idx, 'int32');
  expectRank('gather', 'table', table, 2);
  const [R, D] = table.shape;
  const B = idx.size;
  const y = empty([...idx.shape, D], table);
  const k = kernels(dev);
  k.gather_fwd(y.handle, table.handle, idx.handle, B, D, R);
  return record(y, 'gather', [table, idx], function gatherBackward(gy) {
    if (table.sparseGrad && !table.node) {
      const rows = Tensor.empty([B], 'int32', table.device);
      rows.handle.copyFrom(idx.handle);
      return [{ rows, values: gy.view([B, D]) }, null];
    }
    const dt = Tensor.empty([R, D], 'float32', table.device, true);
    k.gather_bwd(dt.handle, gy.handle, idx.handle, B, D, R);
    return [dt, null];
  });
}

/**
 * Sums duplicate rows of sparse row gradients: the first `count` entries of the returned
 * `rows` (ascending, unique) and `values` (count,D) hold the result; entries past `count`
 * are unused. The inputs are left to the caller.
 */
export function coalesceRows(rows: Tensor, values: Tensor): { rows: Tensor; values: Tensor; count: number } {
  const dev = sameDevice('coalesceRows', rows, values);
  expectDType('coalesceRows', 'rows', rows, 'int32');
  const B = rows.size;
  if (values.rank !== 2 || values.shape[0] !== B)
    throw opError('coalesceRows', `expected values [${B},D] for ${B} rows but got ${fmtShape(values.shape)}`);
  const D = values.shape[1];
  const outRows = Tensor.empty([B], 'int32', values.device);
  const outVals = Tensor.empty([B, D], 'float32', values.device);
  const count = kernels(dev).coalesce_rows(outRows.handle, outVals.handle, rows.handle, values.handle, B, D);
  return { rows: outRows, values: outVals, count };
}
