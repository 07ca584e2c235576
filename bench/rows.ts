/** Every benchmark row, in the peer's order. */
import type { BenchRow } from './harness';
import { rows as linear } from './linear.bench';
import { rows as gather } from './gather.bench';
import { rows as optim } from './optim.bench';
import { rows as topk } from './topk.bench';
import { rows as losses } from './losses.bench';
import { rows as tower } from './tower.bench';

export const allRows: BenchRow[] = [...linear, ...gather, ...optim, ...topk, ...losses, ...tower];
