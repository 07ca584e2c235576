/** Every benchmark row, in the peer's order. */
import type { BenchRow } from './harness';
import { rows as linear } from './linear.bench';
import { rows as gather } from './gather.bench';

export const allRows: BenchRow[] = [...linear, ...gather];
