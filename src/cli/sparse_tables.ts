/**
 * Whether a pair model's embedding tables take sparse updates (only the rows a batch read: lazy
 * Adam, or plain SGD scattering the rows) or dense ones (every row, every step: the paper and the
 * peer). Dense Adam walks all rows each step, so its cost grows with the catalogue while a batch
 * reads only about 2 x batch rows: with the tables at 32 times the batch or more, sparse updates
 * are faster (ml-1m-ncf at batch 256: 986k against 644k samples/s; at batch 1024, 9.5 times the
 * batch, dense is faster: 1.34M against 1.07M), and at ml-20m's size dense Adam is hopeless.
 * The seeded comparison on ml-1m-ncf found the accuracy unchanged (bench/RESULTS.md, "Sparse
 * updates by default"). --sparse-adam and --dense-adam decide it by hand.
 */
import type { Args } from './train';

/** Table rows per batch sample from which sparse updates are the default. */
export const SPARSE_ROWS_PER_BATCH = 32;

export interface TableUpdates {
  sparse: boolean;
  /** Why, for the log line. */
  why: string;
}

export function tableUpdates(a: Args, tableRows: number, batch: number): TableUpdates {
  if (a['sparse-adam'] && a['dense-adam']) throw new Error('train: --sparse-adam and --dense-adam contradict each other; give one');
  if (a['dense-adam']) {
    if (a['table-lr'] !== undefined) throw new Error('train: --table-lr updates the tables sparsely; it cannot be combined with --dense-adam');
    return { sparse: false, why: '--dense-adam' };
  }
  if (a['sparse-adam']) return { sparse: true, why: '--sparse-adam' };
  if (a['table-lr'] !== undefined) return { sparse: true, why: '--table-lr' };
  const sparse = tableRows >= SPARSE_ROWS_PER_BATCH * batch;
  return {
    sparse,
    why: `${tableRows} table rows ${sparse ? '>=' : '<'} ${SPARSE_ROWS_PER_BATCH} x batch ${batch}; ` +
      (sparse ? '--dense-adam for the paper\'s dense updates' : '--sparse-adam to force sparse ones'),
  };
}
