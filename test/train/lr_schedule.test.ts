import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keptPathScales, formatLrSchedule, parseLrSchedule, type EpochScale } from '../../src/train/lr_schedule';

/** A history from per-epoch scales and the epochs that were best. */
function history(scales: number[], best: number[]): EpochScale[] {
  return scales.map((lrScale, k) => ({ epoch: k + 1, lrScale, best: best.includes(k + 1) }));
}

test('keptPathScales: without a decay the path is every epoch up to the best one', () => {
  assert.equal(keptPathScales(history([1, 1, 1, 1, 1], [1, 2, 3]), 3), [1, 1, 1]);
  assert.equal(keptPathScales(history([1, 1], [1]), 0), [], 'epoch 0 kept: the starting weights, nothing to train');
});

test('keptPathScales: a decay goes back to the best epoch before it, skipping the plateau epochs', () => {
  // Best at 2; plateau at 3-4, decay; epoch 5 (×0.3) starts from epoch 2 and is best.
  assert.equal(keptPathScales(history([1, 1, 1, 1, 0.3, 0.3, 0.3], [1, 2, 5]), 5), [1, 1, 0.3]);
  // Two decays in a row without a better epoch between them: the last one still starts from 2.
  assert.equal(keptPathScales(history([1, 1, 1, 1, 0.3, 0.3, 0.09, 0.09], [1, 2, 8]), 8), [1, 1, 0.09, 0.09]);
  // Better epochs in each segment chain on: 1-2 at 1, 5-6 at 0.3, 9 at 0.09.
  assert.equal(keptPathScales(history([1, 1, 1, 1, 0.3, 0.3, 0.3, 0.3, 0.09, 0.09], [1, 2, 5, 6, 9]), 9), [1, 1, 0.3, 0.3, 0.09]);
});

test('keptPathScales: fine-tuning that decays before any epoch beats the starting weights starts again from them', () => {
  // validateStart: epoch 0 was best; epochs 1-2 at 1 lost, epoch 3 at 0.3 (from the start) is best.
  assert.equal(keptPathScales(history([1, 1, 0.3, 0.3], [3]), 3), [0.3]);
  assert.throws(() => keptPathScales(history([1, 1], [1]), 4), /epoch 4 is not in the history/);
});

test('a schedule is written as runs of SCALExCOUNT and read back', () => {
  const scales = [1, 1, 1, 0.3, 0.09, 0.09, 0.0081];
  assert.is(formatLrSchedule(scales), '1x3,0.3x1,0.09x2,0.0081x1');
  assert.equal(parseLrSchedule(formatLrSchedule(scales), 'test'), scales);
  assert.is(formatLrSchedule([0.3 * 0.3 * 0.3]), '0.027x1', 'products are written to six digits');
  assert.is(formatLrSchedule([]), '');
  for (const bad of ['', '1x0', '0x3', '-1x2', '1x2.5', 'ax2', '1*2', '1x2,'])
    assert.throws(() => parseLrSchedule(bad, 'train --lr-schedule'), /train --lr-schedule: a learning-rate schedule is SCALExCOUNT/, bad);
});

test.run();
