/**
 * `neurec report`'s document: the runs' final figures, speed and memory, their curves overlaid,
 * and each run's configuration, in one self-contained HTML file.
 */
import type { RunData } from './run_types';
import { runFigures } from './run_figures';
import { configTable, summaryTable } from './run_summary';
import { escapeHtml, figureSlot, reportDocument, tableHtml } from './html';

const PROTOCOLS = 'Sampled: each user\'s held-out latest item ranked among 99 items they never rated (the NCF paper\'s protocol); ' +
  'full: ranked among every item they have not rated. ';
const SPEED = 'Seconds per epoch and samples per second are as logged while training, on whatever else the machine was running; ' +
  'peak RSS is the training process\'s.';

export function runReport(runs: RunData[], now = new Date()): string {
  const figures = runFigures(runs);
  const names = runs.map((r) => r.label).join(', ');
  const data = [...new Set(runs.map((r) => r.dataset))];
  const prints = [...new Set(runs.map((r) => r.evalFingerprint).filter(Boolean))];
  const warnings = [
    ...(data.length > 1 ? [`These runs are on different data (${data.join(', ')}): their figures do not compare.`] : []),
    ...(prints.length > 1 ? [`These runs were evaluated on different test sets (fingerprints ${prints.join(', ')}).`] : []),
    ...runs.filter((r) => !r.hasLog).map((r) => `${r.label} has no log.jsonl: no curves for it.`),
  ];
  const body = [
    `<header><h1>Training report: ${escapeHtml(names)}</h1>`,
    `<p class="sub">${escapeHtml(data.join(', '))} · ${runs.length} run${runs.length > 1 ? 's' : ''} · written ${escapeHtml(now.toISOString().slice(0, 16).replace('T', ' '))} UTC by neurec report</p></header>`,
    ...warnings.map((w) => `<p class="warn" role="note">${escapeHtml(w)}</p>`),
    '<section><h2>Final figures</h2>',
    tableHtml(summaryTable(runs), 'figures'),
    `<p class="note">${escapeHtml((runs.some((r) => r.info.sampled) ? PROTOCOLS : '') + SPEED)}</p></section>`,
    `<section><h2>Curves</h2>${figures.length ? figures.map(figureSlot).join('\n') : '<p>No per-epoch log in these runs.</p>'}</section>`,
    '<section><h2>Configuration</h2><div class="configs">',
    ...runs.map((r) => `<div><h3>${escapeHtml(r.label)}</h3>${tableHtml(configTable(r), 'config')}</div>`),
    '</div></section>',
  ].join('\n');
  return reportDocument({ title: `neurec report: ${names}`, body, figures });
}
