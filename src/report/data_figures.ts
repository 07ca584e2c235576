/**
 * A data set at a glance, as the seeds' EDA notebooks show it: ratings per user and per item
 * (bins doubling in width, a log scale), the rating distribution, items per genre, interactions
 * over time, release decades and users' ages.
 */
import type { Interactions } from '../data/dataset';
import type { DatasetStats } from '../data/stats';
import type { Figure } from './figure';

/** Counts in bins 1, 2-3, 4-7, 8-15, ... (each twice as wide as the one before). */
export function doublingBins(counts: ArrayLike<number>): { labels: string[]; values: number[] } {
  let max = 0;
  for (let k = 0; k < counts.length; k++) max = Math.max(max, counts[k]);
  const n = max > 0 ? Math.floor(Math.log2(max)) + 1 : 0;
  const values = new Array<number>(n).fill(0);
  let zero = 0;
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] > 0) values[Math.floor(Math.log2(counts[k]))]++;
    else zero++;
  }
  const labels = values.map((_, b) => (b === 0 ? '1' : `${2 ** b}–${2 ** (b + 1) - 1}`));
  // Empty bins below the smallest count are left out (every ml-100k user has 20 ratings or more).
  const first = Math.max(0, values.findIndex((v) => v > 0));
  const out = { labels: labels.slice(first), values: values.slice(first) };
  return zero ? { labels: ['0', ...out.labels], values: [zero, ...out.values] } : out;
}

function bars(id: string, title: string, xLabel: string, yLabel: string, labels: string[], values: number[], note?: string): Figure {
  return {
    id, title, kind: 'bar', x: { label: xLabel, values: labels.map((_, k) => k), categories: labels },
    y: { label: yLabel, fromZero: true }, series: [{ label: yLabel, values }], ...(note ? { note } : {}),
  };
}

const DAY = 86_400;
const WIDTHS: [seconds: number, name: string][] = [[DAY, 'day'], [7 * DAY, 'week'], [30 * DAY, '30 days'], [91 * DAY, 'quarter'], [365 * DAY, 'year']];

/** Interactions per bin of time, the narrowest of day / week / 30 days / quarter / year that gives at most 120 bins. */
function overTime(ts: Float64Array): Figure | null {
  let lo = Infinity, hi = -Infinity;
  for (const t of ts) if (Number.isFinite(t)) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
  if (!(lo <= hi)) return null;
  const [width, name] = WIDTHS.find(([w]) => (hi - lo) / w < 120) ?? WIDTHS[WIDTHS.length - 1];
  const start = Math.floor(lo / DAY) * DAY;
  const counts = new Array<number>(Math.floor((hi - start) / width) + 1).fill(0);
  for (const t of ts) if (Number.isFinite(t)) counts[Math.floor((t - start) / width)]++;
  return {
    id: 'over-time', title: 'Interactions over time', kind: 'line',
    x: { label: 'time', values: counts.map((_, k) => start + k * width), time: true },
    y: { label: `ratings per ${name}`, fromZero: true }, series: [{ label: `ratings per ${name}`, values: counts }],
    note: `Bins of ${name === 'day' ? 'a day' : name === 'week' ? 'a week' : name}; the last one may cover only part of one.`,
  };
}

export function datasetFigures(data: Interactions, stats: DatasetStats): Figure[] {
  const perUser = new Int32Array(data.nUsers), perItem = new Int32Array(data.nItems);
  for (let r = 0; r < data.length; r++) {
    perUser[data.users[r]]++;
    perItem[data.items[r]]++;
  }
  const u = doublingBins(perUser), i = doublingBins(perItem);
  const figures: Figure[] = [
    bars('per-user', 'Ratings per user', 'ratings per user (bins double in width: a log scale)', 'users', u.labels, u.values,
      `Median ${stats.perUser.median}, mean ${stats.perUser.mean.toFixed(1)}, max ${stats.perUser.max}.`),
    bars('per-item', 'Ratings per item', 'ratings per item (bins double in width: a log scale)', 'items', i.labels, i.values,
      `Median ${stats.perItem.median}, mean ${stats.perItem.mean.toFixed(1)}, max ${stats.perItem.max}: the long tail.`),
  ];
  if (stats.ratingValues.length > 1)
    figures.push(bars('ratings', 'Rating distribution', 'rating', 'ratings', stats.ratingValues.map((v) => String(v.value)), stats.ratingValues.map((v) => v.count),
      `Mean rating ${stats.ratingMean.toFixed(2)}.`));
  if (stats.genres?.length)
    figures.push(bars('genres', 'Items per genre', 'genre', 'items', stats.genres.map((g) => g.genre), stats.genres.map((g) => g.items),
      `An item can have several genres; ${stats.itemsWithoutGenre ?? 0} have none.`));
  const time = data.timestamps ? overTime(data.timestamps) : null;
  if (time) figures.push(time);
  if (stats.releaseDecades?.length)
    figures.push(bars('decades', 'Items per release decade', 'decade', 'items', stats.releaseDecades.map((d) => `${d.decade}s`), stats.releaseDecades.map((d) => d.items),
      stats.unknownYear ? `${stats.unknownYear} items of unknown year left out.` : undefined));
  if (stats.demographics?.ages.length)
    figures.push(bars('ages', "Users' ages", 'age', 'users', stats.demographics.ages.map((a) => a.age), stats.demographics.ages.map((a) => a.users)));
  return figures;
}
