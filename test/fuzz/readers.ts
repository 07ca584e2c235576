/**
 * Fuzzing the data readers: MovieLens u.data, ratings.dat and ratings.csv, the NCF authors'
 * three files, and loadCsv, on text drawn around each format (ids in every spelling JavaScript
 * reads as a number, signs, spaces, blank lines, CRLF, a byte-order mark, missing and extra
 * fields, quotes, huge and non-finite numbers, stray bytes). A reader must load the file or
 * throw an Error naming it; what it loads must keep every distinct id spelling apart (no two
 * spellings become one user), match the file's line count, and map every dense id back to its
 * raw id.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { loadMl100k, loadMl1m, loadMlLatestSmall } from '../../src/data/movielens';
import { loadNcf } from '../../src/data/ncf_files';
import { loadCsv } from '../../src/data/csv';
import type { Interactions } from '../../src/data/dataset';

/** Id tokens: mostly plain decimal, and every other spelling that Number() would accept. */
const idToken = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 40 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 ** 53 + 10 }).map(String) },
  {
    weight: 4,
    arbitrary: fc.constantFrom('0x10', '1e1', '0b10000', '0o20', '+16', '016', '16.0', '-3', '-0', ' 7', '7 ', '', 'abc',
      '1_000', 'Infinity', 'NaN', '1e400', '99999999999999999999', '\u0661', '٣', '7\r', '"7"', '1,2'),
  },
);
const ratingToken = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('1', '2', '3', '4', '5', '3.5', '0.5') },
  { weight: 1, arbitrary: fc.constantFrom('0', '-1', '11', 'x', '', 'NaN', 'Infinity', '1e3', '4.', '.5', ' 4') },
);
const timeToken = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 2e9 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x', '-5', '1e20', 'NaN', '2001-01-01') },
);

/** Lines of fields; sometimes a field dropped or added, a blank line, or stray bytes. */
function lines(fields: fc.Arbitrary<string>[], maxLines = 12): fc.Arbitrary<string[][]> {
  const line = fc.tuple(...fields).chain((f) =>
    fc.oneof(
      { weight: 20, arbitrary: fc.constant(f as string[]) },
      { weight: 1, arbitrary: fc.constant(f.slice(0, -1)) },
      { weight: 1, arbitrary: fc.constant([...f, '9'] as string[]) },
      { weight: 1, arbitrary: fc.constant([] as string[]) },
    ));
  return fc.array(line, { minLength: 0, maxLength: maxLines });
}

/** Joins lines with a separator, with random line endings, a trailing newline or not, and a BOM. */
const layout = fc.record({ crlf: fc.boolean(), trailing: fc.nat({ max: 2 }), bom: fc.nat({ max: 9 }).map((n) => n === 0) });
function render(rows: string[][], sep: string, how: { crlf: boolean; trailing: number; bom: boolean }): string {
  const nl = how.crlf ? '\r\n' : '\n';
  return (how.bom ? '\ufeff' : '') + rows.map((r) => r.join(sep)).join(nl) + nl.repeat(how.trailing);
}

let dirCounter = 0;
function freshDir(root: string): string {
  const d = path.join(root, `case-${dirCounter++}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** The spelling of an id as a reader that keeps it must see it: decimal, one spelling per number. */
function canonical(token: string): string | null {
  const t = token.trim();
  return /^(0|-?[1-9]\d{0,14})$/.test(t) ? t : null;
}

/** Loads with `load`; an Error must name `where`; a result is checked by `check`. */
function expectLoadOrNamedError(where: string, load: () => Interactions, check: (d: Interactions) => void): 'ok' | 'threw' {
  let d: Interactions;
  try {
    d = load();
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
    if (e instanceof TypeError || e instanceof RangeError || !e.message.includes(where))
      throw new Error(`an error that does not name ${where}: ${e.constructor.name}: ${e.message}`);
    return 'threw';
  }
  check(d);
  return 'ok';
}

/** What a loaded (user, item) table must satisfy against the id tokens of its rows. */
function checkIds(d: Interactions, users: string[], items: string[], what: string): void {
  if (d.length !== users.length) throw new Error(`${what}: ${d.length} rows loaded from ${users.length} lines`);
  for (const [col, tokens, ids, dense] of [['user', users, d.userIds, d.users], ['item', items, d.itemIds, d.items]] as const) {
    const spellings = new Set<string>();
    for (let r = 0; r < tokens.length; r++) {
      const c = canonical(tokens[r]);
      if (c === null) throw new Error(`${what}: ${col} "${tokens[r]}" was accepted as an id`);
      spellings.add(c);
      if (String(ids.raw(dense[r])) !== c) throw new Error(`${what}: row ${r} ${col} "${tokens[r]}" maps back to ${ids.raw(dense[r])}`);
    }
    const n = col === 'user' ? d.nUsers : d.nItems;
    if (n !== spellings.size) throw new Error(`${what}: ${spellings.size} distinct ${col} ids loaded as ${n}`);
  }
}

/** Rows that the reader should have loaded: every line that is not blank (blank lines must fail or end the file). */
function dataRows(rows: string[][]): string[][] {
  let end = rows.length;
  while (end > 0 && rows[end - 1].join('').trim() === '') end--;
  return rows.slice(0, end);
}

export function readerProperties(root: string): Array<{ name: string; property: fc.IProperty<never> }> {
  const ml100k = fc.property(lines([idToken, idToken, ratingToken, timeToken]), layout, (rows, how) => {
    const dir = freshDir(root);
    fs.writeFileSync(path.join(dir, 'u.data'), render(rows, '\t', how), 'latin1');
    const data = dataRows(rows);
    return expectLoadOrNamedError(dir, () => loadMl100k(dir), (d) => checkIds(d, data.map((r) => r[0]), data.map((r) => r[1]), 'u.data')) !== null;
  });
  const ml1m = fc.property(lines([idToken, idToken, ratingToken, timeToken]), layout, (rows, how) => {
    const dir = freshDir(root);
    fs.writeFileSync(path.join(dir, 'ratings.dat'), render(rows, '::', how), 'latin1');
    const data = dataRows(rows);
    return expectLoadOrNamedError(dir, () => loadMl1m(dir), (d) => checkIds(d, data.map((r) => r[0]), data.map((r) => r[1]), 'ratings.dat')) !== null;
  });
  const latest = fc.property(lines([idToken, idToken, ratingToken, timeToken]), layout, fc.boolean(), (rows, how, header) => {
    const dir = freshDir(root);
    // A token with a comma goes in quotes, so each line keeps its four fields.
    rows = rows.map((r) => r.map((t) => (t.includes(',') ? `"${t}"` : t)));
    const all = header ? [['userId', 'movieId', 'rating', 'timestamp'], ...rows] : rows;
    fs.writeFileSync(path.join(dir, 'ratings.csv'), render(all, ',', how));
    const data = dataRows(rows);
    // RFC 4180: a quoted "7" is the field 7.
    const unquote = (t: string) => /^"([^"]*)"$/.exec(t)?.[1] ?? t;
    return expectLoadOrNamedError(dir, () => loadMlLatestSmall(dir), (d) => {
      if (!header) throw new Error('ratings.csv without its header loaded');
      checkIds(d, data.map((r) => unquote(r[0])), data.map((r) => unquote(r[1])), 'ratings.csv');
    }) !== null;
  });
  // NCF: the three files, with test lines for users 0..n-1 most of the time.
  const ncf = fc.property(
    lines([idToken, idToken, ratingToken], 8), fc.integer({ min: 0, max: 5 }), fc.array(fc.array(idToken, { minLength: 1, maxLength: 3 }), { maxLength: 6 }), layout,
    (train, nTest, negs, how) => {
      const dir = freshDir(root);
      const test = Array.from({ length: nTest }, (_, u) => [String(u), String(u + 1), '1']);
      const neg = test.map((t, u) => [`(${u},${t[1]})`, ...(negs[u] ?? ['0'])]);
      fs.writeFileSync(path.join(dir, 'x.train.rating'), render(train, '\t', how));
      fs.writeFileSync(path.join(dir, 'x.test.rating'), render(test, '\t', how));
      fs.writeFileSync(path.join(dir, 'x.test.negative'), render(neg, '\t', how));
      return expectLoadOrNamedError(dir, () => loadNcf(dir), (d) => {
        const rows = dataRows(train);
        if (d.length !== rows.length + nTest) throw new Error(`NCF: ${d.length} rows from ${rows.length} + ${nTest} lines`);
        for (let r = 0; r < rows.length; r++)
          if (canonical(rows[r][0]) !== String(d.users[r]) || canonical(rows[r][1]) !== String(d.items[r]))
            throw new Error(`NCF: train line ${r + 1} (${rows[r][0]}, ${rows[r][1]}) loaded as (${d.users[r]}, ${d.items[r]})`);
      }) !== null;
    });
  // loadCsv: ids kept as numbers when plain, else as strings; never merged either way.
  const csvField = fc.oneof(idToken, fc.constantFrom('"a,b"', '"q""q"', '"unterminated', 'é', '  '));
  const csv = fc.property(lines([csvField, csvField, ratingToken]), layout, fc.constantFrom(',', '\t', ';'), (rows, how, sep) => {
    const dir = freshDir(root);
    const file = path.join(dir, 'r.csv');
    fs.writeFileSync(file, render([['u', 'i', 'r'], ...rows], sep, how));
    const data = dataRows(rows);
    return expectLoadOrNamedError(file, () => loadCsv(file, { sep, columns: { user: 'u', item: 'i', rating: 'r' } }), (d) => {
      if (d.length !== data.length) throw new Error(`loadCsv: ${d.length} rows from ${data.length} lines`);
      const unquote = (s: string) => (sep !== '\t' && s.startsWith('"') && s.endsWith('"') && s.length > 1 ? s.slice(1, -1).replace(/""/g, '"') : s).trim();
      for (const [col, k, n] of [['user', 0, d.nUsers], ['item', 1, d.nItems]] as const) {
        const distinct = new Set(data.map((r) => unquote(r[k])));
        if (distinct.size !== n) throw new Error(`loadCsv: ${distinct.size} distinct ${col} ids loaded as ${n}`);
      }
    }) !== null;
  });
  return [
    { name: 'ml-100k u.data', property: ml100k as unknown as fc.IProperty<never> },
    { name: 'ml-1m ratings.dat', property: ml1m as unknown as fc.IProperty<never> },
    { name: 'ml-latest ratings.csv', property: latest as unknown as fc.IProperty<never> },
    { name: 'NCF files', property: ncf as unknown as fc.IProperty<never> },
    { name: 'loadCsv', property: csv as unknown as fc.IProperty<never> },
  ];
}
