/** float64 references: matmul with transposes, linear (+ReLU). Row-major flat arrays. */

export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number, transA = false, transB = false): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += (transA ? a[p * M + i] : a[i * K + p]) * (transB ? b[j * K + p] : b[p * N + j]);
      out[i * N + j] = s;
    }
  return out;
}

export function linearRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, M: number, K: number, N: number, relu: boolean): Float64Array {
  const y = matmulRef(x, w, M, N, K, false, true);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let v = y[i * N + j] + (b ? b[j] : 0);
      if (relu && v < 0) v = 0;
      y[i * N + j] = v;
    }
  return y;
}
