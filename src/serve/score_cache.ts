/**
 * A user's scores over the catalogue, kept between requests. A known user's scores depend only
 * on the model and on what the store holds for them, and both are fixed between a reload or a
 * write (each makes a new plan), so a row scored once answers every later request for that
 * plan with a top-k alone: scoring all items through NeuMF's tower costs about 2.4M
 * multiply-adds a user, a top-k over the cached row about 1/100 of that.
 *
 * The finished answers drawn from a row (per request options: k, genre, ...) are kept beside it
 * for the same reason, so a repeated request costs neither the top-k nor the batch it would
 * wait for. They live and die with their row.
 *
 * Bounded in bytes (rows and answers), least recently used first out; entries are keyed by plan
 * object, so a superseded plan's row is never read again and ages out.
 */
interface Entry<A> {
  row: Float32Array;
  answers: Map<string, A> | null;
  bytes: number;
}

/** Answers kept per row at most (one per distinct set of request options). */
const MAX_ANSWERS = 8;

export class ScoreCache<K extends object, A = unknown> {
  private readonly rows = new Map<K, Entry<A>>();
  private bytes = 0;
  hits = 0;
  misses = 0;
  answerHits = 0;

  /** maxBytes 0 turns the cache off. */
  constructor(readonly maxBytes: number) {}

  get(key: K): Float32Array | undefined {
    const e = this.touch(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e.row;
  }

  /** Keeps a copy of `row` (the caller's buffer may be reused). */
  set(key: K, row: Float32Array): void {
    if (row.byteLength > this.maxBytes) return;
    this.drop(key);
    this.rows.set(key, { row: row.slice(), answers: null, bytes: row.byteLength });
    this.bytes += row.byteLength;
    this.evict();
  }

  /** A finished answer kept for `key`'s row under `options`, if any. */
  answer(key: K, options: string): A | undefined {
    const a = this.rows.get(key)?.answers?.get(options);
    if (a !== undefined) {
      this.answerHits++;
      this.touch(key);
    }
    return a;
  }

  /** Keeps an answer drawn from `key`'s row (only while the row itself is kept); `bytes` is its size. */
  setAnswer(key: K, options: string, answer: A, bytes: number): void {
    const e = this.rows.get(key);
    if (!e) return;
    e.answers ??= new Map();
    // Already kept (two requests raced to the same answer), or room for no more: counting it
    // again would drift the byte bound.
    if (e.answers.has(options) || e.answers.size >= MAX_ANSWERS) return;
    e.answers.set(options, answer);
    e.bytes += bytes;
    this.bytes += bytes;
    this.evict();
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

  private touch(key: K): Entry<A> | undefined {
    const e = this.rows.get(key);
    if (!e) return undefined;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.rows.delete(key);
    this.rows.set(key, e);
    return e;
  }

  private drop(key: K): void {
    const old = this.rows.get(key);
    if (!old) return;
    this.bytes -= old.bytes;
    this.rows.delete(key);
  }

  private evict(): void {
    for (const [k, e] of this.rows) {
      if (this.bytes <= this.maxBytes) break;
      this.rows.delete(k);
      this.bytes -= e.bytes;
    }
  }
}
