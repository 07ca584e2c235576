/**
 * Benchmark harness, the same protocol as ../shared/peers/torch_ops_bench.py so rows compare:
 * one cold call, a warm-up (>= 3 calls and >= minTime/4), then at least `repeat` samples
 * lasting at least `minTime` seconds; a sample times a block of back-to-back calls (more
 * than one only for calls under ~0.2 ms); the row reports the median µs per call.
 */

export interface BenchRow {
  /** Row name, the same as the PyTorch peer's row. */
  op: string;
  shape: string;
  /** Builds inputs once and returns the call to time plus a cleanup. */
  setup(): { fn: () => void; dispose: () => void };
  /** FLOPs or bytes per call (the peer's convention, commented at each row). */
  amount: number;
  unit: 'GFLOP/s' | 'GB/s';
  /** The PyTorch peer has no such row (it would refuse the name). */
  noPeer?: boolean;
}

export interface BenchResult {
  op: string;
  shape: string;
  median_us: number;
  min_us: number;
  figure: number;
  unit: string;
  calls: number;
}

/**
 * `sync` waits for queued device work (a no-op on the CPU): each timed block ends with it, so
 * a sample covers the kernels' execution, not just their launches.
 */
export function timeRow(row: BenchRow, repeat = 20, minTime = 0.2, sync: () => void = () => {}): BenchResult {
  const setup = row.setup();
  const dispose = setup.dispose;
  const fn = setup.fn;
  try {
    const now = () => Number(process.hrtime.bigint()) / 1e9;
    fn();
    sync();
    let n = 0;
    const t0 = now();
    while (n < 3 || now() - t0 < minTime / 4) {
      fn();
      sync();
      n++;
    }
    const est = (now() - t0) / n;
    const inner = Math.max(1, Math.round(2e-4 / est));
    const samples: number[] = [];
    const count = Math.max(repeat, Math.ceil(minTime / (est * inner)));
    for (let s = 0; s < count; s++) {
      const t = now();
      for (let i = 0; i < inner; i++) fn();
      sync();
      samples.push(((now() - t) * 1e6) / inner);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)];
    return {
      op: row.op,
      shape: row.shape,
      median_us: +median.toFixed(2),
      min_us: +samples[0].toFixed(2),
      figure: +(row.amount / median / 1e3).toFixed(2),
      unit: row.unit,
      calls: count * inner,
    };
  } finally {
    dispose();
  }
}
