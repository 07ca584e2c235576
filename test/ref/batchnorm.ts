/** float64 reference of BatchNorm1d over x (M,N): per-feature statistics over the rows. */

export interface BatchNormRef {
  y: Float64Array;
  mean: Float64Array;
  /** Biased (normalising) variance. */
  varBiased: Float64Array;
}

export function batchNormTrainRef(x: ArrayLike<number>, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, M: number, N: number, eps: number): BatchNormRef {
  const mean = new Float64Array(N), varBiased = new Float64Array(N), y = new Float64Array(M * N);
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let i = 0; i < M; i++) s += x[i * N + j];
    mean[j] = s / M;
    let q = 0;
    for (let i = 0; i < M; i++) q += (x[i * N + j] - mean[j]) ** 2;
    varBiased[j] = q / M;
  }
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++)
      y[i * N + j] = ((x[i * N + j] - mean[j]) / Math.sqrt(varBiased[j] + eps)) * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
  return { y, mean, varBiased };
}

/** Eval mode: the running statistics normalise. */
export function batchNormEvalRef(x: ArrayLike<number>, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, runMean: ArrayLike<number>, runVar: ArrayLike<number>, M: number, N: number, eps: number): Float64Array {
  const y = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++)
      y[i * N + j] = ((x[i * N + j] - runMean[j]) / Math.sqrt(runVar[j] + eps)) * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
  return y;
}

/** PyTorch's running update: run = (1-momentum)·run + momentum·batch, with the unbiased variance. */
export function runningUpdateRef(runMean: ArrayLike<number>, runVar: ArrayLike<number>, ref: BatchNormRef, M: number, momentum: number) {
  const N = runMean.length;
  const mean = new Float64Array(N), variance = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    mean[j] = (1 - momentum) * runMean[j] + momentum * ref.mean[j];
    variance[j] = (1 - momentum) * runVar[j] + momentum * ref.varBiased[j] * M / (M - 1);
  }
  return { mean, variance };
}
