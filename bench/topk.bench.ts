/** Top-10 of 256 users x 3,706 item scores (ranking ml-1m items for a batch of users). */
import { tidy, topk } from '../src';
import { normal } from '../src/init';
import type { BenchRow } from './harness';

export const rows: BenchRow[] = [
  {
    op: 'topk_10',
    shape: '256x3706,k=10',
    amount: 256 * 3706 * 4 + 256 * 10 * 12, // scores read + values (4 B) and indices (peer: 8 B) written
    unit: 'GB/s',
    setup() {
      const s = normal([256, 3706], 0, 1, 1).keep();
      return { fn: () => tidy(() => void topk(s, 10)), dispose: () => s.dispose() };
    },
  },
];
