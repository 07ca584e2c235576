/**
 * A training run as plain data (no Node imports: the page's bundle reads it too). run_data.ts
 * reads it from a run folder; the service sends it at GET /v1/model/training.
 */

export interface EpochPoint {
  stage: 'epoch' | 'refit';
  epoch: number;
  loss: number | null;
  seconds: number | null;
  /** Training samples (pair models) or rows (AutoRec, Mult-VAE) per second. */
  perSecond: number | null;
  valid: Record<string, number> | null;
  /** The test set scored each epoch (--test-each-epoch): a diagnostic, never used to choose. */
  test: Record<string, number> | null;
  /** The epoch's learning rate: relative to the starting one (pair models) or absolute. */
  lr: number | null;
}

export interface RunData {
  label: string;
  dir: string;
  model: string;
  dataset: string;
  config: Record<string, unknown>;
  info: Record<string, unknown>;
  evalFingerprint: string | null;
  /** False when the folder has no log.jsonl: figures but no curves. */
  hasLog: boolean;
  log: EpochPoint[];
}
