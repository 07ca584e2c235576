/** The report files' script: draws each figure of the embedded JSON into its slot, then says so on <body> (data-rendered). */
import './report.css';
import { renderFigure } from './chart';
import type { Figure } from '../src/report/figure';

const figures = JSON.parse(document.getElementById('neurec-figures')?.textContent ?? '[]') as Figure[];
const byId = new Map(figures.map((f) => [f.id, f]));
for (const slot of document.querySelectorAll<HTMLElement>('[data-figure-slot]')) {
  const fig = byId.get(slot.dataset.figureSlot ?? '');
  const plot = slot.querySelector<HTMLElement>('.plot');
  if (fig && plot) renderFigure(plot, fig);
}
// uPlot draws in a microtask after each chart is made: say so once a frame has passed.
requestAnimationFrame(() => {
  document.body.dataset.rendered = 'true';
});
