/**
 * float64 references for the losses: the value, and the gradient wrt the prediction in closed
 * form (gradcheck checks the engine against finite differences of the values; the closed forms
 * check it at sizes too big for finite differences). Row-major flat arrays.
 */

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log Σ_j e^{z_j} of row i of a (N,C) array, with the row max taken out first. */
function logSumExp(z: ArrayLike<number>, i: number, C: number): number {
  let m = -Infinity;
  for (let j = 0; j < C; j++) m = Math.max(m, z[i * C + j]);
  let s = 0;
  for (let j = 0; j < C; j++) s += Math.exp(z[i * C + j] - m);
  return m + Math.log(s);
}

export function bceLogitsRef(z: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += Math.max(z[i], 0) - z[i] * y[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
  return s / z.length;
}

export function bceLogitsGradRef(z: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: z.length }, (_, i) => (sigmoid(z[i]) - y[i]) / z.length);
}

export function mseRef(p: ArrayLike<number>, t: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - t[i]) ** 2;
  return s / p.length;
}

export function mseGradRef(p: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: p.length }, (_, i) => (2 * (p[i] - t[i])) / p.length);
}

/** Mean of (p - t)² over the entries with mask != 0, weighted by the mask; 0 when there are none. */
export function maskedMseRef(p: ArrayLike<number>, t: ArrayLike<number>, m: ArrayLike<number>): number {
  let s = 0, count = 0;
  for (let i = 0; i < p.length; i++) {
    if (m[i] === 0) continue;
    s += m[i] * (p[i] - t[i]) ** 2;
    count += m[i];
  }
  return count === 0 ? 0 : s / count;
}

export function maskedMseGradRef(p: ArrayLike<number>, t: ArrayLike<number>, m: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < m.length; i++) count += m[i];
  return Float64Array.from({ length: p.length }, (_, i) => (m[i] === 0 || count === 0 ? 0 : (2 * m[i] * (p[i] - t[i])) / count));
}

/** Mean over rows of -log softmax(z_i)[label_i]; z is (N,C). */
export function softmaxCeRef(z: ArrayLike<number>, labels: ArrayLike<number>, N: number, C: number): number {
  let s = 0;
  for (let i = 0; i < N; i++) s += logSumExp(z, i, C) - z[i * C + labels[i]];
  return s / N;
}

export function softmaxCeGradRef(z: ArrayLike<number>, labels: ArrayLike<number>, N: number, C: number): Float64Array {
  const g = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const lse = logSumExp(z, i, C);
    for (let j = 0; j < C; j++) g[i * C + j] = (Math.exp(z[i * C + j] - lse) - (j === labels[i] ? 1 : 0)) / N;
  }
  return g;
}

/** -(1/N) Σ_i Σ_j x_ij·log_softmax(z_i)_j; z and x are (N,C). */
export function multinomialNllRef(z: ArrayLike<number>, x: ArrayLike<number>, N: number, C: number): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const lse = logSumExp(z, i, C);
    for (let j = 0; j < C; j++) s -= x[i * C + j] * (z[i * C + j] - lse);
  }
  return s / N;
}

export function multinomialNllGradRef(z: ArrayLike<number>, x: ArrayLike<number>, N: number, C: number): Float64Array {
  const g = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const lse = logSumExp(z, i, C);
    let xs = 0;
    for (let j = 0; j < C; j++) xs += x[i * C + j];
    for (let j = 0; j < C; j++) g[i * C + j] = (Math.exp(z[i * C + j] - lse) * xs - x[i * C + j]) / N;
  }
  return g;
}

/** KL(N(mu, e^logvar) || N(0, 1)) summed over D and averaged over the N rows. */
export function gaussianKlRef(mu: ArrayLike<number>, logvar: ArrayLike<number>, N: number): number {
  let s = 0;
  for (let i = 0; i < mu.length; i++) s += 1 + logvar[i] - mu[i] ** 2 - Math.exp(logvar[i]);
  return (-0.5 * s) / N;
}

export function gaussianKlGradRef(mu: ArrayLike<number>, logvar: ArrayLike<number>, N: number): [Float64Array, Float64Array] {
  const dmu = Float64Array.from({ length: mu.length }, (_, i) => mu[i] / N);
  const dlogvar = Float64Array.from({ length: mu.length }, (_, i) => (0.5 * (Math.exp(logvar[i]) - 1)) / N);
  return [dmu, dlogvar];
}
