/**
 * loadCsv: anyone's own interaction file. Delimited text (CSV with RFC 4180 quotes, TSV, '::'),
 * optional header, columns chosen by header name or 0-based position. Ids may be integers or
 * any strings (dense ids follow ascending raw id either way); a missing rating column makes the
 * data implicit (every row 1); timestamps may be numbers (seconds) or dates Date.parse reads.
 */
import * as path from 'path';
import { Interactions } from './dataset';
import { RawRatings } from './raw_ratings';
import { LineScanner, countLines, readFileOrThrow } from './scan';

export type ColumnRef = string | number;

export interface CsvOptions {
  /** Field separator (default ','; '\t' for TSV). */
  sep?: string;
  /** Whether the first line is a header (default true). Needed to name columns. */
  header?: boolean;
  columns: { user: ColumnRef; item: ColumnRef; rating?: ColumnRef; timestamp?: ColumnRef };
  /** Data set name for messages (default: the file name). */
  name?: string;
  /** 'utf8' (default) or 'latin1'. */
  encoding?: 'utf8' | 'latin1';
}

type Role = 'user' | 'item' | 'rating' | 'timestamp';

/** Integer ids without sign or leading zeros: safe to keep as numbers (else ids are strings). */
function plainInt(s: string): boolean {
  return /^(0|[1-9]\d{0,14})$/.test(s);
}

export function loadCsv(file: string, opts: CsvOptions): Interactions {
  const sep = opts.sep ?? ',';
  const header = opts.header ?? true;
  const buf = readFileOrThrow(file, `a delimited interaction file (separator ${JSON.stringify(sep)}${header ? ', with a header' : ''})`);
  const scanOpts = { sep, encoding: opts.encoding ?? 'utf8', quotes: sep === ',' || sep === ';' } as const;

  // Resolve every role to a 0-based column.
  let names: string[] | null = null;
  if (header) {
    const hs = new LineScanner(buf, file, scanOpts);
    if (!hs.nextLine()) throw new Error(`${file}: empty file, expected a header line`);
    names = [];
    while (hs.hasField()) names.push(hs.text('header').trim());
  }
  const roles: Array<[Role, number]> = [];
  for (const role of ['user', 'item', 'rating', 'timestamp'] as Role[]) {
    const ref = opts.columns[role];
    if (ref === undefined) continue;
    let col: number;
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0) throw new Error(`loadCsv ${file}: column for ${role} must be a 0-based index or a header name, got ${ref}`);
      col = ref;
    } else {
      if (!names) throw new Error(`loadCsv ${file}: column ${role} is named "${ref}" but header is false; name columns by 0-based index instead`);
      col = names.indexOf(ref);
      if (col < 0) throw new Error(`${file} line 1: no column "${ref}" for ${role} in the header (${names.join(', ')})`);
    }
    if (roles.some(([, c]) => c === col)) throw new Error(`loadCsv ${file}: column ${col} is used for two roles`);
    roles.push([role, col]);
  }
  const byCol = new Map(roles.map(([r, c]) => [c, r]));
  const lastCol = Math.max(...roles.map(([, c]) => c));
  const label = (role: Role, col: number): string => (names ? `${role} (column "${names[col]}")` : `${role} (column ${col})`);

  // Parse; if an id column turns out not to be plain integers, parse again keeping its ids as
  // strings (each column decides for itself, so numeric users keep numeric order).
  const parse = (strUser: boolean, strItem: boolean): RawRatings | Role => {
    const sc = new LineScanner(buf, file, scanOpts);
    if (header) sc.nextLine();
    const raw = new RawRatings(countLines(buf));
    if (strUser) raw.userStrs = [];
    if (strItem) raw.itemStrs = [];
    // Every line has the header's field count (or the first line's): a stray separator in an
    // unquoted field would otherwise shift the columns of its line silently.
    let width = names ? names.length : -1;
    while (sc.nextLine()) {
      let u = 0, i = 0, r = 1, t = NaN;
      for (let c = 0; c <= lastCol; c++) {
        const role = byCol.get(c);
        if (role === undefined) { sc.skip(`column ${c}`); continue; }
        const what = label(role, c);
        if (role === 'rating') r = sc.num(what);
        else if (role === 'timestamp') t = timestamp(sc, what);
        else {
          const s = sc.text(what).trim();
          if (s === '') sc.fail(`${what} is empty`);
          const asString = role === 'user' ? strUser : strItem;
          if (asString) (role === 'user' ? raw.userStrs! : raw.itemStrs!).push(s);
          else if (!plainInt(s)) return role;
          else if (role === 'user') u = Number(s);
          else i = Number(s);
        }
      }
      let fields = lastCol + 1;
      for (; sc.hasField(); fields++) sc.skip(`column ${fields}`);
      if (width < 0) width = fields;
      if (fields !== width)
        sc.fail(`expected ${width} fields (as ${names ? 'the header has' : 'the first line has'}), found ${fields}: "${sc.lineText()}"`);
      raw.push(u, i, r, t);
    }
    return raw;
  };
  let strUser = false, strItem = false;
  let raw = parse(false, false);
  while (typeof raw === 'string') {
    if (raw === 'user') strUser = true; else strItem = true;
    raw = parse(strUser, strItem);
  }
  if (raw.length === 0) throw new Error(`${file}: no rows${header ? ' after the header' : ''}`);
  return raw.toInteractions(opts.name ?? path.basename(file)).data;
}

function timestamp(sc: LineScanner, what: string): number {
  const s = sc.text(what).trim();
  if (s === '') return NaN; // a row without a time: allowed, NaN marks it
  const v = Number(s);
  if (Number.isFinite(v)) return v;
  const d = Date.parse(s);
  if (Number.isNaN(d)) sc.fail(`${what} "${s}" is neither a number nor a date`);
  return d / 1000;
}
