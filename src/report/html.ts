/**
 * Self-contained HTML documents for reports: styles, the chart bundle (uPlot included) and the
 * figures as JSON all inlined, so the file opens from disk with no network. The bundle
 * (web/report.ts) draws every figure into its slot and then sets body[data-rendered].
 */
import type { Figure } from './figure';
import type { Table } from './run_summary';
import { readWebAsset } from './web_assets';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function tableHtml(t: Table, cls = ''): string {
  const head = t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c, k) => (k ? `<td>${escapeHtml(c)}</td>` : `<th scope="row">${escapeHtml(c)}</th>`)).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table${cls ? ` class="${cls}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** Where a figure is drawn: the bundle finds it by data-figure-slot. */
export function figureSlot(f: Figure): string {
  return `<figure class="chart" data-figure-slot="${escapeHtml(f.id)}"><div class="plot"></div>${f.note ? `<figcaption>${escapeHtml(f.note)}</figcaption>` : ''}</figure>`;
}

/** JSON inside a <script> element: "<" escaped so no string in it can close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

export interface DocumentParts {
  title: string;
  /** Already-escaped HTML: sections, tables, figure slots. */
  body: string;
  figures: Figure[];
}

export function reportDocument(d: DocumentParts): string {
  const js = readWebAsset('report.js').replace(/<\/script/gi, '<\\/script');
  const css = readWebAsset('report.css').replace(/<\/style/gi, '<\\/style');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(d.title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${d.body}
</main>
<script type="application/json" id="neurec-figures">${scriptJson(d.figures)}</script>
<script>${js}</script>
</body>
</html>
`;
}
