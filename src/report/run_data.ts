/**
 * A training run as the report and the service's page read it: the checkpoint's config.json
 * (model, configuration, final figures in `info`) and the per-epoch records train appends to
 * log.jsonl in the same folder (src/cli/train.ts, appendLog), normalised across trainers:
 * pair models log lrScale and samplesPerSecond, AutoRec and Mult-VAE lr and rowsPerSecond, the
 * refit stage is tagged stage: "refit", and epoch 0 (starting weights) has no loss.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readCheckpointMeta } from '../io/checkpoint';
import type { EpochPoint, RunData } from './run_types';

export type { EpochPoint, RunData };

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function metrics(v: unknown): Record<string, number> | null {
  if (typeof v !== 'object' || v === null) return null;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return Object.keys(out).length ? out : null;
}

/** The records of a log.jsonl text; a line that is not a JSON object with an epoch fails, naming the line. */
export function parseLog(text: string, file: string): EpochPoint[] {
  const out: EpochPoint[] = [];
  text.split('\n').forEach((line, k) => {
    if (!line.trim()) return;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${k + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof r !== 'object' || r === null || typeof r.epoch !== 'number')
      throw new Error(`${file}:${k + 1}: expected an object with an epoch number, got ${line.slice(0, 80)}`);
    out.push({
      stage: r.stage === 'refit' ? 'refit' : 'epoch',
      epoch: r.epoch,
      loss: numOrNull(r.loss),
      seconds: numOrNull(r.seconds),
      perSecond: numOrNull(r.samplesPerSecond ?? r.rowsPerSecond),
      valid: metrics(r.valid),
      test: metrics(r.test),
      lr: numOrNull(r.lrScale ?? r.lr),
    });
  });
  return out;
}

/** Reads a run folder written by `neurec train` (--save). */
export function readRun(dir: string, label = path.basename(path.resolve(dir))): RunData {
  const meta = readCheckpointMeta(dir);
  const file = path.join(dir, 'log.jsonl');
  const hasLog = fs.existsSync(file);
  return {
    label, dir: path.resolve(dir), model: meta.model, dataset: meta.dataset, config: meta.config, info: meta.info ?? {},
    evalFingerprint: meta.evalFingerprint ?? null, hasLog, log: hasLog ? parseLog(fs.readFileSync(file, 'utf8'), file) : [],
  };
}

/** Labels for several runs: each folder's name, with its parent's where two names clash. */
export function runLabels(dirs: string[]): string[] {
  const abs = dirs.map((d) => path.resolve(d));
  const base = abs.map((d) => path.basename(d));
  return abs.map((d, k) => (base.filter((b) => b === base[k]).length > 1 ? path.join(path.basename(path.dirname(d)), base[k]) : base[k]));
}
