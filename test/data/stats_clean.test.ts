/** EDA figures on a fixture and on ml-100k (seed 003's numbers); cleaning and implicit data. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadMl100k } from '../../src/data/movielens';
import { computeStats, formatStats, quantiles } from '../../src/data/stats';
import { cleanLikeSeed003, densify, dropItemsReleasedBefore, dropItemsWithoutGenre, dropRareItems, dropRareUsers, toImplicit } from '../../src/data/clean';
import { selectRows } from '../../src/data/dataset';
import { fixtureDir, realData } from './helpers';

const flags = (...on: number[]) => Array.from({ length: 19 }, (_, k) => (on.includes(k) ? 1 : 0)).join('|');

/** 3 users, 4 items: item 40 is old (1925), item 30 has only "unknown", item 20 is rated once. */
function fixture() {
  return loadMl100k(fixtureDir({
    'u.data': ['1\t10\t5\t100', '1\t20\t3\t101', '1\t30\t4\t102', '2\t10\t4\t103', '2\t40\t2\t104', '3\t10\t1\t105', '3\t40\t5\t106', '3\t30\t4\t107', '2\t10\t3\t108'].join('\n') + '\n',
    'u.item': [`10|A (1995)|01-Jan-1995||u|${flags(8)}`, `20|B (1990)|01-Mar-1990||u|${flags(5, 8)}`, `30|C (1980)|01-Jan-1980||u|${flags(0)}`, `40|D (1925)|01-Jan-1925||u|${flags(1)}`].join('\n') + '\n',
    'u.user': '1|10|F|student|1\n2|30|M|writer|2\n3|60|M|writer|3\n',
  }));
}

test('stats: counts, sparsity, distributions, quantiles, genres, demographics', () => {
  const s = computeStats(fixture());
  assert.equal([s.users, s.items, s.ratings, s.distinctPairs], [3, 4, 9, 8]);
  assert.ok(Math.abs(s.density - 9 / 12) < 1e-12);
  assert.equal(s.ratingValues, [{ value: 1, count: 1 }, { value: 2, count: 1 }, { value: 3, count: 2 }, { value: 4, count: 3 }, { value: 5, count: 2 }]);
  assert.ok(Math.abs(s.ratingMean - 31 / 9) < 1e-12);
  assert.equal([s.perItem.min, s.perItem.max, s.perItem.median], [1, 4, 2]);
  assert.equal(s.genres!.find((g) => g.genre === 'Drama'), { genre: 'Drama', items: 2, ratings: 5 });
  assert.is(s.itemsWithoutGenre, 1);
  assert.is(s.genreCombinations, 4);
  assert.equal(s.releaseDecades, [{ decade: 1920, items: 1 }, { decade: 1980, items: 1 }, { decade: 1990, items: 2 }]);
  assert.equal([s.demographics!.under18, s.demographics!.adults], [1, 2]);
  assert.equal(s.timeRange, { first: '1970-01-01', last: '1970-01-01' });
  const text = formatStats(s);
  assert.match(text, /9 ratings by 3 users on 4 items/);
  assert.match(text, /density 75\.00%/);
  assert.match(text, /Drama\s+2\s+5/);
  assert.equal(quantiles([5, 1, 3, 2, 4]), { min: 1, p10: 1, p25: 2, median: 3, p75: 4, p90: 5, max: 5, mean: 3 });
});

test('cleaning: rare items, genre-less items, old items; ids re-densified in raw order', () => {
  const d = fixture();
  const a = dropRareItems(d, 2);
  assert.equal(a.itemIds.toArray(), [10, 30, 40]);
  assert.is(a.length, 8);
  assert.equal(a.itemMeta!.title, ['A (1995)', 'C (1980)', 'D (1925)']);
  assert.equal(Array.from(new Set(a.items)).sort(), [0, 1, 2]);
  const b = dropItemsWithoutGenre(d);
  assert.equal(b.itemIds.toArray(), [10, 20, 40]);
  const c = dropItemsReleasedBefore(d, 1930);
  assert.equal(c.itemIds.toArray(), [10, 20, 30]);
  const { data, report } = cleanLikeSeed003(d, { minRatings: 2 });
  assert.equal(data.itemIds.toArray(), [10]);
  assert.is(report.length, 3);
  assert.match(report[0], /fewer than 2 ratings: -1 items, -1 ratings/);
  const users = dropRareUsers(a, 3);
  assert.equal(users.userIds.toArray(), [2, 3]);
  assert.equal(users.userMeta!.age[0], 30);
  // densify drops ids without rows and keeps order; a no-op returns the same table.
  const sub = densify(selectRows(d, Int32Array.of(3, 4)));
  assert.equal([sub.nUsers, sub.nItems], [1, 2]);
  assert.equal(sub.itemIds.toArray(), [10, 40]);
  assert.is(densify(d), d);
  assert.throws(() => dropItemsWithoutGenre(loadMl100k(fixtureDir({ 'u.data': '1\t1\t1\t1\n' }))), /has no item metadata/);
});

test('implicit: threshold, all-ones, duplicates removed (first kept)', () => {
  const d = fixture();
  const all = toImplicit(d);
  assert.is(all.length, 8, 'the repeated (2, 10) pair is kept once');
  assert.ok(all.ratings.every((r) => r === 1));
  assert.is(all.timestamps![3], 103, 'the first of the repeated pair is kept');
  const liked = toImplicit(d, { threshold: 4 });
  assert.is(liked.length, 5);
  assert.equal(liked.itemIds.toArray(), [10, 30, 40]);
  assert.is(toImplicit(d, { dedupe: false }).length, 9);
});

test('real ml-100k: seed 003\'s figures (36 children, 907 adults) and its cleaning', () => {
  const dir = realData('ml-100k');
  if (!dir) return;
  const d = loadMl100k(dir);
  const s = computeStats(d);
  assert.equal([s.demographics!.under18, s.demographics!.adults], [36, 907]);
  assert.is(s.itemsWithoutGenre, 2);
  assert.ok(Math.abs(s.sparsity - 0.93695) < 1e-4);
  const { data } = cleanLikeSeed003(d);
  assert.equal([data.nUsers, data.nItems, data.length], [943, 1347, 99224]);
  assert.ok(data.itemMeta!.year.every((y) => y >= 1930 || y === 0));
});

test.run();
