/**
 * Scoring a batch of 64 users over ml-1m's 3,706 items through NeuMF's MLP tower (32-16-8 after
 * the split first layer): the fused kernel, and the same scores from composed ops (add + ReLU,
 * two linear layers, the output layer per user, as the scorer ran before the kernel). The
 * PyTorch peer has no such row: the composed row is the baseline.
 */
import { Tensor, add, linear, relu, tidy, transpose } from '../src';
import { normal } from '../src/init';
import { packTower, towerScores } from '../src/ops/tower';
import type { BenchRow } from './harness';

const n = 64, I = 3706, widths = [32, 16, 8];
// Multiply-adds per pair: 32·16 + 16·8 + 8, two FLOPs each.
const flops = 2 * n * I * (32 * 16 + 16 * 8 + 8);

function towerParts() {
  const w1 = normal([16, 32], 0, 0.2, 1).keep(), b1 = normal([16], 0, 0.1, 2).keep();
  const w2 = normal([8, 16], 0, 0.2, 3).keep(), b2 = normal([8], 0, 0.1, 4).keep();
  const wOut = normal([1, 8], 0, 0.3, 5).keep();
  const user = normal([n, 32], 0, 1, 6).keep(), item = normal([I, 32], 0, 1, 7).keep();
  const parts = [w1, b1, w2, b2, wOut, user, item];
  return { w1, b1, w2, b2, wOut, user, item, dispose: () => parts.forEach((t) => t.dispose()) };
}

/** A row of this shape (the same work both ways). */
const row = (op: string, setup: BenchRow['setup']): BenchRow => ({ op, shape: `${n}x${I},${widths.join('-')}`, amount: flops, unit: 'GFLOP/s', noPeer: true, setup });

export const rows: BenchRow[] = [
  row('ncf_tower_scores', () => {
    const p = towerParts();
    const packed = packTower(32, [{ weight: p.w1, bias: p.b1 }, { weight: p.w2, bias: p.b2 }], p.wOut);
    const itemT = tidy(() => transpose(p.item).keep());
    return {
      fn: () => tidy(() => void towerScores(p.user, itemT, packed)),
      dispose: () => {
        packed.params.dispose();
        itemT.dispose();
        p.dispose();
      },
    };
  }),
  row('ncf_tower_composed', () => {
    const p = towerParts();
    const rowsOf = p.user.toFloat32Array();
    return {
      fn: () => {
        for (let u = 0; u < n; u++)
          tidy(() => {
            const h = relu(add(p.item, Tensor.fromArray(rowsOf.subarray(u * 32, (u + 1) * 32), [1, 32])));
            void linear(linear(linear(h, p.w1, p.b1, { relu: true }), p.w2, p.b2, { relu: true }), p.wOut, null).toFloat32Array();
          });
      },
      dispose: () => p.dispose(),
    };
  }),
];
