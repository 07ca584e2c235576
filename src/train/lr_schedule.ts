/**
 * Refitting on all training data: a run that chose its epoch on a validation carve (and decayed
 * its rates on plateaus, going back to the best weights each time) is replayed without the
 * carve by training the epochs that led to its kept weights, each at the rate it had then.
 * A schedule is written `SCALExCOUNT,...` (e.g. `1x18,0.3x2`): COUNT epochs at SCALE times the
 * starting rates.
 */

/** What the replay needs from each epoch of a run's history. */
export interface EpochScale {
  epoch: number;
  best: boolean;
  /** The rates of this epoch relative to the starting ones. */
  lrScale: number;
}

/**
 * The rate scale of each epoch on the path to the weights kept at `bestEpoch`. An epoch whose
 * scale differs from the one before began from the weights a decay restored: those of the last
 * best epoch before it (0: the starting weights), where the path goes on.
 */
export function keptPathScales(history: readonly EpochScale[], bestEpoch: number): number[] {
  const byEpoch = new Map(history.map((h) => [h.epoch, h]));
  const path: number[] = [];
  let e = bestEpoch;
  while (e > 0) {
    const h = byEpoch.get(e);
    if (!h) throw new Error(`keptPathScales: epoch ${e} is not in the history`);
    path.push(h.lrScale);
    const prev = byEpoch.get(e - 1);
    if (prev && prev.lrScale === h.lrScale) { e -= 1; continue; }
    // A decay came before epoch e (or e is the first epoch): go back to the weights it restored.
    let b = e - 1;
    while (b > 0 && !byEpoch.get(b)?.best) b--;
    e = b;
  }
  return path.reverse();
}

export function formatLrSchedule(scales: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < scales.length;) {
    let j = i;
    while (j < scales.length && scales[j] === scales[i]) j++;
    runs.push(`${+scales[i].toPrecision(6)}x${j - i}`);
    i = j;
  }
  return runs.join(',');
}

export function parseLrSchedule(text: string, who: string): number[] {
  const scales: number[] = [];
  for (const run of text.split(',')) {
    const m = /^\s*([0-9.eE+-]+)x([0-9]+)\s*$/.exec(run);
    const scale = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
    if (!(scale > 0 && Number.isFinite(scale)) || !(Number.isInteger(count) && count >= 1))
      throw new Error(`${who}: a learning-rate schedule is SCALExCOUNT,... with SCALE > 0 and COUNT >= 1 (e.g. 1x18,0.3x2), got "${run}" in "${text}"`);
    for (let k = 0; k < count; k++) scales.push(scale);
  }
  return scales;
}
