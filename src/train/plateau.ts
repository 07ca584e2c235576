/**
 * The plateau rule both trainers decay their learning rates by: a decay is due after `patience`
 * epochs without a better validation score, counted from the best epoch or the last decay.
 */
export interface LrDecay {
  /** Multiplies the rates, in (0, 1). */
  factor: number;
  /** Epochs without a better validation score before a decay, a positive integer. */
  patience: number;
}

export class Plateau {
  private lastDecay = 0;

  constructor(readonly decay: LrDecay, who: string) {
    if (!(decay.factor > 0 && decay.factor < 1 && Number.isInteger(decay.patience) && decay.patience >= 1))
      throw new Error(`${who}: lrDecay needs factor in (0, 1) and a positive integer patience, got ${JSON.stringify(decay)}`);
  }

  /** Whether a decay is due after `epoch` (and, when it is, counts from here on). */
  due(epoch: number, bestEpoch: number): boolean {
    if (epoch - Math.max(bestEpoch, this.lastDecay) < this.decay.patience) return false;
    this.lastDecay = epoch;
    return true;
  }
}
