/** Embedding gather and its scatter-add backward: 65,536 lookups in a 100,000 x 64 table. */
import { Tensor, tidy } from '../src';
import { kernels } from '../src/ops/util';
import { gather } from '../src';
import { normal } from '../src/init';
import { Rng } from '../test/util/rand';
import type { BenchRow } from './harness';

const R = 100_000, D = 64, B = 65_536;

function indices(): Tensor {
  return Tensor.fromArray(new Rng(9).ints(B, R), [B], 'int32').keep();
}

export const rows: BenchRow[] = [
  {
    op: 'gather',
    shape: `${R}x${D}[${B}]`,
    // bytes: output written + gathered rows read (B*D*4 each) + indices read (peer: int64, B*8)
    amount: 2 * B * D * 4 + B * 8,
    unit: 'GB/s',
    setup() {
      const table = normal([R, D], 0, 1, 1).keep(), idx = indices();
      return { fn: () => tidy(() => void gather(table, idx)), dispose: () => [table, idx].forEach((t) => t.dispose()) };
    },
  },
  {
    op: 'scatter_add',
    shape: `${B}x${D}->${R}x${D}`,
    // bytes: gradient read + target rows read and written (B*D*4 each) + indices (B*8).
    // Like the peer's index_add_, it adds into a table zeroed once at setup.
    amount: 3 * B * D * 4 + B * 8,
    unit: 'GB/s',
    setup() {
      const table = Tensor.empty([R, D], 'float32', undefined, true).keep();
      const g = normal([B, D], 0, 1, 2).keep(), idx = indices();
      const k = kernels(table.device);
      return {
        fn: () => k.gather_bwd(table.handle, g.handle, idx.handle, B, D, R),
        dispose: () => [table, g, idx].forEach((t) => t.dispose()),
      };
    },
  },
];
