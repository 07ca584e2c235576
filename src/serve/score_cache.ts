/**
 * A user's scores over the catalogue, kept between requests. A known user's scores depend only
 * on the model and on what the store holds for them, and both are fixed between a reload or a
 * write (each makes a new plan), so a row scored once answers every later request for that
 * plan with a top-k alone: scoring all items through NeuMF's tower costs about 2.4M
 * multiply-adds a user, a top-k over the cached row about 1/100 of that. Bounded in bytes,
 * least recently used first out; entries are keyed by plan object, so a superseded plan's row
 * is never read again and ages out.
 */
export class ScoreCache<K extends object> {
  private readonly rows = new Map<K, Float32Array>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  /** maxBytes 0 turns the cache off. */
  constructor(readonly maxBytes: number) {}

  get(key: K): Float32Array | undefined {
    const row = this.rows.get(key);
    if (!row) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.rows.delete(key);
    this.rows.set(key, row);
    return row;
  }

  /** Keeps a copy of `row` (the caller's buffer may be reused). */
  set(key: K, row: Float32Array): void {
    if (row.byteLength > this.maxBytes) return;
    const old = this.rows.get(key);
    if (old) this.bytes -= old.byteLength, this.rows.delete(key);
    this.rows.set(key, row.slice());
    this.bytes += row.byteLength;
    for (const [k, r] of this.rows) {
      if (this.bytes <= this.maxBytes) break;
      this.rows.delete(k);
      this.bytes -= r.byteLength;
    }
  }

  clear(): void {
    this.rows.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.rows.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }
}
