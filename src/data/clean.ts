/**
 * Cleaning as seed 003 did it on ml-100k (drop movies with fewer than 5 ratings, movies whose
 * only genre is "unknown", movies released before 1930), implicit conversion, and
 * re-densifying ids after rows are dropped. Every step returns a new Interactions; dense ids are
 * re-assigned in the same ascending raw-id order (rule 1 still holds), metadata follows.
 */
import { indexByUser } from './csr';
import { Interactions, makeInteractions, selectRows, subsetItemMeta, subsetUserMeta } from './dataset';

/** Genre names that mean "no genre" (ml-100k's "unknown", ml-latest's "(no genres listed)"). */
const NO_GENRE = new Set(['unknown', '(no genres listed)']);

/** Keeps the rows where keep[r] is 1 and re-densifies (ids without rows disappear). */
export function filterRows(data: Interactions, keep: Uint8Array, name = data.name): Interactions {
  return densify(selectRows(data, keep, name));
}

/**
 * Drops users and items that have no rows and renumbers the rest 0..n-1, keeping their order.
 * Needed after filtering so that models do not train embeddings for absent ids, and so that
 * the NCF negatives (drawn over 0..nItems-1) are real items.
 */
export function densify(data: Interactions): Interactions {
  const uMap = new Int32Array(data.nUsers).fill(-1), iMap = new Int32Array(data.nItems).fill(-1);
  for (let r = 0; r < data.length; r++) {
    uMap[data.users[r]] = 0;
    iMap[data.items[r]] = 0;
  }
  const keepU = renumber(uMap), keepI = renumber(iMap);
  if (keepU.length === data.nUsers && keepI.length === data.nItems) return data;
  const users = new Int32Array(data.length), items = new Int32Array(data.length);
  for (let r = 0; r < data.length; r++) {
    users[r] = uMap[data.users[r]];
    items[r] = iMap[data.items[r]];
  }
  return makeInteractions({
    name: data.name, users, items, ratings: data.ratings, timestamps: data.timestamps,
    userIds: data.userIds.subset(keepU), itemIds: data.itemIds.subset(keepI),
    itemMeta: data.itemMeta && subsetItemMeta(data.itemMeta, keepI),
    userMeta: data.userMeta && subsetUserMeta(data.userMeta, keepU),
  });
}

/** map[old] is 0 for kept ids, -1 otherwise; becomes old -> new. Returns the kept old ids. */
function renumber(map: Int32Array): Int32Array {
  let k = 0;
  for (let i = 0; i < map.length; i++) if (map[i] === 0) k++;
  const keep = new Int32Array(k);
  k = 0;
  for (let i = 0; i < map.length; i++) if (map[i] === 0) { keep[k] = i; map[i] = k++; }
  return keep;
}

function countsOf(ids: Int32Array, n: number): Int32Array {
  const c = new Int32Array(n);
  for (let r = 0; r < ids.length; r++) c[ids[r]]++;
  return c;
}

/** Drops items with fewer than `min` ratings (one pass, not iterated to a fixed point). */
export function dropRareItems(data: Interactions, min: number): Interactions {
  const c = countsOf(data.items, data.nItems);
  return filterRows(data, Uint8Array.from(data.items, (i) => (c[i] >= min ? 1 : 0)));
}

/** Drops users with fewer than `min` ratings. */
export function dropRareUsers(data: Interactions, min: number): Interactions {
  const c = countsOf(data.users, data.nUsers);
  return filterRows(data, Uint8Array.from(data.users, (u) => (c[u] >= min ? 1 : 0)));
}

function needItemMeta(data: Interactions, what: string): NonNullable<Interactions['itemMeta']> {
  if (!data.itemMeta) throw new Error(`${what}: ${data.name} has no item metadata (u.item / movies.dat / movies.csv was not loaded)`);
  return data.itemMeta;
}

/** Drops items with no genre, or whose only genres are "unknown" / "(no genres listed)". */
export function dropItemsWithoutGenre(data: Interactions): Interactions {
  const m = needItemMeta(data, 'dropItemsWithoutGenre');
  const ok = Uint8Array.from(m.genres, (g) => (g.some((x) => !NO_GENRE.has(x)) ? 1 : 0));
  return filterRows(data, Uint8Array.from(data.items, (i) => ok[i]));
}

/**
 * Drops items released before `year` (seed 003: 1930). Items of unknown year are kept unless
 * `dropUnknown` (an unknown date is not "before").
 */
export function dropItemsReleasedBefore(data: Interactions, year: number, dropUnknown = false): Interactions {
  const m = needItemMeta(data, 'dropItemsReleasedBefore');
  const ok = Uint8Array.from(m.year, (y) => (y === 0 ? (dropUnknown ? 0 : 1) : y >= year ? 1 : 0));
  return filterRows(data, Uint8Array.from(data.items, (i) => ok[i]));
}

export interface Seed003Options {
  /** Minimum ratings per item (5). */
  minRatings?: number;
  /** Earliest release year kept (1930). */
  minYear?: number;
}

/** Seed 003's cleaning, in its order, with what each step removed. */
export function cleanLikeSeed003(data: Interactions, opts: Seed003Options = {}): { data: Interactions; report: string[] } {
  const minRatings = opts.minRatings ?? 5, minYear = opts.minYear ?? 1930;
  const report: string[] = [];
  const step = (what: string, f: (d: Interactions) => Interactions) => {
    const before = data;
    data = f(data);
    report.push(`${what}: -${before.nItems - data.nItems} items, -${before.length - data.length} ratings, -${before.nUsers - data.nUsers} users`);
  };
  step(`items with fewer than ${minRatings} ratings`, (d) => dropRareItems(d, minRatings));
  step('items without a genre', dropItemsWithoutGenre);
  step(`items released before ${minYear}`, (d) => dropItemsReleasedBefore(d, minYear));
  return { data, report };
}

export interface ImplicitOptions {
  /** Keep only ratings >= threshold (e.g. 4); by default every interaction counts. */
  threshold?: number;
  /** Keep one row per (user, item) pair, the first (default true). */
  dedupe?: boolean;
}

/** Implicit feedback: the kept interactions get rating 1, the rest are dropped; re-densified. */
export function toImplicit(data: Interactions, opts: ImplicitOptions = {}): Interactions {
  const th = opts.threshold;
  const keep = new Uint8Array(data.length);
  for (let r = 0; r < data.length; r++) keep[r] = th === undefined || data.ratings[r] >= th ? 1 : 0;
  if (opts.dedupe ?? true) {
    // Per-user sorted lists put repeats of a pair side by side, earliest row first: O(rows).
    const ix = indexByUser(data.users, data.items, data.nUsers, data.nItems);
    for (let u = 0; u < data.nUsers; u++) {
      let last = -1;
      for (let p = ix.offsets[u]; p < ix.offsets[u + 1]; p++) {
        const r = ix.rows[p];
        if (!keep[r]) continue;
        if (ix.items[p] === last) keep[r] = 0;
        last = ix.items[p];
      }
    }
  }
  const d = filterRows(data, keep, `${data.name} implicit${th === undefined ? '' : ` (rating >= ${th})`}`);
  return makeInteractions({ ...d, ratings: new Float32Array(d.length).fill(1), itemMeta: d.itemMeta, userMeta: d.userMeta });
}
