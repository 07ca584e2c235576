/** float64 reference for topk: sort every eligible column of a row by the output order. */

/**
 * scores (N,C) row-major; excl: per row, the columns to skip (or null). Returns values and
 * indices (N,k): numbers descending, then NaNs, equal values by lower column; -Infinity / -1
 * in slots past a row's eligible columns.
 */
export function topkRef(scores: ArrayLike<number>, N: number, C: number, k: number, excl: ArrayLike<number>[] | null = null): { values: Float64Array; indices: Int32Array } {
  const values = new Float64Array(N * k), indices = new Int32Array(N * k);
  for (let r = 0; r < N; r++) {
    const skip = new Set<number>(excl ? Array.from(excl[r]) : []);
    const cols: number[] = [];
    for (let j = 0; j < C; j++) if (!skip.has(j)) cols.push(j);
    const s = (j: number) => scores[r * C + j];
    cols.sort((a, b) => {
      const an = Number.isNaN(s(a)), bn = Number.isNaN(s(b));
      if (an !== bn) return an ? 1 : -1;
      if (!an && s(a) !== s(b)) return s(a) > s(b) ? -1 : 1;
      return a - b;
    });
    for (let q = 0; q < k; q++) {
      values[r * k + q] = q < cols.length ? s(cols[q]) : -Infinity;
      indices[r * k + q] = q < cols.length ? cols[q] : -1;
    }
  }
  return { values, indices };
}
