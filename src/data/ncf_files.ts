/**
 * Loader for the NCF authors' file format (He et al. 2017; the ml-1m-ncf folder):
 *   NAME.train.rating   user \t item \t rating [\t timestamp]     ids already dense, 0-based
 *   NAME.test.rating    the same, one line per user in user order: the held-out item
 *   NAME.test.negative  (user,item) \t neg1 \t ... \t negK            the sampled negatives
 * and, for ml-1m-ncf, items.tsv (item \t movie_id) joined with ../ml-1m/movies.dat for titles
 * and genres, and ../ml-1m/users.dat for demographics (NCF user u = GroupLens UserID u + 1).
 *
 * The rows are train lines then test lines (as movielens.py concatenates them); `data.ncf` keeps
 * the files' evaluation set (rule 6), which ncfEvalSet() uses instead of resampling.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Interactions, ItemMeta, UserMeta, makeInteractions } from './dataset';
import { IdMap } from './ids';
import { readMl1mMovies, readMl1mUsers } from './movielens';
import { LineScanner, countLines, readFileOrThrow } from './scan';

/** The NAME of the first NAME.test.negative in dir (sorted, as movielens.py picks it), or null. */
export function findNcfName(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const f = fs.readdirSync(dir).filter((x) => x.endsWith('.test.negative')).sort();
  return f.length ? f[0].slice(0, -'.test.negative'.length) : null;
}

interface Table {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  timestamps: Float64Array;
  length: number;
  hasTime: boolean;
}

function readRatingTable(file: string, what: string): Table {
  const buf = readFileOrThrow(file, what);
  const sc = new LineScanner(buf, file, { sep: '\t', encoding: 'latin1' });
  const cap = countLines(buf);
  const t: Table = {
    users: new Int32Array(cap), items: new Int32Array(cap), ratings: new Float32Array(cap),
    timestamps: new Float64Array(cap), length: 0, hasTime: false,
  };
  while (sc.nextLine()) {
    const u = sc.id('user'), i = sc.id('item'), r = sc.num('rating');
    let ts = NaN;
    if (sc.hasField()) {
      ts = sc.num('timestamp');
      t.hasTime = true;
    }
    sc.finish('3 or 4 tab-separated fields (user item rating [timestamp])');
    if (u < 0 || u > 0x7fffffff) sc.fail(`user "${u}" is not a non-negative dense id`);
    if (i < 0 || i > 0x7fffffff) sc.fail(`item "${i}" is not a non-negative dense id`);
    const k = t.length++;
    t.users[k] = u;
    t.items[k] = i;
    t.ratings[k] = r;
    t.timestamps[k] = ts;
  }
  return t;
}

/**
 * Loads DIR/NAME.{train.rating,test.rating,test.negative} (NAME defaults to the one file set
 * found in DIR). The data set is named after the folder (e.g. "ml-1m-ncf").
 */
export function loadNcf(dir: string, name?: string): Interactions {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`NCF data: folder ${dir} not found`);
  const stem = name ?? findNcfName(dir);
  if (!stem) {
    throw new Error(`NCF data: no *.test.negative in ${dir}: expected the NCF authors' files NAME.train.rating, NAME.test.rating, NAME.test.negative`);
  }
  const base = path.join(dir, stem);
  const train = readRatingTable(`${base}.train.rating`, 'the NCF training file (tab-separated: user item rating [timestamp])');
  const test = readRatingTable(`${base}.test.rating`, 'the NCF test file (tab-separated: user item rating [timestamp], one line per user)');
  const negFile = `${base}.test.negative`;
  const nUsersTest = test.length;

  // Test lines are users 0..n-1 in order (the NCF evaluation indexes them by line).
  for (let k = 0; k < nUsersTest; k++) {
    if (test.users[k] !== k) throw new Error(`${base}.test.rating line ${k + 1}: user "${test.users[k]}" is not ${k} (test lines must list users 0, 1, 2, ... in order)`);
  }

  // Negatives: "(user,item)" then K items; every line must have the same K.
  const nbuf = readFileOrThrow(negFile, 'the NCF negatives file ((user,item) then the sampled items, tab-separated)');
  const sc = new LineScanner(nbuf, negFile, { sep: '\t', encoding: 'latin1' });
  let nNeg = -1, k = 0;
  let negatives = new Int32Array(0);
  while (sc.nextLine()) {
    const head = sc.text('(user,item)');
    const m = /^\((0|[1-9]\d*),(0|[1-9]\d*)\)$/.exec(head);
    if (!m) throw sc.err(`(user,item) "${head}" is not like (0,25)`);
    if (k >= nUsersTest) sc.fail(`more negative lines than the ${nUsersTest} users of ${stem}.test.rating`);
    if (Number(m[1]) !== k || Number(m[2]) !== test.items[k]) {
      sc.fail(`(user,item) "${head}" does not match line ${k + 1} of ${stem}.test.rating (${k},${test.items[k]})`);
    }
    if (nNeg < 0) {
      nNeg = sc.countFields() - 1;
      if (nNeg < 1) sc.fail('no negatives after (user,item)');
      negatives = new Int32Array(nUsersTest * nNeg);
    }
    for (let j = 0; j < nNeg; j++) {
      const v = sc.id(`negative ${j + 1}`);
      if (v < 0) sc.fail(`negative ${j + 1} "${v}" is not a non-negative item id`);
      negatives[k * nNeg + j] = v;
    }
    sc.finish(`(user,item) and ${nNeg} negatives, tab-separated (as on the first line)`);
    k++;
  }
  if (k !== nUsersTest) throw new Error(`${negFile}: ${k} lines, but ${stem}.test.rating has ${nUsersTest} (one per user)`);

  // Sizes as movielens.py computes them: users from the test file, items from every id seen.
  let nUsers = nUsersTest, nItems = 0;
  for (const t of [train, test]) {
    for (let r = 0; r < t.length; r++) {
      if (t.items[r] >= nItems) nItems = t.items[r] + 1;
      if (t.users[r] >= nUsers) {
        throw new Error(`${base}.train.rating: user ${t.users[r]} has no line in ${stem}.test.rating (${nUsersTest} users)`);
      }
    }
  }
  for (let j = 0; j < negatives.length; j++) if (negatives[j] >= nItems) nItems = negatives[j] + 1;

  const n = train.length + test.length;
  const users = new Int32Array(n), items = new Int32Array(n), ratings = new Float32Array(n);
  users.set(train.users.subarray(0, train.length)); users.set(test.users.subarray(0, test.length), train.length);
  items.set(train.items.subarray(0, train.length)); items.set(test.items.subarray(0, test.length), train.length);
  ratings.set(train.ratings.subarray(0, train.length)); ratings.set(test.ratings.subarray(0, test.length), train.length);
  let timestamps: Float64Array | null = null;
  if (train.hasTime || test.hasTime) {
    timestamps = new Float64Array(n);
    timestamps.set(train.timestamps.subarray(0, train.length));
    timestamps.set(test.timestamps.subarray(0, test.length), train.length);
  }
  const { itemMeta, userMeta } = ncfMeta(dir, nItems, nUsers);
  return makeInteractions({
    name: path.basename(path.resolve(dir)),
    users, items, ratings, timestamps,
    userIds: IdMap.identity(nUsers), itemIds: IdMap.identity(nItems),
    itemMeta, userMeta,
    ncf: { trainRows: train.length, testItems: test.items.slice(0, test.length), negatives, nNeg },
  });
}

/** Titles, genres and demographics for ml-1m-ncf, when items.tsv and ../ml-1m are present. */
function ncfMeta(dir: string, nItems: number, nUsers: number): { itemMeta?: ItemMeta; userMeta?: UserMeta } {
  const out: { itemMeta?: ItemMeta; userMeta?: UserMeta } = {};
  const itemsTsv = path.join(dir, 'items.tsv');
  const ml1m = path.join(dir, '..', 'ml-1m');
  if (fs.existsSync(itemsTsv)) {
    const sc = LineScanner.open(itemsTsv, 'items.tsv (item \\t movie_id)', { sep: '\t', encoding: 'latin1' });
    const movieId = new Int32Array(nItems).fill(-1);
    const byMovie = new Map<number, number>();
    while (sc.nextLine()) {
      if (sc.line === 1 && sc.lineText().startsWith('item')) continue; // header
      const i = sc.id('item'), m = sc.id('movie_id');
      sc.finish('2 tab-separated fields (item movie_id)');
      if (i < 0 || i >= nItems) sc.fail(`item "${i}" is not an item of the rating files (0..${nItems - 1})`);
      if (movieId[i] >= 0) sc.fail(`item "${i}" listed twice`);
      movieId[i] = m;
      byMovie.set(m, i);
    }
    const movies = path.join(ml1m, 'movies.dat');
    if (fs.existsSync(movies)) {
      out.itemMeta = readMl1mMovies(movies, (id) => byMovie.get(id) ?? -1, nItems);
    } else {
      out.itemMeta = { title: new Array(nItems).fill(''), genres: Array.from({ length: nItems }, () => []), genreNames: [], year: new Int16Array(nItems), month: new Int8Array(nItems) };
    }
    out.itemMeta.movieId = movieId;
  }
  const users = path.join(ml1m, 'users.dat');
  if (fs.existsSync(users)) out.userMeta = readMl1mUsers(users, (id) => (id >= 1 && id <= nUsers ? id - 1 : -1), nUsers);
  return out;
}
