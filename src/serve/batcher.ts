/**
 * Micro-batching: work submitted in the same turn of the event loop, or while the previous
 * batch ran, is handed to `run` as one batch, so concurrent requests share one scoring call
 * and one top-k instead of queueing one by one. A batch never exceeds `maxBatch` jobs, which
 * bounds how long one batch holds the event loop.
 */
export interface BatcherOptions {
  /** Most jobs per batch (default 64). */
  maxBatch?: number;
  /** Called after each batch with its size and duration (metrics). */
  onBatch?: (size: number, seconds: number) => void;
}

interface Pending<J, R> {
  job: J;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class Batcher<J, R> {
  private queue: Pending<J, R>[] = [];
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(private readonly run: (jobs: J[]) => R[], private readonly opts: BatcherOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 64;
  }

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.schedule();
    });
  }

  /** Jobs waiting for their batch. */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after this turn's I/O callbacks: requests that arrived together join.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length) this.schedule();
    if (batch.length === 0) return;
    const t0 = performance.now();
    let results: R[];
    try {
      results = this.run(batch.map((p) => p.job));
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    this.opts.onBatch?.(batch.length, (performance.now() - t0) / 1000);
    batch.forEach((p, k) => p.resolve(results[k]));
  }
}
