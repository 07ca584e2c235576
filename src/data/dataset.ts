/**
 * The in-memory interaction table every loader returns and every split, sampler and model reads.
 *
 * Columnar typed arrays, one entry per rating, in the order of the source file (the NCF rule 2
 * tie-break, "the later line wins", depends on that order). 20M ratings take 4+4+4+8 = 20 bytes
 * a row, 400 MB for ml-20m. Dense ids are 0-based; `userIds`/`itemIds` map them back to the
 * files' raw ids.
 */
import { IdMap } from './ids';

/** Per-item side information, indexed by dense item id. */
export interface ItemMeta {
  /** Title as in the file ('' when unknown). */
  title: string[];
  /** Genre names per item ([] when none; MovieLens's "unknown" genre is kept as a name). */
  genres: string[][];
  /** Every genre name the source defines, in its order. */
  genreNames: string[];
  /** Release year (0 when unknown): ml-100k's release date, else the "(1995)" in the title. */
  year: Int16Array;
  /** Release month 1-12 (0 when unknown; only ml-100k has one). */
  month: Int8Array;
  /** GroupLens MovieID for NCF-format data joined through items.tsv (absent otherwise). */
  movieId?: Int32Array;
}

/** Per-user side information, indexed by dense user id. */
export interface UserMeta {
  /** Age in years (ml-100k) or the ml-1m age group's lower bound (1, 18, 25, 35, 45, 50, 56); 0 unknown. */
  age: Int16Array;
  /** 'M', 'F', or '' when unknown. */
  gender: string[];
  /** Occupation name (ml-1m codes are translated through its README's table); '' unknown. */
  occupation: string[];
  /** Zip code as written (not always numeric); '' unknown. */
  zip: string[];
}

/** The evaluation set an NCF-format folder ships with (movielens.py rule 6). */
export interface NcfFileSplit {
  /** Rows [0, trainRows) came from *.train.rating, the rest (one per user) from *.test.rating. */
  trainRows: number;
  /** Held-out item of user u (u = 0..nUsers-1, the order of *.test.rating). */
  testItems: Int32Array;
  /** nUsers × nNeg negatives from *.test.negative, row-major, exactly as in the file. */
  negatives: Int32Array;
  nNeg: number;
}

export interface Interactions {
  /** Where the data came from, for messages and reports (e.g. "ml-100k"). */
  readonly name: string;
  /** Number of rows (ratings). */
  readonly length: number;
  readonly nUsers: number;
  readonly nItems: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Rating values (1 for implicit data). */
  readonly ratings: Float32Array;
  /** Seconds since 1970, NaN where a row has none; null when the source has no timestamps. */
  readonly timestamps: Float64Array | null;
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  readonly itemMeta?: ItemMeta;
  readonly userMeta?: UserMeta;
  /** Present only for NCF-format data (loadNcf): the files' own test items and negatives. */
  readonly ncf?: NcfFileSplit;
}

export interface InteractionParts {
  name: string;
  users: Int32Array;
  items: Int32Array;
  ratings?: Float32Array;
  timestamps?: Float64Array | null;
  userIds: IdMap;
  itemIds: IdMap;
  itemMeta?: ItemMeta;
  userMeta?: UserMeta;
  ncf?: NcfFileSplit;
}

/** Builds an Interactions, checking that the columns agree and every id is in range. */
export function makeInteractions(p: InteractionParts): Interactions {
  const n = p.users.length;
  const nUsers = p.userIds.size, nItems = p.itemIds.size;
  const where = `${p.name}: `;
  if (p.items.length !== n) throw new Error(`${where}items has ${p.items.length} rows but users has ${n}`);
  const ratings = p.ratings ?? new Float32Array(n).fill(1);
  if (ratings.length !== n) throw new Error(`${where}ratings has ${ratings.length} rows but users has ${n}`);
  const ts = p.timestamps ?? null;
  if (ts && ts.length !== n) throw new Error(`${where}timestamps has ${ts.length} rows but users has ${n}`);
  for (let r = 0; r < n; r++) {
    const u = p.users[r], i = p.items[r];
    if (u < 0 || u >= nUsers) throw new Error(`${where}row ${r}: user ${u} out of range [0, ${nUsers})`);
    if (i < 0 || i >= nItems) throw new Error(`${where}row ${r}: item ${i} out of range [0, ${nItems})`);
  }
  if (p.itemMeta && p.itemMeta.title.length !== nItems) throw new Error(`${where}itemMeta has ${p.itemMeta.title.length} items, expected ${nItems}`);
  if (p.userMeta && p.userMeta.gender.length !== nUsers) throw new Error(`${where}userMeta has ${p.userMeta.gender.length} users, expected ${nUsers}`);
  const out: Interactions = {
    name: p.name, length: n, nUsers, nItems,
    users: p.users, items: p.items, ratings, timestamps: ts,
    userIds: p.userIds, itemIds: p.itemIds,
  };
  const o = out as { -readonly [K in keyof Interactions]: Interactions[K] };
  if (p.itemMeta) o.itemMeta = p.itemMeta;
  if (p.userMeta) o.userMeta = p.userMeta;
  if (p.ncf) o.ncf = p.ncf;
  return out;
}

/**
 * The rows selected by `rows` (row indices, in the order given) or by a 0/1 mask, with the same
 * id maps and metadata (so dense ids stay comparable across splits). The NCF file split is not
 * carried over: it describes the whole table.
 */
export function selectRows(data: Interactions, rows: Int32Array | Uint8Array, name = data.name): Interactions {
  let idx: Int32Array;
  if (rows instanceof Uint8Array) {
    if (rows.length !== data.length) throw new Error(`selectRows: mask has ${rows.length} entries but ${data.name} has ${data.length} rows`);
    let k = 0;
    for (let r = 0; r < rows.length; r++) if (rows[r]) k++;
    idx = new Int32Array(k);
    k = 0;
    for (let r = 0; r < rows.length; r++) if (rows[r]) idx[k++] = r;
  } else {
    idx = rows;
  }
  const m = idx.length;
  const users = new Int32Array(m), items = new Int32Array(m), ratings = new Float32Array(m);
  const ts = data.timestamps ? new Float64Array(m) : null;
  for (let k = 0; k < m; k++) {
    const r = idx[k];
    if (!(r >= 0 && r < data.length)) throw new Error(`selectRows: row ${r} out of range [0, ${data.length})`);
    users[k] = data.users[r];
    items[k] = data.items[r];
    ratings[k] = data.ratings[r];
    if (ts) ts[k] = data.timestamps![r];
  }
  const out: Interactions = {
    name, length: m, nUsers: data.nUsers, nItems: data.nItems, users, items, ratings, timestamps: ts,
    userIds: data.userIds, itemIds: data.itemIds,
  };
  const o = out as { -readonly [K in keyof Interactions]: Interactions[K] };
  if (data.itemMeta) o.itemMeta = data.itemMeta;
  if (data.userMeta) o.userMeta = data.userMeta;
  return out;
}

/** Empty metadata tables of the right sizes, for loaders to fill. */
export function emptyItemMeta(n: number, genreNames: string[] = []): ItemMeta {
  return {
    title: new Array<string>(n).fill(''),
    genres: Array.from({ length: n }, () => [] as string[]),
    genreNames,
    year: new Int16Array(n),
    month: new Int8Array(n),
  };
}

export function emptyUserMeta(n: number): UserMeta {
  return {
    age: new Int16Array(n),
    gender: new Array<string>(n).fill(''),
    occupation: new Array<string>(n).fill(''),
    zip: new Array<string>(n).fill(''),
  };
}

/** Metadata restricted to the dense ids in `keep` (ascending), for re-densified data. */
export function subsetItemMeta(m: ItemMeta, keep: Int32Array): ItemMeta {
  const out: ItemMeta = {
    title: Array.from(keep, (i) => m.title[i]),
    genres: Array.from(keep, (i) => m.genres[i]),
    genreNames: m.genreNames,
    year: Int16Array.from(keep, (i) => m.year[i]),
    month: Int8Array.from(keep, (i) => m.month[i]),
  };
  if (m.movieId) out.movieId = Int32Array.from(keep, (i) => m.movieId![i]);
  return out;
}

export function subsetUserMeta(m: UserMeta, keep: Int32Array): UserMeta {
  return {
    age: Int16Array.from(keep, (i) => m.age[i]),
    gender: Array.from(keep, (i) => m.gender[i]),
    occupation: Array.from(keep, (i) => m.occupation[i]),
    zip: Array.from(keep, (i) => m.zip[i]),
  };
}
