/**
 * Draws a Figure (src/report/figure.ts) with uPlot, a small canvas chart library: lines or
 * bars, log or category or time axes, the kept epoch and learning-rate changes as vertical
 * lines (listed under the chart too, so they read without the canvas), a reference rule.
 * The report files and the service's page both draw through here.
 */
import uPlot from 'uplot';
import { PALETTE, colorOf, type Figure, type Mark } from '../src/report/figure';

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const LABEL_FONT = 'bold 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const AXIS = { font: FONT, labelFont: LABEL_FONT, stroke: '#333', grid: { stroke: '#e4e4e4', width: 1 }, ticks: { stroke: '#ccc', width: 1 } };

const markText = (m: Mark) => `${m.label}, epoch ${m.x}`;

/** A tick or value as text; uPlot passes null for the ticks a log scale leaves out. */
const fmt = (v: number | null) => (v === null ? '' : Math.abs(v) >= 1000 || Number.isInteger(v) ? Math.round(v).toLocaleString('en-US') : +v.toPrecision(4) + '');

/** Draws the marks and the rule over the plot, in canvas pixels. */
function overlay(u: uPlot, fig: Figure): void {
  const ctx = u.ctx, r = uPlot.pxRatio, { left, top, width, height } = u.bbox;
  const marks = fig.marks ?? [];
  ctx.save();
  // uPlot leaves its last axis's text alignment on the context.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.lineWidth = 1.5 * r;
  ctx.font = `${11 * r}px system-ui, "DejaVu Sans", sans-serif`;
  marks.forEach((m, k) => {
    const x = Math.round(u.valToPos(m.x, 'x', true));
    if (x < left || x > left + width) return;
    const color = PALETTE[(m.color ?? 0) % PALETTE.length];
    ctx.strokeStyle = ctx.fillStyle = color;
    ctx.setLineDash(m.kind === 'kept' ? [6 * r, 4 * r] : [2 * r, 3 * r]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    // Labels on the canvas only while they cannot crowd it; all are listed under the chart.
    if (marks.length <= 2) {
      const text = markText(m), w = ctx.measureText(text).width;
      const tx = x + 4 * r + w > left + width ? x - 4 * r - w : x + 4 * r, ty = top + (14 + 14 * k) * r;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(tx - 2 * r, ty - 11 * r, w + 4 * r, 14 * r);
      ctx.fillStyle = color;
      ctx.fillText(text, tx, ty);
    }
  });
  if (fig.rule) {
    const y = Math.round(u.valToPos(fig.rule.y, 'y', true));
    ctx.strokeStyle = ctx.fillStyle = '#444';
    ctx.setLineDash([4 * r, 4 * r]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    const w = ctx.measureText(fig.rule.label).width, tx = left + width - w - 6 * r;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(tx - 2 * r, y - 16 * r, w + 4 * r, 13 * r);
    ctx.fillStyle = '#444';
    ctx.fillText(fig.rule.label, tx, y - 5 * r);
  }
  ctx.restore();
}

function options(fig: Figure, width: number): uPlot.Options {
  const cats = fig.x.categories;
  const bars = fig.kind === 'bar';
  const longest = cats ? Math.max(...cats.map((c) => c.length)) : 0;
  // Category names slant (ending at their tick) once they could touch their neighbours.
  const rotate = cats && cats.length * (longest * 7 + 14) > width - 100;
  const integers = !fig.x.time && !cats && !fig.x.log && fig.x.values.every(Number.isInteger);
  // uPlot widens a log scale to whole powers; the data's own span reads better, with ticks at
  // 1, 2 and 5 times the powers of 10 (each power of 2) inside it.
  const logRange = (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [min / 1.25, max * 1.25];
  const logSplits = (base: 2 | 10) => (_u: uPlot, _axis: number, min: number, max: number): number[] => {
    const out: number[] = [];
    for (let p = Math.floor(Math.log(min) / Math.log(base)); base ** p <= max; p++)
      for (const m of base === 10 ? [1, 2, 5] : [1]) if (m * base ** p >= min && m * base ** p <= max) out.push(m * base ** p);
    return out;
  };
  const y = fig.y;
  const xSize = rotate ? Math.min(140, 20 + longest * 6) : 50;
  return {
    title: fig.title,
    width,
    // Slanted names take their room from the plot otherwise.
    height: 250 + xSize,
    scales: {
      x: {
        time: !!fig.x.time,
        ...(fig.x.log ? { distr: 3, log: fig.x.log, range: logRange } : {}),
        ...(cats ? { range: (): uPlot.Range.MinMax => [-0.5, cats.length - 0.5] } : {}),
      },
      y: {
        ...(y.log ? { distr: 3, log: y.log, range: logRange } : {}),
        ...(y.fromZero && !y.log ? { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.08 : 1] } : {}),
      },
    },
    axes: [
      {
        ...AXIS,
        label: fig.x.label,
        ...(cats ? { splits: () => cats.map((_, k) => k), values: (_u: uPlot, splits: number[]) => splits.map((k) => cats[k] ?? '') } : {}),
        ...(integers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] } : {}),
        ...(fig.x.log ? { splits: logSplits(fig.x.log) } : {}),
        ...(rotate ? { rotate: 40, size: xSize } : {}),
      },
      { ...AXIS, label: y.label, size: 64, values: (_u: uPlot, splits: (number | null)[]) => splits.map(fmt), ...(y.log ? { splits: logSplits(y.log) } : {}) },
    ],
    series: [
      { label: fig.x.label, ...(cats ? { value: (_u: uPlot, v: number) => cats[v] ?? '' } : {}) },
      ...fig.series.map((s, k): uPlot.Series => {
        const stroke = colorOf(s, k);
        return {
          label: s.label,
          stroke,
          width: bars ? 1 : 2,
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : fmt(v)),
          ...(s.dash ? { dash: [7, 4] } : {}),
          ...(bars
            ? { paths: uPlot.paths.bars!({ size: [0.7, 64] }), fill: stroke + 'B0', points: { show: false } }
            : fig.kind === 'dots'
              ? { paths: () => null, points: { show: true, size: 11, fill: stroke } }
              : { points: { show: fig.x.values.length <= 40, size: 5 } }),
        };
      }),
    ],
    // Series names only, no values under a cursor: the same legend on the page and in a PNG.
    legend: { show: fig.legend ?? fig.series.length > 1, live: false, markers: { dash: (_u: uPlot, i: number) => (fig.series[i - 1]?.dash ? 'dashed' : 'solid') } },
    hooks: { draw: [(u: uPlot) => overlay(u, fig)] },
  };
}

/** A sentence listing the marks, in their colours, under the chart. */
function markList(fig: Figure): HTMLElement | null {
  if (!fig.marks?.length) return null;
  const p = document.createElement('p');
  p.className = 'marks';
  fig.marks.forEach((m, k) => {
    const span = document.createElement('span');
    span.style.color = PALETTE[(m.color ?? 0) % PALETTE.length];
    span.textContent = `${m.kind === 'kept' ? '┆' : '⋮'} ${markText(m)}`;
    if (k) p.append(' · ');
    p.append(span);
  });
  return p;
}

/**
 * Draws `fig` into `el` at its width; data-figure and data-series (the number of series drawn)
 * let tests and screenshots find it. Returns the chart, to resize or destroy.
 */
export function renderFigure(el: HTMLElement, fig: Figure): uPlot {
  el.replaceChildren();
  el.dataset.figure = fig.id;
  el.dataset.series = String(fig.series.length);
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', `${fig.title}: ${fig.series.map((s) => s.label).join(', ')}`);
  const width = Math.max(260, Math.min(el.clientWidth || 900, 1000));
  const data = [fig.x.values, ...fig.series.map((s) => s.values)] as uPlot.AlignedData;
  const chart = new uPlot(options(fig, width), data, el);
  el.dataset.width = String(width);
  const marks = markList(fig);
  if (marks) el.append(marks);
  return chart;
}
