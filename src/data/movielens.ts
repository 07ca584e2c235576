/**
 * Loaders for GroupLens's MovieLens releases, each in its own format:
 *   ml-100k          u.data (tab: user item rating timestamp), u.item, u.user, u.genre
 *   ml-1m            ratings.dat, movies.dat, users.dat ('::'-separated, Latin-1)
 *   ml-latest-small  ratings.csv, movies.csv (UTF-8 CSV with a header, quoted titles)
 * Rows keep file order; dense ids are ascending raw ids (NCF rule 1). Metadata files are
 * optional; a metadata line whose id has no rating is not part of the data set and is passed
 * over (GroupLens lists movies nobody rated); every malformed line throws with file, line, field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Interactions, ItemMeta, UserMeta, emptyItemMeta, emptyUserMeta } from './dataset';
import { RawRatings, withMeta } from './raw_ratings';
import { LineScanner } from './scan';
import { chunkScanners } from './chunked_scan';

/** ml-100k's 19 genres, used when u.genre is absent. */
export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama',
  'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

/** ml-1m's 18 genres (its README), in that order. */
export const ML1M_GENRES = ML100K_GENRES.slice(1);

/** ml-1m users.dat occupation codes 0-20 (its README). */
export const ML1M_OCCUPATIONS = [
  'other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student', 'customer service',
  'doctor/health care', 'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer', 'programmer',
  'retired', 'sales/marketing', 'scientist', 'self-employed', 'technician/engineer', 'tradesman/craftsman',
  'unemployed', 'writer',
];

const ML1M_AGES = new Set([1, 18, 25, 35, 45, 50, 56]);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Toy Story (1995)" -> 1995; 0 when the title carries no year. */
export function yearFromTitle(title: string): number {
  const m = /\((\d{4})(?:[-–]\d{0,4})?\)\s*$/.exec(title);
  return m ? Number(m[1]) : 0;
}

function checkDir(dir: string, what: string): void {
  if (!fs.existsSync(dir)) throw new Error(`${what}: folder ${dir} not found`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${what}: ${dir} is not a folder`);
}

function rating(sc: LineScanner, r: number): number {
  if (!(r > 0 && r <= 10)) sc.fail(`rating "${r}" is out of range (expected 0 < rating <= 10)`);
  return r;
}

/** Reads `user SEP item SEP rating SEP timestamp` lines (u.data, ratings.dat). */
function readRatingLines(file: string, sep: string, expected: string): RawRatings {
  let raw: RawRatings | null = null;
  const layout = `4 fields separated by "${sep === '\t' ? '\\t' : sep}" (user item rating timestamp)`;
  for (const { sc, estimatedLines } of chunkScanners(file, expected, { sep, encoding: 'latin1' })) {
    raw ??= new RawRatings(estimatedLines);
    while (sc.nextLine()) {
      const u = sc.id('user id'), i = sc.id('item id');
      const r = rating(sc, sc.num('rating'));
      const t = sc.num('timestamp');
      sc.finish(layout);
      raw.push(u, i, r, t);
    }
  }
  raw ??= new RawRatings(0);
  if (raw.length === 0) throw new Error(`${file}: no ratings (the file is empty)`);
  return raw;
}

// ---------------------------------------------------------------------------------- ml-100k

/** Loads GroupLens's ml-100k folder: u.data (required), u.item, u.user, u.genre (optional). */
export function loadMl100k(dir: string, name = 'ml-100k'): Interactions {
  checkDir(dir, name);
  const raw = readRatingLines(path.join(dir, 'u.data'), '\t', 'the ml-100k ratings file u.data (tab-separated: user item rating timestamp)');
  let { data } = raw.toInteractions(name);
  const genreFile = path.join(dir, 'u.genre');
  const genres = fs.existsSync(genreFile) ? readMl100kGenres(genreFile) : ML100K_GENRES;
  const itemFile = path.join(dir, 'u.item');
  const userFile = path.join(dir, 'u.user');
  const itemMeta = fs.existsSync(itemFile) ? readMl100kItems(itemFile, data, genres) : undefined;
  const userMeta = fs.existsSync(userFile) ? readMl100kUsers(userFile, data) : undefined;
  if (itemMeta || userMeta) data = withMeta(data, itemMeta, userMeta);
  return data;
}

function readMl100kGenres(file: string): string[] {
  const sc = LineScanner.open(file, 'ml-100k genre names (name|index)', { sep: '|', encoding: 'latin1' });
  const names: string[] = [];
  while (sc.nextLine()) {
    const name = sc.text('genre name'), idx = sc.int('genre index');
    sc.finish('2 pipe-separated fields (name|index)');
    if (idx !== names.length) sc.fail(`genre index "${idx}" out of order (expected ${names.length})`);
    names.push(name);
  }
  return names;
}

function readMl100kItems(file: string, data: Interactions, genres: string[]): ItemMeta {
  const sc = LineScanner.open(file, 'ml-100k movie information u.item', { sep: '|', encoding: 'latin1' });
  const meta = emptyItemMeta(data.nItems, genres);
  const layout = `${5 + genres.length} pipe-separated fields (id|title|release date|video release date|url|${genres.length} genre flags)`;
  while (sc.nextLine()) {
    const id = sc.id('movie id');
    const title = sc.text('title');
    const date = sc.text('release date');
    sc.skip('video release date');
    sc.skip('IMDb url');
    const g: string[] = [];
    for (let k = 0; k < genres.length; k++) {
      const f = sc.int(`genre flag ${genres[k]}`);
      if (f !== 0 && f !== 1) sc.fail(`genre flag ${genres[k]} "${f}" is not 0 or 1`);
      if (f) g.push(genres[k]);
    }
    sc.finish(layout);
    const i = data.itemIds.dense(id);
    if (i < 0) continue; // a movie nobody rated is not part of the data set
    meta.title[i] = title;
    meta.genres[i] = g;
    if (date !== '') {
      const m = /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4})$/.exec(date);
      const month = m ? MONTHS.indexOf(m[2]) + 1 : 0;
      if (!m || month === 0) throw sc.err(`release date "${date}" is not like 01-Jan-1995`);
      meta.year[i] = Number(m[3]);
      meta.month[i] = month;
    }
  }
  return meta;
}

function readMl100kUsers(file: string, data: Interactions): UserMeta {
  const sc = LineScanner.open(file, 'ml-100k user information u.user', { sep: '|', encoding: 'latin1' });
  const meta = emptyUserMeta(data.nUsers);
  while (sc.nextLine()) {
    const id = sc.id('user id'), age = sc.int('age'), gender = sc.text('gender');
    const occupation = sc.text('occupation'), zip = sc.text('zip code');
    sc.finish('5 pipe-separated fields (id|age|gender|occupation|zip)');
    if (age < 0 || age > 150) sc.fail(`age "${age}" is out of range`);
    if (gender !== 'M' && gender !== 'F') sc.fail(`gender "${gender}" is not M or F`);
    const u = data.userIds.dense(id);
    if (u < 0) continue;
    meta.age[u] = age;
    meta.gender[u] = gender;
    meta.occupation[u] = occupation;
    meta.zip[u] = zip;
  }
  return meta;
}

// ------------------------------------------------------------------------------------ ml-1m

/** Loads GroupLens's ml-1m folder: ratings.dat (required), movies.dat, users.dat (optional). */
export function loadMl1m(dir: string, name = 'ml-1m'): Interactions {
  checkDir(dir, name);
  const ratingsFile = path.join(dir, 'ratings.dat');
  if (!fs.existsSync(ratingsFile)) {
    throw new Error(
      `${ratingsFile} not found: expected GroupLens's ml-1m ratings (UserID::MovieID::Rating::Timestamp). ` +
        `Download https://files.grouplens.org/datasets/movielens/ml-1m.zip and unzip it there, ` +
        `or use the data set "ml-1m-ncf" (all 1,000,209 ratings in the NCF authors' files).`,
    );
  }
  const raw = readRatingLines(ratingsFile, '::', "ml-1m ratings (UserID::MovieID::Rating::Timestamp)");
  const { data } = raw.toInteractions(name);
  const movies = path.join(dir, 'movies.dat'), users = path.join(dir, 'users.dat');
  const itemMeta = fs.existsSync(movies) ? readMl1mMovies(movies, (id) => data.itemIds.dense(id), data.nItems) : undefined;
  const userMeta = fs.existsSync(users) ? readMl1mUsers(users, (id) => data.userIds.dense(id), data.nUsers) : undefined;
  return itemMeta || userMeta ? withMeta(data, itemMeta, userMeta) : data;
}

/** movies.dat (MovieID::Title::Genres); `dense` maps a MovieID to a dense item (-1: skip). */
export function readMl1mMovies(file: string, dense: (movieId: number) => number, nItems: number): ItemMeta {
  const sc = LineScanner.open(file, 'ml-1m movies.dat (MovieID::Title::Genres, Latin-1)', { sep: '::', encoding: 'latin1' });
  const names = ML1M_GENRES.slice();
  const meta = emptyItemMeta(nItems, names);
  while (sc.nextLine()) {
    const id = sc.id('MovieID'), title = sc.text('title'), genres = sc.text('genres');
    sc.finish('3 fields separated by "::" (MovieID::Title::Genres)');
    const i = dense(id);
    if (i < 0) continue;
    meta.title[i] = title;
    meta.year[i] = yearFromTitle(title);
    meta.genres[i] = splitGenres(genres, names);
  }
  return meta;
}

/** "A|B" -> ['A','B'], adding unseen names to the vocabulary; "(no genres listed)" -> []. */
function splitGenres(s: string, names: string[]): string[] {
  if (s === '' || s === '(no genres listed)') return [];
  const g = s.split('|');
  for (const x of g) if (!names.includes(x)) names.push(x);
  return g;
}

/** users.dat (UserID::Gender::Age::Occupation::Zip-code); `dense` maps a UserID (-1: skip). */
export function readMl1mUsers(file: string, dense: (userId: number) => number, nUsers: number): UserMeta {
  const sc = LineScanner.open(file, 'ml-1m users.dat (UserID::Gender::Age::Occupation::Zip-code)', { sep: '::', encoding: 'latin1' });
  const meta = emptyUserMeta(nUsers);
  while (sc.nextLine()) {
    const id = sc.id('UserID'), gender = sc.text('gender'), age = sc.int('age'), occ = sc.int('occupation'), zip = sc.text('zip code');
    sc.finish('5 fields separated by "::" (UserID::Gender::Age::Occupation::Zip-code)');
    if (gender !== 'M' && gender !== 'F') sc.fail(`gender "${gender}" is not M or F`);
    if (!ML1M_AGES.has(age)) sc.fail(`age "${age}" is not one of ml-1m's age groups 1, 18, 25, 35, 45, 50, 56`);
    if (occ < 0 || occ >= ML1M_OCCUPATIONS.length) sc.fail(`occupation "${occ}" is not a code 0-20`);
    const u = dense(id);
    if (u < 0) continue;
    meta.gender[u] = gender;
    meta.age[u] = age;
    meta.occupation[u] = ML1M_OCCUPATIONS[occ];
    meta.zip[u] = zip;
  }
  return meta;
}

// --------------------------------------------------------------------------- ml-latest-small

/** Loads GroupLens's ml-latest-small (or ml-latest, ml-20m/25m: same CSV layout) folder. */
export function loadMlLatestSmall(dir: string, name = 'ml-latest-small'): Interactions {
  checkDir(dir, name);
  const file = path.join(dir, 'ratings.csv');
  let raw: RawRatings | null = null;
  const expected = 'the ratings file ratings.csv (header userId,movieId,rating,timestamp)';
  for (const { sc, estimatedLines } of chunkScanners(file, expected, { sep: ',', encoding: 'utf8', quotes: true })) {
    if (!raw) {
      expectHeader(sc, ['userId', 'movieId', 'rating', 'timestamp']);
      raw = new RawRatings(estimatedLines);
    }
    while (sc.nextLine()) {
      const u = sc.id('userId'), i = sc.id('movieId');
      const r = rating(sc, sc.num('rating'));
      const t = sc.num('timestamp');
      sc.finish('4 comma-separated fields (userId,movieId,rating,timestamp)');
      raw.push(u, i, r, t);
    }
  }
  raw ??= new RawRatings(0);
  if (raw.length === 0) throw new Error(`${file}: no ratings (only a header)`);
  const { data } = raw.toInteractions(name);
  const movies = path.join(dir, 'movies.csv');
  if (!fs.existsSync(movies)) return data;
  const ms = LineScanner.open(movies, 'movies.csv (movieId,title,genres)', { sep: ',', encoding: 'utf8', quotes: true });
  expectHeader(ms, ['movieId', 'title', 'genres']);
  const names: string[] = [];
  const meta = emptyItemMeta(data.nItems, names);
  while (ms.nextLine()) {
    const id = ms.id('movieId'), title = ms.text('title'), genres = ms.text('genres');
    ms.finish('3 comma-separated fields (movieId,title,genres); quote a title that has a comma');
    const i = data.itemIds.dense(id);
    if (i < 0) continue;
    meta.title[i] = title;
    meta.year[i] = yearFromTitle(title.trim());
    meta.genres[i] = splitGenres(genres, names);
  }
  return withMeta(data, meta);
}

function expectHeader(sc: LineScanner, cols: string[]): void {
  if (!sc.nextLine()) throw new Error(`${sc.path}: empty file, expected the header ${cols.join(',')}`);
  const got: string[] = [];
  while (sc.hasField()) got.push(sc.text('header'));
  if (got.join(',') !== cols.join(',')) sc.fail(`header "${got.join(',')}" is not "${cols.join(',')}"`);
}
