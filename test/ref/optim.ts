/** float64 references of the optimizer steps (PyTorch's semantics), in place on plain arrays. */

export interface SgdRefOpts {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/** One SGD step: g += wd·p; v = momentum·v + g; p -= lr·(nesterov ? g + momentum·v : v). */
export function sgdStepRef(p: Float64Array, grad: ArrayLike<number>, vel: Float64Array, o: SgdRefOpts): void {
  for (let i = 0; i < p.length; i++) {
    const g = grad[i] + o.weightDecay * p[i];
    let d = g;
    if (o.momentum !== 0) {
      vel[i] = o.momentum * vel[i] + g;
      d = o.nesterov ? g + o.momentum * vel[i] : vel[i];
    }
    p[i] -= o.lr * d;
  }
}

export interface AdamRefOpts {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
}

/** Adam on elements [off, off+len) of p, m, v with gradient grad[goff...]; step is 1-based. */
function adamRange(p: Float64Array, m: Float64Array, v: Float64Array, off: number, len: number, grad: ArrayLike<number>, goff: number, step: number, o: AdamRefOpts): void {
  const bc1 = 1 - o.beta1 ** step, bc2 = 1 - o.beta2 ** step;
  for (let k = 0; k < len; k++) {
    const i = off + k;
    let g = grad[goff + k];
    if (o.decoupled) p[i] -= o.lr * o.weightDecay * p[i];
    else g += o.weightDecay * p[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    p[i] -= (o.lr / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps);
  }
}

export function adamStepRef(p: Float64Array, grad: ArrayLike<number>, m: Float64Array, v: Float64Array, step: number, o: AdamRefOpts): void {
  adamRange(p, m, v, 0, p.length, grad, 0, step, o);
}

/**
 * Lazy Adam on a (R,D) table: gradient rows `rows` (may repeat; summed first) with values
 * (B,D); only those rows and their moments change.
 */
export function sparseAdamStepRef(p: Float64Array, m: Float64Array, v: Float64Array, rows: ArrayLike<number>, values: ArrayLike<number>, D: number, step: number, o: AdamRefOpts): void {
  const sums = new Map<number, Float64Array>();
  for (let b = 0; b < rows.length; b++) {
    let s = sums.get(rows[b]);
    if (!s) sums.set(rows[b], (s = new Float64Array(D)));
    for (let d = 0; d < D; d++) s[d] += values[b * D + d];
  }
  for (const [r, g] of sums) adamRange(p, m, v, r * D, D, g, 0, step, o);
}
