/** Loaders: each format on small fixtures, metadata joins, and every malformed-line error. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { loadMl100k, loadMl1m, loadMlLatestSmall } from '../../src/data/movielens';
import { loadNcf } from '../../src/data/ncf_files';
import { loadCsv } from '../../src/data/csv';
import { loadMl100kSplit } from '../../src/data/rating_split';
import { fixtureDir, realData } from './helpers';

const GENRES = 'unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren\'s|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n';
const flags = (...on: number[]) => Array.from({ length: 19 }, (_, k) => (on.includes(k) ? 1 : 0)).join('|');

function ml100k(files: Record<string, string> = {}): string {
  return fixtureDir({
    'u.data': '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n196\t302\t4\t881250950\n',
    'u.item': `242|Kolya (1996)|24-Jan-1997||http://x|${flags(5)}\n302|L.A. Confidential (1997)|01-Jan-1997||http://x|${flags(6, 10, 13, 16)}\n` +
      `377|Caf\u00e9 Society (1995)|4-Feb-1995||http://x|${flags(4, 5)}\n999|Nobody Rated This (1990)|01-Jan-1990||http://x|${flags(8)}\n`,
    'u.user': '22|25|M|writer|40206\n186|39|F|executive|00000\n196|49|M|writer|55105\n500|30|F|other|T8H1N\n',
    'u.genre': GENRES,
    ...files,
  }, 'latin1');
}

function throwsWith(fn: () => unknown, ...parts: Array<string | RegExp>): void {
  try {
    fn();
  } catch (e) {
    const msg = (e as Error).message;
    for (const p of parts) {
      if (typeof p === 'string' ? !msg.includes(p) : !p.test(msg)) assert.unreachable(`message ${JSON.stringify(msg)} lacks ${p}`);
    }
    return;
  }
  assert.unreachable('expected an error');
}

test('ml-100k: rows in file order, dense ids ascending raw, Latin-1 metadata', () => {
  const d = loadMl100k(ml100k());
  assert.is(d.length, 4);
  assert.is(d.nUsers, 3);
  assert.is(d.nItems, 3);
  assert.equal(d.userIds.toArray(), [22, 186, 196]);
  assert.equal(d.itemIds.toArray(), [242, 302, 377]);
  assert.equal(Array.from(d.users), [2, 1, 0, 2]);
  assert.equal(Array.from(d.items), [0, 1, 2, 1]);
  assert.equal(Array.from(d.ratings), [3, 3, 1, 4]);
  assert.equal(Array.from(d.timestamps!), [881250949, 891717742, 878887116, 881250950]);
  assert.is(d.userIds.dense(196), 2);
  assert.is(d.userIds.dense('186'), 1);
  assert.is(d.userIds.dense(500), -1, 'a user without ratings is not in the data');
  const m = d.itemMeta!;
  assert.is(m.title[2], 'Caf\u00e9 Society (1995)');
  assert.equal(m.genres[1], ['Crime', 'Film-Noir', 'Mystery', 'Thriller']);
  assert.equal(m.genres[2], ["Children's", 'Comedy']);
  assert.is(m.year[0], 1997);
  assert.is(m.month[0], 1);
  assert.is(m.month[2], 2);
  assert.is(m.genreNames.length, 19);
  const um = d.userMeta!;
  assert.equal([um.age[0], um.gender[0], um.occupation[0], um.zip[0]], [25, 'M', 'writer', '40206']);
  assert.is(um.zip[1], '00000');
});

test('ml-100k: metadata files are optional; CRLF and trailing blank lines are fine', () => {
  const dir = fixtureDir({ 'u.data': '1\t10\t5\t100\r\n2\t10\t4\t200\r\n\r\n\n' });
  const d = loadMl100k(dir);
  assert.is(d.length, 2);
  assert.is(d.itemMeta, undefined);
  assert.equal(Array.from(d.ratings), [5, 4]);
});

test('ml-100k: every malformed line names file, line and field', () => {
  const bad = (data: string) => () => loadMl100k(fixtureDir({ 'u.data': data }));
  throwsWith(bad('1\t2\t3\t4\n1\t3\tx\t5\n'), 'u.data line 2: rating "x" is not a number');
  throwsWith(bad('1\t2\t3\n'), 'u.data line 1: missing timestamp');
  throwsWith(bad('1\t2\t3\t4\t5\n'), 'u.data line 1: expected 4 fields', 'found 5 fields');
  throwsWith(bad('a\t2\t3\t4\n'), 'u.data line 1: user id "a" is not a decimal integer id');
  throwsWith(bad('1\t2.5\t3\t4\n'), 'u.data line 1: item id "2.5" is not a decimal integer id');
  throwsWith(bad('1\t2\t3\t4\n\n1\t3\t3\t4\n'), 'u.data line 2: blank line');
  throwsWith(bad('1\t2\t0\t4\n'), 'u.data line 1: rating "0" is out of range');
  throwsWith(bad('1\t2\t3\t\n'), 'u.data line 1: timestamp "" is not a number');
  throwsWith(bad(''), 'u.data: no ratings');
  throwsWith(() => loadMl100k(ml100k({ 'u.item': `242|Kolya (1996)|24-Jan-1997||http://x|${flags(5).replace(/1/, '2')}\n` })),
    'u.item line 1: genre flag Comedy "2" is not 0 or 1');
  throwsWith(() => loadMl100k(ml100k({ 'u.item': `242|Kolya (1996)|1997-01-24||http://x|${flags(5)}\n` })),
    'u.item line 1: release date "1997-01-24" is not like 01-Jan-1995');
  throwsWith(() => loadMl100k(ml100k({ 'u.item': `242|Kolya (1996)|24-Jan-1997||http://x|0|1\n` })), 'u.item line 1: missing genre flag Adventure');
  throwsWith(() => loadMl100k(ml100k({ 'u.user': '22|25|X|writer|40206\n' })), 'u.user line 1: gender "X" is not M or F');
  throwsWith(() => loadMl100k(ml100k({ 'u.genre': 'unknown|0\nAction|2\n' })), 'u.genre line 2: genre index "2" out of order');
});

test('missing folders and files name the path and what was expected', () => {
  const dir = fixtureDir({ 'README': 'x' });
  throwsWith(() => loadMl100k(dir), path.join(dir, 'u.data'), 'not found', 'expected', 'tab-separated');
  throwsWith(() => loadMl100k(path.join(dir, 'nope')), 'ml-100k: folder', 'not found');
  throwsWith(() => loadMl1m(dir), path.join(dir, 'ratings.dat'), 'ml-1m.zip', 'ml-1m-ncf');
  throwsWith(() => loadMlLatestSmall(dir), path.join(dir, 'ratings.csv'), 'not found');
  throwsWith(() => loadNcf(dir), 'no *.test.negative', dir);
});

test('ml-1m: "::" files, Latin-1 titles, genres, age groups and occupation names', () => {
  const dir = fixtureDir({
    'ratings.dat': '1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n',
    'movies.dat': "661::James and the Giant Peach (1996)::Animation|Children's|Musical\n1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n2000::Unrated (1990)::Comedy\n3::Ma vie en rose (Ma vie en r\u00e9) (1997)::Comedy\n",
    'users.dat': '1::F::1::10::48067\n2::M::56::16::70072\n',
  }, 'latin1');
  const d = loadMl1m(dir);
  assert.is(d.name, 'ml-1m');
  assert.equal(d.itemIds.toArray(), [661, 1193]);
  assert.equal(Array.from(d.items), [1, 0, 1]);
  assert.is(d.itemMeta!.title[1], "One Flew Over the Cuckoo's Nest (1975)");
  assert.is(d.itemMeta!.year[1], 1975);
  assert.equal(d.itemMeta!.genres[0], ['Animation', "Children's", 'Musical']);
  assert.equal([d.userMeta!.gender[0], d.userMeta!.age[0], d.userMeta!.occupation[0]], ['F', 1, 'K-12 student']);
  assert.is(d.userMeta!.occupation[1], 'self-employed');
  throwsWith(() => loadMl1m(fixtureDir({ 'ratings.dat': '1::1193::5::978300760\n1:661::3::978302109\n' })), 'ratings.dat line 2: user id "1:661" is not a decimal integer id');
  throwsWith(() => loadMl1m(fixtureDir({ 'ratings.dat': '1::1::5::9\n', 'users.dat': '1::F::19::10::48067\n' })), 'users.dat line 1: age "19" is not one of');
  throwsWith(() => loadMl1m(fixtureDir({ 'ratings.dat': '1::1::5::9\n', 'users.dat': '1::F::18::21::48067\n' })), 'users.dat line 1: occupation "21"');
  throwsWith(() => loadMl1m(fixtureDir({ 'ratings.dat': '1::1::5::9\n', 'movies.dat': '1::Title::Drama::extra\n' })), 'movies.dat line 1: expected 3 fields');
});

test('ml-latest-small: header, half stars, quoted titles with commas and quotes', () => {
  const dir = fixtureDir({
    'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,11,0.5,964982224\n',
    'movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n' +
      '3,"American President, The (1995)",Comedy|Drama|Romance\n11,"Crazy ""Quotes"", The (2001)",(no genres listed)\n',
  });
  const d = loadMlLatestSmall(dir);
  assert.equal(Array.from(d.ratings), [4, 4.5, 0.5]);
  assert.is(d.itemMeta!.title[1], 'American President, The (1995)');
  assert.is(d.itemMeta!.title[2], 'Crazy "Quotes", The (2001)');
  assert.equal(d.itemMeta!.genres[2], []);
  assert.is(d.itemMeta!.year[2], 2001);
  assert.equal(d.itemMeta!.genres[1], ['Comedy', 'Drama', 'Romance']);
  throwsWith(() => loadMlLatestSmall(fixtureDir({ 'ratings.csv': 'user,movieId,rating,timestamp\n1,1,4,5\n' })), 'ratings.csv line 1: header "user,movieId,rating,timestamp"');
  throwsWith(() => loadMlLatestSmall(fixtureDir({ 'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4,5\n1,2,four,5\n' })), 'ratings.csv line 3: rating "four" is not a number');
  throwsWith(() => loadMlLatestSmall(fixtureDir({
    'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4,5\n',
    'movies.csv': 'movieId,title,genres\n1,"Unclosed (1995),Drama\n',
  })), 'movies.csv line 2: title: unterminated quoted field');
});

function ncfDir(negLine2 = '(1,2)\t0\t4\t2'): string {
  return fixtureDir({
    'ncf/toy.train.rating': '0\t0\t5\t100\n0\t1\t3\n1\t0\t4\n1\t3\t2\n',
    'ncf/toy.test.rating': '0\t2\t4\t300\n1\t2\t5\t400\n',
    'ncf/toy.test.negative': `(0,2)\t3\t4\t5\n${negLine2}\n`,
    'ncf/items.tsv': 'item\tmovie_id\n0\t10\n1\t20\n2\t30\n3\t40\n4\t50\n5\t60\n',
    'ml-1m/movies.dat': '10::Ten (1990)::Drama\n30::Thirty (1995)::Comedy|Romance\n',
    'ml-1m/users.dat': '1::F::25::0::11111\n2::M::35::12::22222\n',
  });
}

test('NCF format: train then test rows, the files\' evaluation set, ml-1m joins', () => {
  const d = loadNcf(path.join(ncfDir(), 'ncf'));
  assert.is(d.name, 'ncf');
  assert.is(d.length, 6);
  assert.is(d.nUsers, 2);
  assert.is(d.nItems, 6, 'items counted over train, test and negatives');
  assert.equal(Array.from(d.users), [0, 0, 1, 1, 0, 1]);
  assert.equal(Array.from(d.items), [0, 1, 0, 3, 2, 2]);
  assert.ok(Number.isNaN(d.timestamps![1]));
  assert.is(d.timestamps![0], 100);
  assert.is(d.timestamps![5], 400);
  assert.is(d.ncf!.trainRows, 4);
  assert.equal(Array.from(d.ncf!.testItems), [2, 2]);
  assert.equal(Array.from(d.ncf!.negatives), [3, 4, 5, 0, 4, 2]);
  assert.is(d.ncf!.nNeg, 3);
  assert.is(d.itemMeta!.title[2], 'Thirty (1995)');
  assert.equal(d.itemMeta!.genres[2], ['Comedy', 'Romance']);
  assert.is(d.itemMeta!.title[1], '', 'movie 20 has no movies.dat line');
  assert.equal(Array.from(d.itemMeta!.movieId!), [10, 20, 30, 40, 50, 60]);
  assert.equal([d.userMeta!.gender[1], d.userMeta!.occupation[1]], ['M', 'programmer']);
});

test('NCF format: inconsistent files are rejected with file and line', () => {
  throwsWith(() => loadNcf(path.join(ncfDir('(1,3)\t0\t4\t2'), 'ncf')), 'toy.test.negative line 2: (user,item) "(1,3)" does not match line 2 of toy.test.rating');
  throwsWith(() => loadNcf(path.join(ncfDir('(1,2)\t0\t4'), 'ncf')), 'toy.test.negative line 2: missing negative 3');
  throwsWith(() => loadNcf(path.join(ncfDir('1,2\t0\t4\t1'), 'ncf')), 'toy.test.negative line 2: (user,item) "1,2" is not like (0,25)');
  const dir = fixtureDir({ 'x.train.rating': '0\t0\t1\n', 'x.test.rating': '1\t2\t5\n', 'x.test.negative': '(1,2)\t3\n' });
  throwsWith(() => loadNcf(dir), 'x.test.rating line 1: user "1" is not 0');
  const dir2 = fixtureDir({ 'x.train.rating': '0\t0\t1\t5\t6\n', 'x.test.rating': '0\t2\t5\n', 'x.test.negative': '(0,2)\t3\n' });
  throwsWith(() => loadNcf(dir2), 'x.train.rating line 1: expected 3 or 4 tab-separated fields');
});

test('loadCsv: columns by name or position, string ids, implicit, dates', () => {
  const dir = fixtureDir({
    'a.csv': 'when,item,who,score\n2020-01-02T00:00:00Z,"b, the item",zed,4\n1577836800,a,amy,2\n,b,amy,5\n',
    'b.tsv': '10\t7\n2\t7\n10\t3\n',
  });
  const d = loadCsv(path.join(dir, 'a.csv'), { columns: { user: 'who', item: 'item', rating: 'score', timestamp: 'when' } });
  assert.equal(d.userIds.toArray(), ['amy', 'zed']);
  assert.equal(d.itemIds.toArray(), ['a', 'b', 'b, the item']);
  assert.equal(Array.from(d.users), [1, 0, 0]);
  assert.equal(Array.from(d.items), [2, 0, 1]);
  assert.equal(Array.from(d.ratings), [4, 2, 5]);
  assert.is(d.timestamps![0], 1577923200);
  assert.is(d.timestamps![1], 1577836800);
  assert.ok(Number.isNaN(d.timestamps![2]));
  const e = loadCsv(path.join(dir, 'b.tsv'), { sep: '\t', header: false, columns: { user: 0, item: 1 } });
  assert.equal(e.userIds.toArray(), [2, 10], 'numeric ids sort numerically');
  assert.equal(Array.from(e.ratings), [1, 1, 1], 'no rating column: implicit');
  assert.is(e.timestamps, null);
  throwsWith(() => loadCsv(path.join(dir, 'a.csv'), { columns: { user: 'user', item: 'item' } }), 'a.csv line 1: no column "user" for user', 'who');
  throwsWith(() => loadCsv(path.join(dir, 'b.tsv'), { sep: '\t', header: false, columns: { user: 'u', item: 1 } }), 'header is false');
  throwsWith(() => loadCsv(path.join(dir, 'b.tsv'), { sep: '\t', header: false, columns: { user: 0, item: 2 } }), 'b.tsv line 1: missing item (column 2)');
  const bad = fixtureDir({ 'c.csv': 'u,i,r\n1,2,3\n1,3,x\n' });
  throwsWith(() => loadCsv(path.join(bad, 'c.csv'), { columns: { user: 'u', item: 'i', rating: 'r' } }), 'c.csv line 3: rating (column "r") "x" is not a number');
  throwsWith(() => loadCsv(path.join(bad, 'nope.csv'), { columns: { user: 0, item: 1 } }), 'nope.csv not found: expected a delimited interaction file');
});

test('ids are decimal: 16, 0x10, 1e1, 10 and 0b10000 never load as the same users (issue 25)', () => {
  // Number() reads 0x10 and 0b10000 as 16 and 1e1 as 10: five spellings loaded as two users.
  // Every MovieLens and NCF reader now stops at a non-decimal id, naming file, line and field.
  for (const bad of ['0x10', '1e1', '0b10000']) {
    throwsWith(() => loadMl100k(fixtureDir({ 'u.data': `16\t1\t3\t4\n${bad}\t2\t3\t4\n` })), 'u.data line 2', `user id "${bad}" is not a decimal integer id`);
    throwsWith(() => loadMl1m(fixtureDir({ 'ratings.dat': `16::1::5::9\n${bad}::2::5::9\n` })), 'ratings.dat line 2', `user id "${bad}"`);
    throwsWith(() => loadMlLatestSmall(fixtureDir({ 'ratings.csv': `userId,movieId,rating,timestamp\n1,16,4,9\n1,${bad},4,9\n` })),
      'ratings.csv line 3', `movieId "${bad}"`);
    throwsWith(() => loadNcf(fixtureDir({ 'x.train.rating': `0\t${bad}\t1\n`, 'x.test.rating': '0\t1\t1\n', 'x.test.negative': '(0,1)\t2\n' })),
      'x.train.rating line 1', `item "${bad}"`);
  }
  // One spelling per id: no plus sign, leading zero, fraction, inner space, -0, or digits past 2^53.
  for (const bad of ['+16', '016', '1.0', '1 6', '-0', '9007199254740993']) {
    throwsWith(() => loadMl100k(fixtureDir({ 'u.data': `16\t1\t3\t4\n${bad}\t2\t3\t4\n` })), 'u.data line 2', `user id "${bad}"`);
  }
  throwsWith(() => loadNcf(fixtureDir({ 'x.train.rating': '0\t1\t1\n', 'x.test.rating': '0\t1\t1\n', 'x.test.negative': '(0,1)\t0x2\n' })),
    'x.test.negative line 1', 'negative 1 "0x2"');
  // Decimal ids (spaces around them allowed) load as before: 16 and 10 are two users.
  const d = loadMl100k(fixtureDir({ 'u.data': '16\t1\t3\t4\n 10 \t2\t3\t4\n0\t3\t3\t4\n' }));
  assert.equal(d.userIds.toArray(), [0, 10, 16]);
  assert.is(d.userIds.dense('16'), 2);
  assert.is(d.userIds.dense(' 10 '), 1);
  for (const s of ['0x10', '1e1', '0b10000', '016', '+16', '16.0', '']) assert.is(d.userIds.dense(s), -1, s);
  // GroupLens's uN.base / uN.test files are read by the same rule.
  const split = fixtureDir({ 'u.data': '16\t1\t3\t4\n10\t2\t3\t4\n', 'u1.base': '16\t1\t3\t4\n', 'u1.test': '0x10\t2\t3\t4\n' });
  throwsWith(() => loadMl100kSplit(split, loadMl100k(split), 'u1'), 'u1.test line 1: user 0x10 or item 2 is not in u.data');
  // loadCsv keeps such ids as strings: five users, none merged.
  const csv = path.join(fixtureDir({ 'r.csv': 'u,i\n16,1\n0x10,1\n1e1,1\n10,1\n0b10000,1\n' }), 'r.csv');
  assert.is(loadCsv(csv, { columns: { user: 'u', item: 'i' } }).nUsers, 5);
});

test('loadCsv: a line with more or fewer fields than the header is an error, not shifted columns (found by the fuzzer)', () => {
  const csv = (text: string) => path.join(fixtureDir({ 'r.csv': text }), 'r.csv');
  const cols = { columns: { user: 'u', item: 'i', rating: 'r' } };
  // "1,2" unquoted in the user column moved the item into the rating and the rating into nothing.
  throwsWith(() => loadCsv(csv('u,i,r\n7,3,4\n1,2,5,4\n'), cols), 'r.csv line 3: expected 3 fields (as the header has), found 4');
  throwsWith(() => loadCsv(csv('u,i,r,t\n7,3,4,1\n8,3,4\n'), { columns: { user: 'u', item: 'i' } }), 'r.csv line 3: expected 4 fields (as the header has), found 3');
  throwsWith(() => loadCsv(csv('7,3\n8,3,1\n'), { header: false, columns: { user: 0, item: 1 } }), 'r.csv line 2: expected 2 fields (as the first line has), found 3');
  assert.is(loadCsv(csv('u,i,r\n"1,2",3,4\n7,3,4\n'), cols).nUsers, 2, 'a quoted separator is one field');
});

test('real data: ml-100k and ml-1m-ncf load with the documented sizes', () => {
  const d100 = realData('ml-100k');
  if (d100) {
    const d = loadMl100k(d100);
    assert.equal([d.length, d.nUsers, d.nItems], [100000, 943, 1682]);
    assert.is(d.itemMeta!.title[0], 'Toy Story (1995)');
    assert.is(d.userMeta!.occupation[0], 'technician');
  }
  const ncf = realData('ml-1m-ncf');
  if (ncf) {
    const t = process.hrtime.bigint();
    const d = loadNcf(ncf);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.equal([d.length, d.nUsers, d.nItems, d.ncf!.trainRows, d.ncf!.nNeg], [1000209, 6040, 3706, 994169, 99]);
    assert.ok(ms < 5000, `ml-1m-ncf took ${ms} ms`);
    if (d.itemMeta) assert.is(d.itemMeta.title[0], "One Flew Over the Cuckoo's Nest (1975)");
  }
});

test.run();
