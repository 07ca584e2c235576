/**
 * Top-k per row: the k best-scored items of each row of a (N,C) score matrix, e.g. a batch of
 * users against all items, optionally skipping the items each user has already seen.
 * Selection has no useful gradient, so topk records nothing on the tape: its outputs never
 * require grad, even when `scores` does.
 */
import { Tensor, type Device } from '../tensor';
import { fmtShape, opError } from '../errors';
import { empty, expectDType, expectRank, kernels, sameDevice } from './util';

/** A CSR exclusion set: row r skips columns idx[ptr[r] .. ptr[r+1]) (any order, repeats allowed). */
export interface TopkExclusion {
  /** int32 [N+1], non-decreasing, ptr[N] ≤ idx.size. */
  ptr: Tensor;
  /** int32 [nnz], each in [0, C). */
  idx: Tensor;
}

export interface TopkOptions {
  exclude?: TopkExclusion;
}

export interface TopkResult {
  /** [N,k] float32, descending per row. */
  values: Tensor;
  /** [N,k] int32 column of each value; -1 in slots past a row's eligible items. */
  indices: Tensor;
}

/**
 * The k largest scores of each row of scores (N,C), descending, with their columns. Equal
 * scores go to the lower column first. Columns in `exclude` are never returned. NaN ranks
 * below every number (-Infinity included): a NaN is returned only when a row has fewer than
 * k eligible numbers, lower column first. When a row has fewer than k eligible columns, the
 * remaining slots hold -Infinity and index -1. 0 ≤ k ≤ C. No gradient.
 */
export function topk(scores: Tensor, k: number, opts: TopkOptions = {}): TopkResult {
  const ex = opts.exclude;
  const dev = sameDevice('topk', scores, ex?.ptr, ex?.idx);
  expectDType('topk', 'scores', scores, 'float32');
  expectRank('topk', 'scores', scores, 2);
  const [N, C] = scores.shape;
  if (!Number.isInteger(k) || k < 0 || k > C)
    throw opError('topk', `expected k to be an integer in [0, ${C}] (the columns of scores ${fmtShape(scores.shape)}) but got ${k}`);
  if (ex) {
    expectDType('topk', 'exclude.ptr', ex.ptr, 'int32');
    expectDType('topk', 'exclude.idx', ex.idx, 'int32');
    if (ex.ptr.rank !== 1 || ex.ptr.shape[0] !== N + 1)
      throw opError('topk', `expected exclude.ptr [${N + 1}] (rows of scores ${fmtShape(scores.shape)} + 1) but got ${fmtShape(ex.ptr.shape)}`);
    expectRank('topk', 'exclude.idx', ex.idx, 1);
  }
  const values = empty([N, k], scores);
  const indices = empty([N, k], scores, 'int32');
  kernels(dev).topk_fwd(values.handle, indices.handle, scores.handle, ex ? ex.ptr.handle : null, ex ? ex.idx.handle : null,
    N, C, k, ex ? ex.idx.size : 0);
  return { values, indices };
}

/**
 * Builds the CSR exclusion tensors for `topk` from one list of columns per row (e.g. the
 * items each user in the batch already rated). Lists need not be sorted; topk checks the range.
 */
export function excludeFromLists(lists: readonly ArrayLike<number>[], device: Device = 'cpu'): TopkExclusion {
  const ptr = new Int32Array(lists.length + 1);
  for (let r = 0; r < lists.length; r++) ptr[r + 1] = ptr[r] + lists[r].length;
  const idx = new Int32Array(ptr[lists.length]);
  for (let r = 0; r < lists.length; r++) {
    const l = lists[r];
    for (let q = 0; q < l.length; q++) {
      const v = l[q];
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)
        throw opError('excludeFromLists', `expected non-negative integer columns but row ${r} holds ${v} at ${q}`);
      idx[ptr[r] + q] = v;
    }
  }
  return { ptr: Tensor.fromArray(ptr, [ptr.length], 'int32', device), idx: Tensor.fromArray(idx, [idx.length], 'int32', device) };
}
