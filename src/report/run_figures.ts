/**
 * The per-epoch charts of one or more runs, overlaid (GMF, MLP and NeuMF; the four factor sizes
 * of Table 2): training loss, then each ranking or rating metric a run logged, validation solid
 * and test dashed; the refit stage dashed on the loss chart; the kept epoch and learning-rate
 * changes marked. Pure: the report (Node) and the page (browser) both call it.
 */
import type { Figure, Mark, Series } from './figure';
import type { EpochPoint, RunData } from './run_types';

/** Per-epoch metrics charted when any run logs them, in this order. */
const METRICS: [key: string, name: string][] = [['hr@10', 'HR@10'], ['ndcg@10', 'NDCG@10'], ['rmse', 'RMSE'], ['ndcg@100', 'NDCG@100'], ['recall@20', 'Recall@20']];

const MARK_NOTE = 'Vertical lines: dashed, the epoch whose weights were kept; dotted, a learning-rate change.';

/** The epoch whose weights the run kept before any refit (the validation-selected one). */
export function keptEpoch(run: RunData): number | null {
  const e = run.info.selectedEpoch ?? run.info.bestEpoch;
  return typeof e === 'number' ? e : null;
}

function stage(run: RunData, s: EpochPoint['stage']): EpochPoint[] {
  return run.log.filter((p) => p.stage === s);
}

/** One value per x (epochs lo..hi), null where the run has none. */
function aligned(points: EpochPoint[], xs: number[], pick: (p: EpochPoint) => number | null | undefined): (number | null)[] {
  const at = new Map(points.map((p) => [p.epoch, pick(p) ?? null]));
  return xs.map((x) => at.get(x) ?? null);
}

const hasValues = (s: Series) => s.values.some((v) => v !== null);

function marksOf(run: RunData, color: number, many: boolean): Mark[] {
  const who = many ? `${run.label}: ` : '';
  const out: Mark[] = [];
  const kept = keptEpoch(run);
  if (kept !== null && run.log.length) out.push({ x: kept, label: `${who}kept`, color, kind: 'kept' });
  const first = stage(run, 'epoch').find((p) => p.lr !== null)?.lr ?? null;
  let prev: number | null = null;
  for (const p of stage(run, 'epoch')) {
    if (p.lr !== null && prev !== null && p.lr !== prev && first)
      out.push({ x: p.epoch, label: `${who}lr ×${+(p.lr / first).toPrecision(2)}`, color, kind: 'lr' });
    if (p.lr !== null) prev = p.lr;
  }
  return out;
}

export function runFigures(runs: RunData[]): Figure[] {
  const all = runs.flatMap((r) => r.log);
  if (!all.length) return [];
  const lo = Math.min(...all.map((p) => p.epoch)), hi = Math.max(...all.map((p) => p.epoch));
  const xs = Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
  const many = runs.length > 1;
  const marksByRun = runs.map((r, k) => marksOf(r, k, many));
  // A run's marks go on the charts that draw it (series carry their run's colour).
  const marksFor = (series: Series[]) => marksByRun.filter((_, k) => series.some((s) => s.color === k)).flat();
  const x = { label: 'epoch', values: xs };
  const figures: Figure[] = [];

  const loss: Series[] = runs.flatMap((r, k) => [
    { label: many ? r.label : 'training loss', values: aligned(stage(r, 'epoch'), xs, (p) => p.loss), color: k },
    { label: `${many ? r.label + ' ' : ''}refit on all training data`, values: aligned(stage(r, 'refit'), xs, (p) => p.loss), color: k, dash: true },
  ]).filter(hasValues);
  if (loss.length) {
    const refit = runs.some((r) => stage(r, 'refit').length);
    figures.push({
      id: 'loss', title: 'Training loss', kind: 'line', x, y: { label: 'loss' }, series: loss, marks: marksFor(loss), legend: many || loss.length > 1,
      note: (refit ? 'Dashed: the refit, the same schedule replayed on all training data. ' : '') + MARK_NOTE,
    });
  }
  for (const [key, name] of METRICS) {
    const series: Series[] = runs.flatMap((r, k) => [
      { label: many ? `${r.label} validation` : 'validation', values: aligned(stage(r, 'epoch'), xs, (p) => p.valid?.[key]), color: k },
      { label: many ? `${r.label} test` : 'test', values: aligned(stage(r, 'epoch'), xs, (p) => p.test?.[key]), color: k, dash: true },
    ]).filter(hasValues);
    if (!series.length) continue;
    const test = series.some((s) => s.dash);
    figures.push({
      id: key.replace(/\W/g, ''), title: `${name} by epoch`, kind: 'line', x, y: { label: name }, series, marks: marksFor(series), legend: many || series.length > 1,
      note: `Validation: data held out of training, which chose the epoch${test ? '; dashed, the test set scored each epoch (--test-each-epoch), never used to choose' : ''}. ${MARK_NOTE}`,
    });
  }
  return figures;
}
