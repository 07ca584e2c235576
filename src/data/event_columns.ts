/**
 * Stored events as columns, filled page by page as they are read from an event store, so
 * training on a large store holds about 20 bytes an event (and each distinct id once) instead
 * of an object per event. Ids are interned in order of first appearance.
 */

export class EventColumns {
  /** Distinct raw ids, in order of first appearance. */
  readonly userNames: string[] = [];
  readonly itemNames: string[] = [];
  private readonly userCode = new Map<string, number>();
  private readonly itemCode = new Map<string, number>();
  /** Per event: index into userNames / itemNames, the rating (NaN for a click or view), ms since 1970. */
  users = new Int32Array(1024);
  items = new Int32Array(1024);
  ratings = new Float32Array(1024);
  ts = new Float64Array(1024);
  length = 0;

  push(user: string, item: string, rating: number | null, ts: number): void {
    if (this.length === this.users.length) this.grow();
    const n = this.length++;
    this.users[n] = intern(user, this.userCode, this.userNames);
    this.items[n] = intern(item, this.itemCode, this.itemNames);
    this.ratings[n] = rating ?? NaN;
    this.ts[n] = ts;
  }

  private grow(): void {
    const cap = 2 * this.users.length;
    const more = <T extends Int32Array | Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.users = more(this.users, (n) => new Int32Array(n));
    this.items = more(this.items, (n) => new Int32Array(n));
    this.ratings = more(this.ratings, (n) => new Float32Array(n));
    this.ts = more(this.ts, (n) => new Float64Array(n));
  }
}

function intern(id: string, codes: Map<string, number>, names: string[]): number {
  let c = codes.get(id);
  if (c === undefined) {
    c = names.length;
    codes.set(id, c);
    names.push(id);
  }
  return c;
}
