/** A Figure drawn by the report's renderer (web/chart.ts), redrawn at the new width when the window resizes. */
import { useEffect, useRef } from 'preact/hooks';
import { renderFigure } from '../chart';
import type { Figure } from '../../src/report/figure';

export function ChartView({ figure }: { figure: Figure }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current!;
    let chart = renderFigure(el, figure);
    let timer = 0;
    // The window, not the element, is watched: a chart's own height change must not redraw it.
    const onResize = () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => {
        chart.destroy();
        chart = renderFigure(el, figure);
      }, 150);
    };
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      clearTimeout(timer);
      chart.destroy();
    };
  }, [figure]);
  return (
    <figure class="chart">
      <div class="plot" ref={ref} />
      {figure.note && <figcaption>{figure.note}</figcaption>}
    </figure>
  );
}
