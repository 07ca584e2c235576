/**
 * gradcheck: the engine's analytic gradients (float32) against central finite differences of
 * a float64 reference of the same function.
 */
import { Tensor, tidy } from '../../src';
import { assertClose } from './close';

export interface GradcheckCase {
  /** Input values (float64, already rounded to float32) and shapes. */
  inputs: { values: Float64Array; shape: number[] }[];
  /** Which inputs get gradients (default: all). */
  wrt?: number[];
  /** The engine function; its output is reduced with a fixed random weighting. */
  engine: (xs: Tensor[]) => Tensor;
  /** The float64 reference of the same function, output flattened. */
  ref: (xs: Float64Array[]) => ArrayLike<number>;
  eps?: number;
  atol?: number;
  rtol?: number;
  what?: string;
}

/** Loss = Σ w_i·f(x)_i with fixed weights, so every output element's gradient is tested. */
export function gradcheck(c: GradcheckCase): void {
  const eps = c.eps ?? 1e-4;
  const wrt = c.wrt ?? c.inputs.map((_, i) => i);
  const out0 = c.ref(c.inputs.map((x) => x.values));
  const weights = Float64Array.from({ length: out0.length }, (_, i) => Math.sin(1 + i * 0.731) + 0.25);
  const refLoss = (xs: Float64Array[]) => {
    const y = c.ref(xs);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += weights[i] * y[i];
    return s;
  };
  const analytic = tidy(() => {
    const ts = c.inputs.map((x, i) => Tensor.fromArray(x.values, x.shape).requireGrad(wrt.includes(i)));
    const y = c.engine(ts);
    const w = Tensor.fromArray(weights, y.shape);
    y.backward(w);
    const grads = wrt.map((i) => {
      const g = ts[i].grad;
      if (!g) throw new Error(`gradcheck: input ${i} got no gradient`);
      return Array.from(g.toArray());
    });
    ts.forEach((t) => t.dispose());
    return grads;
  });
  wrt.forEach((i, k) => {
    const xs = c.inputs.map((x) => Float64Array.from(x.values));
    const numeric = new Float64Array(xs[i].length);
    for (let j = 0; j < xs[i].length; j++) {
      const v = xs[i][j];
      xs[i][j] = v + eps;
      const up = refLoss(xs);
      xs[i][j] = v - eps;
      const down = refLoss(xs);
      xs[i][j] = v;
      numeric[j] = (up - down) / (2 * eps);
    }
    assertClose(analytic[k], numeric, { atol: c.atol ?? 1e-3, rtol: c.rtol ?? 1e-3, what: `${c.what ?? 'grad'} d/d input ${i}` });
  });
}
