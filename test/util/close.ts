/** Comparison with atol + rtol·|ref| per element, reporting the worst element and NMSE. */
import * as assert from 'uvu/assert';

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  what?: string;
}

export function maxDiff(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(got[i] - ref[i]));
  return m;
}

export function nmse(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (got[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return den === 0 ? num : num / den;
}

export function assertClose(got: ArrayLike<number>, ref: ArrayLike<number>, opts: CloseOptions = {}): void {
  const atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-4;
  const what = opts.what ?? 'values';
  assert.is(got.length, ref.length, `${what}: length ${got.length} vs reference ${ref.length}`);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i], r = ref[i];
    const excess = Math.abs(g - r) - (atol + rtol * Math.abs(r));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0)
    assert.unreachable(
      `${what}: element ${worst} is ${got[worst]} but the reference is ${ref[worst]} ` +
        `(atol ${atol}, rtol ${rtol}; max diff ${maxDiff(got, ref).toExponential(2)}, NMSE ${nmse(got, ref).toExponential(2)})`,
    );
}
