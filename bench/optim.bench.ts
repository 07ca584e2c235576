/** Adam over 4 M parameters: one fused pass (param, grad, m, v read; param, m, v written). */
import { Adam } from '../src';
import { normal } from '../src/init';
import type { BenchRow } from './harness';

const n = 4_194_304;

export const rows: BenchRow[] = [
  {
    op: 'adam_4m',
    shape: String(n),
    amount: 7 * 4 * n,
    unit: 'GB/s',
    setup() {
      const p = normal([n], 0, 1, 1).keep().requireGrad();
      p.grad = normal([n], 0, 1, 2).keep();
      const opt = new Adam([p], { lr: 1e-3 });
      return { fn: () => opt.step(), dispose: () => { opt.dispose(); p.dispose(); } };
    },
  },
];
