/** `neurec data stats --html`: the data set's key figures and its EDA charts in one self-contained file. */
import type { Interactions } from '../data/dataset';
import { formatStats, type DatasetStats } from '../data/stats';
import { datasetFigures } from './data_figures';
import { escapeHtml, figureSlot, reportDocument, tableHtml } from './html';

const int = (x: number) => x.toLocaleString('en-US');

export function dataReport(data: Interactions, stats: DatasetStats): string {
  const figures = datasetFigures(data, stats);
  const facts: [string, string][] = [
    ['users', int(stats.users)], ['items', int(stats.items)], ['ratings', int(stats.ratings)],
    ['density', `${(100 * stats.density).toFixed(2)}%`], ['sparsity', `${(100 * stats.sparsity).toFixed(2)}%`],
    ['ratings per user (median)', String(stats.perUser.median)], ['ratings per item (median)', String(stats.perItem.median)],
    ...(stats.timeRange ? [['time', `${stats.timeRange.first} to ${stats.timeRange.last}`] as [string, string]] : []),
  ];
  const body = [
    `<header><h1>${escapeHtml(stats.name)} at a glance</h1><p class="sub">neurec data stats --html</p></header>`,
    `<section>${tableHtml({ columns: ['', stats.name], rows: facts }, 'facts')}</section>`,
    `<section class="grid">${figures.map(figureSlot).join('\n')}</section>`,
    `<section><details><summary>Every figure as text</summary><pre>${escapeHtml(formatStats(stats))}</pre></details></section>`,
  ].join('\n');
  return reportDocument({ title: `${stats.name} at a glance`, body, figures });
}
