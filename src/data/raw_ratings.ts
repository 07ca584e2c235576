/**
 * Raw rating columns as parsed from a file (raw ids, file order), and their conversion to dense
 * Interactions. Every loader fills one of these, so densifying (NCF rule 1) is written once.
 */
import { Interactions, ItemMeta, UserMeta, makeInteractions } from './dataset';
import { IdMap, densifyNumbers, densifyStrings } from './ids';

export class RawRatings {
  users: Float64Array;
  items: Float64Array;
  ratings: Float32Array;
  timestamps: Float64Array;
  /** String ids, used instead of the numeric columns when a file's ids are not integers. */
  userStrs: string[] | null = null;
  itemStrs: string[] | null = null;
  length = 0;
  /** True once any row had a timestamp. */
  hasTime = false;

  constructor(capacity: number) {
    this.users = new Float64Array(capacity);
    this.items = new Float64Array(capacity);
    this.ratings = new Float32Array(capacity);
    this.timestamps = new Float64Array(capacity);
  }

  push(user: number, item: number, rating: number, timestamp: number): void {
    if (this.length === this.users.length) this.grow();
    const k = this.length++;
    this.users[k] = user;
    this.items[k] = item;
    this.ratings[k] = rating;
    this.timestamps[k] = timestamp;
    if (timestamp === timestamp) this.hasTime = true; // not NaN
  }

  private grow(): void {
    // By a quarter: a chunked read's estimate of the line count is close, and doubling 20M rows
    // would hold 40M rows' room beside them.
    const cap = Math.max(16, Math.ceil(this.users.length * 1.25));
    const g = <T extends Float64Array | Float32Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap);
      b.set(a);
      return b;
    };
    this.users = g(this.users, Float64Array);
    this.items = g(this.items, Float64Array);
    this.ratings = g(this.ratings, Float32Array);
    this.timestamps = g(this.timestamps, Float64Array);
  }

  /** Dense ids by ascending raw id (NCF rule 1) and the Interactions table. */
  toInteractions(name: string): { data: Interactions; userIds: IdMap; itemIds: IdMap } {
    const n = this.length;
    const u = this.userStrs ? densifyStrings(this.userStrs) : densifyNumbers(this.users.subarray(0, n));
    const i = this.itemStrs ? densifyStrings(this.itemStrs) : densifyNumbers(this.items.subarray(0, n));
    const data = makeInteractions({
      name,
      users: u.dense,
      items: i.dense,
      ratings: this.ratings.slice(0, n),
      timestamps: this.hasTime ? this.timestamps.slice(0, n) : null,
      userIds: u.ids,
      itemIds: i.ids,
    });
    return { data, userIds: u.ids, itemIds: i.ids };
  }
}

/** The same table with metadata attached (the metadata's sizes are checked). */
export function withMeta(data: Interactions, itemMeta?: ItemMeta, userMeta?: UserMeta): Interactions {
  return makeInteractions({
    name: data.name, users: data.users, items: data.items, ratings: data.ratings, timestamps: data.timestamps,
    userIds: data.userIds, itemIds: data.itemIds, itemMeta, userMeta, ncf: data.ncf,
  });
}
