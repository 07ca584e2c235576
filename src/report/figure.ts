/**
 * A chart as plain data: what the report, the EDA page, the bench plots and the service's page
 * all hand to one renderer (web/chart.ts, uPlot). Builders (run_figures.ts, data_figures.ts,
 * bench/plots.ts) say what to draw; only the renderer knows how.
 */

export interface Series {
  label: string;
  /** One value per x, null where the series has none (a gap). */
  values: (number | null)[];
  /** Drawn dashed: a second stage (refit) or a second source (test beside validation). */
  dash?: boolean;
  /** Index into PALETTE; the series' position when absent. Series of one run share a colour. */
  color?: number;
}

/** A vertical line at an x value: the kept epoch, a learning-rate change. */
export interface Mark {
  x: number;
  label: string;
  color?: number;
  /** 'kept' is drawn dashed, 'lr' dotted. */
  kind: 'kept' | 'lr';
}

export interface Figure {
  /** Stable and unique within a document (tests and PNG shots find charts by it). */
  id: string;
  title: string;
  /** 'dots': points without lines, to compare a few series category by category. */
  kind: 'line' | 'bar' | 'dots';
  x: {
    label: string;
    values: number[];
    /** A log scale of this base. */
    log?: 2 | 10;
    /** Values are seconds since 1970, shown as dates. */
    time?: boolean;
    /** Values are 0..n-1 indexing these names (bars per genre, per rating). */
    categories?: string[];
  };
  y: { label: string; log?: 2 | 10; fromZero?: boolean };
  series: Series[];
  /** Show the series' names under the chart (default: when there are several). */
  legend?: boolean;
  marks?: Mark[];
  /** A horizontal reference line (1× in a speed-up chart). */
  rule?: { y: number; label: string };
  /** One line under the chart saying how to read it. */
  note?: string;
}

/** Okabe and Ito's colour-blind-safe palette, its yellow last (faint on white). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999', '#F0E442'];

export function colorOf(s: Series, position: number): string {
  return PALETTE[(s.color ?? position) % PALETTE.length];
}
