/**
 * The tables beside a run's curves: final figures under both protocols (sampled: among 99
 * negatives, the NCF paper's; full: among every unrated item), or RMSE and MAE for a rating
 * model; speed and memory; the configuration. Pure: the report writes them as HTML, the page
 * shows the same rows.
 */
import type { RunData } from './run_types';

export interface Table {
  columns: string[];
  rows: string[][];
}

const DASH = '—';
const f4 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : DASH);
const pair = (m: unknown, a: string, b: string) => {
  const o = (m ?? {}) as Record<string, unknown>;
  return o[a] === undefined && o[b] === undefined ? DASH : `${f4(o[a])} / ${f4(o[b])}`;
};

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function figureCells(sampled: unknown, full: unknown, rating: unknown): string[] {
  const f = (full ?? {}) as Record<string, unknown>;
  return [pair(sampled, 'hr@10', 'ndcg@10'), full ? `${pair(f, 'hr@10', 'ndcg@10')} / ${f4(f['recall@20'])}` : DASH, pair(rating, 'rmse', 'mae')];
}

/** One row per run (and one per validation-selected model a refit replaced); empty columns dropped. */
export function summaryTable(runs: RunData[]): Table {
  const columns = ['run', 'model', 'data', 'epochs (refit)', 'kept epoch', 'sampled HR@10 / NDCG@10', 'full HR@10 / NDCG@10 / Recall@20', 'test RMSE / MAE', 's / epoch', 'samples / s (median)', 'peak RSS MB'];
  const rows: string[][] = [];
  for (const r of runs) {
    const i = r.info;
    const epochs = r.log.filter((p) => p.stage === 'epoch' && p.loss !== null).length;
    const refit = r.log.filter((p) => p.stage === 'refit').length;
    const rate = median(r.log.map((p) => p.perSecond).filter((v): v is number => v !== null && v > 0));
    const kept = i.selectedEpoch ?? i.bestEpoch;
    rows.push([
      r.label, r.model, r.dataset, r.hasLog ? `${epochs}${refit ? ` (${refit})` : ''}` : DASH, kept === undefined ? DASH : String(kept),
      ...figureCells(i.sampled, i.full, i.test),
      typeof i.secondsPerEpoch === 'number' ? i.secondsPerEpoch.toFixed(2) : DASH,
      rate === null ? DASH : String(Math.round(rate)),
      typeof i.peakRssMb === 'number' ? String(i.peakRssMb) : DASH,
    ]);
    const sel = i.selected as { sampled?: unknown; full?: unknown } | undefined;
    if (sel) rows.push([`${r.label}, validation-selected (before the refit)`, r.model, r.dataset, String(epochs), String(i.selectedEpoch ?? DASH), ...figureCells(sel.sampled, sel.full, null), DASH, DASH, DASH]);
  }
  const keep = columns.map((_, c) => c < 3 || rows.some((row) => row[c] !== DASH));
  return { columns: columns.filter((_, c) => keep[c]), rows: rows.map((row) => row.filter((_, c) => keep[c])) };
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The run's configuration and how it was trained, as setting / value rows. */
export function configTable(r: RunData): Table {
  const rows: string[][] = [['folder', r.dir], ['model', r.model], ['data', r.dataset]];
  if (r.evalFingerprint) rows.push(['evaluation fingerprint', r.evalFingerprint]);
  for (const [k, v] of Object.entries(r.config)) if (k !== 'model') rows.push([k, show(v)]);
  for (const k of ['split', 'seed', 'refit', 'refitted', 'events']) if (r.info[k] !== undefined) rows.push([k, show(r.info[k])]);
  return { columns: ['setting', 'value'], rows };
}
