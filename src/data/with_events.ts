/**
 * A data set plus the interactions a service stored after it was made (the nightly retrain):
 * users and items the data set lacks get new dense ids after its own, in the order they first
 * appear, so every existing id (and any split or evaluation set made on the base) stays valid.
 * Their metadata is blank (no title, genres or profile).
 */
import { makeInteractions, type Interactions, type ItemMeta, type UserMeta } from './dataset';

export interface EventRow {
  user: string;
  item: string;
  /** The rating, or null for a click or view. */
  rating: number | null;
  /** Milliseconds since 1970. */
  ts: number;
}

export interface WithEventsOptions {
  /** 'all': every event is a row (clicks and views take `clickRating`); 'ratings': rated events only. */
  kinds?: 'all' | 'ratings';
  /** The rating value a click or view row carries (default: the base's largest rating, or 1). */
  clickRating?: number;
}

export interface Extension {
  /** Raw ids of the users and items the events added, in dense order after the base's. */
  users: string[];
  items: string[];
}

/** The new user and item ids the events bring, in order of first appearance. */
export function newIds(base: Interactions, events: readonly EventRow[]): Extension {
  const users: string[] = [], items: string[] = [];
  const su = new Set<string>(), si = new Set<string>();
  for (const e of events) {
    if (base.userIds.dense(e.user) < 0 && !su.has(e.user)) su.add(e.user), users.push(e.user);
    if (base.itemIds.dense(e.item) < 0 && !si.has(e.item)) si.add(e.item), items.push(e.item);
  }
  return { users, items };
}

function extendItemMeta(m: ItemMeta | undefined, n: number): ItemMeta | undefined {
  if (!m || n === 0) return m;
  const year = new Int16Array(m.year.length + n), month = new Int8Array(m.month.length + n);
  year.set(m.year);
  month.set(m.month);
  const out: ItemMeta = { title: [...m.title, ...Array(n).fill('')], genres: [...m.genres, ...Array.from({ length: n }, () => [])], genreNames: m.genreNames, year, month };
  if (m.movieId) {
    const movieId = new Int32Array(m.movieId.length + n);
    movieId.set(m.movieId);
    out.movieId = movieId;
  }
  return out;
}

function extendUserMeta(m: UserMeta | undefined, n: number): UserMeta | undefined {
  if (!m || n === 0) return m;
  const age = new Int16Array(m.age.length + n);
  age.set(m.age);
  const blank = () => Array(n).fill('') as string[];
  return { age, gender: [...m.gender, ...blank()], occupation: [...m.occupation, ...blank()], zip: [...m.zip, ...blank()] };
}

/**
 * `base` with the id maps (and metadata) extended by `ext`, and `events` appended as rows when
 * `rows` is true. Use the same `ext` for a data set and its training split so their ids agree.
 */
export function withEvents(base: Interactions, events: readonly EventRow[], ext: Extension, opts: WithEventsOptions & { rows?: boolean } = {}): Interactions {
  const userIds = base.userIds.extend(ext.users), itemIds = base.itemIds.extend(ext.items);
  let maxRating = 1;
  for (const r of base.ratings) if (r > maxRating) maxRating = r;
  const clickRating = opts.clickRating ?? maxRating;
  const keep = opts.rows === false ? [] : events.filter((e) => e.rating !== null || opts.kinds !== 'ratings');
  const n = base.length, m = keep.length;
  const users = new Int32Array(n + m), items = new Int32Array(n + m), ratings = new Float32Array(n + m);
  users.set(base.users);
  items.set(base.items);
  ratings.set(base.ratings);
  const ts = base.timestamps ? new Float64Array(n + m) : null;
  if (ts) ts.set(base.timestamps!);
  keep.forEach((e, k) => {
    users[n + k] = userIds.dense(e.user);
    items[n + k] = itemIds.dense(e.item);
    if (users[n + k] < 0 || items[n + k] < 0) throw new Error(`withEvents: event of user ${e.user} on item ${e.item} is not covered by the extension`);
    ratings[n + k] = e.rating ?? clickRating;
    if (ts) ts[n + k] = e.ts / 1000;
  });
  return makeInteractions({
    name: base.name, users, items, ratings, timestamps: ts, userIds, itemIds,
    itemMeta: extendItemMeta(base.itemMeta, ext.items.length), userMeta: extendUserMeta(base.userMeta, ext.users.length),
  });
}
