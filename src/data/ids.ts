/**
 * IdMap: raw ids (as the files spell them) <-> dense 0-based indices, both directions.
 *
 * Dense ids follow the NCF protocol's rule 1 (ascending raw id), so any code that densifies the
 * same ratings gets the same indices as the PyTorch peer. Numeric raw ids are kept in a
 * Float64Array (exact for integers up to 2^53); string ids (anyone's own CSV) in a string array,
 * sorted by code unit.
 */

export type RawId = number | string;

/**
 * A numeric raw id from its text, or NaN: decimal digits with no leading zero (and an optional
 * minus sign), at most 15 digits. Each id has one spelling, so "0x10", "1e1", "0b10000", "+16"
 * and "016", which Number() reads as 16 or 10, never stand for the ids spelled 16 and 10.
 */
export function parseDecimalId(text: string): number {
  return /^(0|-?[1-9]\d{0,14})$/.test(text) ? Number(text) : NaN;
}

export class IdMap {
  private lookup: Map<RawId, number> | null = null;
  private extraLookup: Map<string, number> | null = null;

  private constructor(
    /** 'identity': raw id == dense id (NCF-format files, synthetic data). */
    readonly kind: 'identity' | 'number' | 'string',
    private readonly nums: Float64Array | null,
    private readonly strs: readonly string[] | null,
    /** Ids of the base map (before any extension). */
    private readonly n: number,
    /** Ids appended by extend(), as strings, dense ids n, n+1, ... */
    private readonly extra: readonly string[] = [],
  ) {}

  /**
   * This map with `raw` ids appended (dense ids size, size+1, ... in the order given): users
   * and items a service saw after the data set was made. Appended ids keep every existing
   * dense id, so splits and evaluation sets made on the base data stay valid.
   */
  extend(raw: readonly string[]): IdMap {
    if (raw.length === 0) return this;
    const extra = [...this.extra];
    const seen = new Set(extra);
    for (const r of raw) {
      if (this.dense(r) >= 0 || seen.has(r)) throw new Error(`IdMap.extend: id ${JSON.stringify(r)} is already in the map`);
      seen.add(r);
      extra.push(r);
    }
    return new IdMap(this.kind, this.nums, this.strs, this.n, extra);
  }

  /** Raw id i for dense id i, i = 0..n-1. */
  static identity(n: number): IdMap {
    return new IdMap('identity', null, null, n);
  }

  /** From raw ids already sorted ascending and distinct (checked). */
  static fromSortedNumbers(raw: ArrayLike<number>): IdMap {
    const a = Float64Array.from(raw);
    for (let i = 1; i < a.length; i++) {
      if (!(a[i] > a[i - 1])) throw new Error(`IdMap: raw ids must be ascending and distinct (${a[i - 1]} then ${a[i]})`);
    }
    return new IdMap('number', a, null, a.length);
  }

  /** From string raw ids already sorted ascending and distinct (checked). */
  static fromSortedStrings(raw: readonly string[]): IdMap {
    for (let i = 1; i < raw.length; i++) {
      if (!(raw[i] > raw[i - 1])) throw new Error(`IdMap: raw ids must be ascending and distinct ("${raw[i - 1]}" then "${raw[i]}")`);
    }
    return new IdMap('string', null, raw.slice(), raw.length);
  }

  get size(): number {
    return this.n + this.extra.length;
  }

  /** The raw id of dense index i. */
  raw(i: number): RawId {
    if (!(i >= 0 && i < this.size && Number.isInteger(i))) throw new Error(`IdMap: dense id ${i} out of range [0, ${this.size})`);
    if (i >= this.n) return this.extra[i - this.n];
    if (this.kind === 'identity') return i;
    return this.kind === 'number' ? this.nums![i] : this.strs![i];
  }

  /**
   * The dense index of a raw id, or -1 when it is not in the map. `"42"` finds numeric 42;
   * `"0x2a"`, `"4.2e1"` or `"042"` find nothing (parseDecimalId).
   */
  dense(raw: RawId): number {
    const base = this.denseBase(raw);
    if (base >= 0 || this.extra.length === 0) return base;
    if (!this.extraLookup) this.extraLookup = new Map(this.extra.map((r, k) => [r, this.n + k]));
    return this.extraLookup.get(String(raw)) ?? -1;
  }

  private denseBase(raw: RawId): number {
    if (this.kind === 'string') {
      return this.getLookup().get(String(raw)) ?? -1;
    }
    const v = typeof raw === 'number' ? raw : parseDecimalId(raw.trim());
    if (!Number.isInteger(v)) return -1;
    if (this.kind === 'identity') return v >= 0 && v < this.n ? v : -1;
    // Binary search: the numeric ids are sorted, so no Map is needed.
    const a = this.nums!;
    let lo = 0, hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < v) lo = mid + 1;
      else if (a[mid] > v) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  has(raw: RawId): boolean {
    return this.dense(raw) >= 0;
  }

  /** Like dense(), but throws naming what was looked up (`what`: e.g. "user"). */
  denseOrThrow(raw: RawId, what = 'id'): number {
    const i = this.dense(raw);
    if (i < 0) throw new Error(`unknown ${what} ${JSON.stringify(raw)}: not among the ${this.size} ${what}s of this data set`);
    return i;
  }

  /** All raw ids in dense order. */
  toArray(): RawId[] {
    const out: RawId[] = new Array(this.size);
    for (let i = 0; i < this.n; i++) out[i] = this.kind === 'identity' ? i : this.kind === 'number' ? this.nums![i] : this.strs![i];
    for (let k = 0; k < this.extra.length; k++) out[this.n + k] = this.extra[k];
    return out;
  }

  /** The map restricted to the dense ids in `keep` (ascending); raw order is preserved. */
  subset(keep: Int32Array): IdMap {
    for (let i = 0; i < keep.length; i++) {
      if (keep[i] < 0 || keep[i] >= this.size || (i > 0 && keep[i] <= keep[i - 1])) {
        throw new Error('IdMap.subset: keep must hold ascending dense ids in range');
      }
    }
    if (this.extra.length) {
      const base = keep.filter((i) => i < this.n), added = Array.from(keep.filter((i) => i >= this.n), (i) => this.extra[i - this.n]);
      return new IdMap(this.kind, this.nums, this.strs, this.n).subset(base).extend(added);
    }
    if (this.kind === 'string') return new IdMap('string', null, Array.from(keep, (i) => this.strs![i]), keep.length);
    const nums = new Float64Array(keep.length);
    for (let i = 0; i < keep.length; i++) nums[i] = this.kind === 'identity' ? keep[i] : this.nums![keep[i]];
    // An identity map restricted to 0..k-1 is still the identity.
    if (this.kind === 'identity' && (keep.length === 0 || keep[keep.length - 1] === keep.length - 1)) return IdMap.identity(keep.length);
    return new IdMap('number', nums, null, keep.length);
  }

  private getLookup(): Map<RawId, number> {
    if (!this.lookup) {
      this.lookup = new Map();
      for (let i = 0; i < this.n; i++) this.lookup.set(this.strs![i], i);
    }
    return this.lookup;
  }
}

/**
 * Dense ids for a column of numeric raw ids, in ascending raw order (NCF rule 1).
 * Small non-negative integer ids (every MovieLens file) go through a direct lookup table, O(n);
 * anything else through sort + binary search.
 */
export function densifyNumbers(raw: Float64Array | Int32Array): { dense: Int32Array; ids: IdMap } {
  const n = raw.length;
  const dense = new Int32Array(n);
  let min = Infinity, max = -Infinity, integral = true;
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  if (n === 0) return { dense, ids: IdMap.fromSortedNumbers([]) };
  if (integral && min >= 0 && max < Math.max(1 << 20, 8 * n)) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < n; i++) table[raw[i]] = 0;
    let k = 0;
    for (let v = 0; v <= max; v++) if (table[v] === 0) table[v] = k++;
    const sorted = new Float64Array(k);
    for (let v = 0; v <= max; v++) if (table[v] >= 0) sorted[table[v]] = v;
    for (let i = 0; i < n; i++) dense[i] = table[raw[i]];
    return { dense, ids: IdMap.fromSortedNumbers(sorted) };
  }
  const sorted = Float64Array.from(raw).sort();
  let k = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[k++] = sorted[i];
  const uniq = sorted.slice(0, k);
  for (let i = 0; i < n; i++) {
    let lo = 0, hi = k - 1;
    const v = raw[i];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (uniq[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    dense[i] = lo;
  }
  return { dense, ids: IdMap.fromSortedNumbers(uniq) };
}

/** Dense ids for a column of string raw ids, in ascending (code unit) order. */
export function densifyStrings(raw: readonly string[]): { dense: Int32Array; ids: IdMap } {
  const index = new Map<string, number>();
  for (const s of raw) index.set(s, 0);
  const uniq = Array.from(index.keys()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  uniq.forEach((s, i) => index.set(s, i));
  const dense = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) dense[i] = index.get(raw[i])!;
  return { dense, ids: IdMap.fromSortedStrings(uniq) };
}
