/**
 * A data set plus the interactions a service stored after it was made (the nightly retrain):
 * users and items the data set lacks get new dense ids after its own, in the order they first
 * appear, so every existing id (and any split or evaluation set made on the base) stays valid.
 * Their metadata is blank (no title, genres or profile).
 */
import { makeInteractions, type Interactions, type ItemMeta, type UserMeta } from './dataset';
import type { EventColumns } from './event_columns';

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
export function newIds(base: Interactions, events: EventColumns): Extension {
  return { users: events.userNames.filter((u) => base.userIds.dense(u) < 0), items: events.itemNames.filter((i) => base.itemIds.dense(i) < 0) };
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
 * `base` with the id maps (and metadata) extended by `ext`, and `events` (unless null) appended
 * as rows. Use the same `ext` for a data set and its training split so their ids agree.
 */
export function withEvents(base: Interactions, events: EventColumns | null, ext: Extension, opts: WithEventsOptions = {}): Interactions {
  const userIds = base.userIds.extend(ext.users), itemIds = base.itemIds.extend(ext.items);
  let maxRating = 1;
  for (const r of base.ratings) if (r > maxRating) maxRating = r;
  const clickRating = opts.clickRating ?? maxRating;
  // Which events become rows, and each distinct id's dense id (looked up once, not per event).
  const keep: number[] = [];
  for (let k = 0; events && k < events.length; k++) if (opts.kinds !== 'ratings' || !Number.isNaN(events.ratings[k])) keep.push(k);
  const userDense = events ? events.userNames.map((u) => userIds.dense(u)) : [];
  const itemDense = events ? events.itemNames.map((i) => itemIds.dense(i)) : [];
  const n = base.length, m = keep.length;
  const users = new Int32Array(n + m), items = new Int32Array(n + m), ratings = new Float32Array(n + m);
  users.set(base.users);
  items.set(base.items);
  ratings.set(base.ratings);
  const ts = base.timestamps ? new Float64Array(n + m) : null;
  if (ts) ts.set(base.timestamps!);
  keep.forEach((e, k) => {
    const u = events!.users[e], i = events!.items[e];
    users[n + k] = userDense[u];
    items[n + k] = itemDense[i];
    if (users[n + k] < 0 || items[n + k] < 0) throw new Error(`withEvents: event of user ${events!.userNames[u]} on item ${events!.itemNames[i]} is not covered by the extension`);
    ratings[n + k] = Number.isNaN(events!.ratings[e]) ? clickRating : events!.ratings[e];
    if (ts) ts[n + k] = events!.ts[e] / 1000;
  });
  return makeInteractions({
    name: base.name, users, items, ratings, timestamps: ts, userIds, itemIds,
    itemMeta: extendItemMeta(base.itemMeta, ext.items.length), userMeta: extendUserMeta(base.userMeta, ext.users.length),
  });
}
