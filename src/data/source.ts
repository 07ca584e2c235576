/**
 * Where data comes from. A data set is a folder named after it, looked up in order under
 *   1. the --data-dir flag (SourceOptions.dataDir),
 *   2. $NEUREC_DATA_DIR (CI points it at ../shared/data),
 *   3. the user cache, $XDG_CACHE_HOME/neurec or ~/.cache/neurec (where downloads go);
 * a path to a folder is used as it is. Known names: ml-100k, ml-1m, ml-1m-ncf, ml-latest-small,
 * and synthetic (generated, never looked up; synthetic-ml-1m or synthetic:ml-1m, likewise ml-20m).
 *
 * GroupLens's archives are fetched by `neurec data download NAME` (download.ts: the zip checked
 * against GroupLens's published MD5, unpacked by our own zip reader, into the user cache).
 * Loading (resolveDataset) never touches the network: when a data set is missing, the error says
 * how to download it or where to put which files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Interactions } from './dataset';
import { loadMl100k, loadMl1m, loadMlLatestSmall } from './movielens';
import { findNcfName, loadNcf } from './ncf_files';
import { synthetic, SYNTHETIC_SHAPES } from './synthetic';

export interface SourceOptions {
  /** The --data-dir flag: searched first. */
  dataDir?: string;
  /** Environment to read NEUREC_DATA_DIR / XDG_CACHE_HOME from (default process.env). */
  env?: Record<string, string | undefined>;
  /** The user cache folder (default $XDG_CACHE_HOME/neurec or ~/.cache/neurec); null: none. */
  cacheDir?: string | null;
}

interface CatalogueEntry {
  /** The file whose presence marks the data set's folder as usable. */
  marker: string;
  what: string;
  url?: string;
  /** GroupLens's published MD5 of the zip. */
  md5?: string;
  /** SHA-256 of files inside it, checked after extraction. */
  sha256?: Record<string, string>;
  /** An extra line for the "not found" message. */
  hint?: string;
  load: (dir: string) => Interactions;
}

export const GROUPLENS = 'https://files.grouplens.org/datasets/movielens';

export const CATALOGUE: Record<string, CatalogueEntry> = {
  'ml-100k': {
    marker: 'u.data', what: "GroupLens's ml-100k (u.data, u.item, u.user, ...)",
    url: `${GROUPLENS}/ml-100k.zip`, md5: '0e33842e24a9c977be4e0107933c0723',
    sha256: {
      'u.data': '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490',
      'u.item': '553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701',
      'u.user': 'f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c',
    },
    load: loadMl100k,
  },
  'ml-1m': {
    marker: 'ratings.dat', what: "GroupLens's ml-1m (ratings.dat, movies.dat, users.dat)",
    url: `${GROUPLENS}/ml-1m.zip`, md5: 'c4d9eecfca2ab87c1945afe126590906',
    hint: 'without ratings.dat, the data set "ml-1m-ncf" has all 1,000,209 ML-1M ratings (the NCF authors\' files, no timestamps in train)',
    load: loadMl1m,
  },
  'ml-latest-small': {
    marker: 'ratings.csv', what: "GroupLens's ml-latest-small (ratings.csv, movies.csv)",
    // GroupLens refreshes this archive, so no checksum is pinned: the download reads the MD5
    // GroupLens publishes beside it (ml-latest-small.zip.md5).
    url: `${GROUPLENS}/ml-latest-small.zip`,
    load: (dir) => loadMlLatestSmall(dir),
  },
  'ml-20m': {
    marker: 'ratings.csv', what: "GroupLens's ml-20m (ratings.csv, movies.csv, ...)",
    url: `${GROUPLENS}/ml-20m.zip`, md5: 'cd245b17a1ae2cc31bb14903e1204af3',
    load: (dir) => loadMlLatestSmall(dir, 'ml-20m'),
  },
  'ml-25m': {
    marker: 'ratings.csv', what: "GroupLens's ml-25m (ratings.csv, movies.csv, ...)",
    url: `${GROUPLENS}/ml-25m.zip`, md5: '6b51fb2759a8657d3bfcbfc42b592ada',
    load: (dir) => loadMlLatestSmall(dir, 'ml-25m'),
  },
  'ml-1m-ncf': {
    marker: 'ml-1m.test.negative',
    what: "the NCF authors' ml-1m files (ml-1m.train.rating, ml-1m.test.rating, ml-1m.test.negative; " +
      'from github.com/hexiangnan/neural_collaborative_filtering, Data/), optionally items.tsv and ../ml-1m/{movies,users}.dat',
    load: (dir) => loadNcf(dir, 'ml-1m'),
  },
};

/** The user cache folder (downloads go there). */
export function cacheDir(opts: SourceOptions = {}): string | null {
  if (opts.cacheDir !== undefined) return opts.cacheDir;
  const env = opts.env ?? process.env;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'neurec');
}

/** The folders searched, in order, each with why it is searched. */
export function searchRoots(opts: SourceOptions = {}): Array<{ dir: string; why: string }> {
  const env = opts.env ?? process.env;
  const roots: Array<{ dir: string; why: string }> = [];
  if (opts.dataDir) roots.push({ dir: path.resolve(opts.dataDir), why: '--data-dir' });
  if (env.NEUREC_DATA_DIR) roots.push({ dir: path.resolve(env.NEUREC_DATA_DIR), why: 'NEUREC_DATA_DIR' });
  const cache = cacheDir(opts);
  if (cache) roots.push({ dir: cache, why: 'user cache' });
  return roots;
}

/** `--data-dir X` or `--data-dir=X` from command-line arguments. */
export function dataDirFromArgs(argv: readonly string[] = process.argv.slice(2)): string | undefined {
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--data-dir') {
      if (k + 1 >= argv.length) throw new Error('--data-dir needs a folder: --data-dir /path/to/data');
      return argv[k + 1];
    }
    if (argv[k].startsWith('--data-dir=')) return argv[k].slice('--data-dir='.length);
  }
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function looksLikePath(name: string): boolean {
  return path.isAbsolute(name) || name.startsWith('.') || name.includes('/') || name.includes(path.sep);
}

/** The folder holding data set `name` (first root where it is usable), or null. */
export function findDataset(name: string, opts: SourceOptions = {}): { dir: string; why: string } | null {
  if (looksLikePath(name)) return isDir(name) ? { dir: path.resolve(name), why: 'path' } : null;
  const entry = CATALOGUE[name];
  for (const root of searchRoots(opts)) {
    const dir = path.join(root.dir, name);
    if (entry ? fs.existsSync(path.join(dir, entry.marker)) : isDir(dir)) return { dir, why: root.why };
  }
  return null;
}

/**
 * Loads a folder, recognising its format by file names (as movielens.py does). `name` is the
 * data set's name (resolveDataset passes the absolute path for a path, so a checkpoint's
 * `dataset` opens this folder again, never a catalogue data set of the same format).
 */
export function loadFolder(dir: string, name = path.basename(path.resolve(dir))): Interactions {
  const ncf = findNcfName(dir);
  if (ncf) return rename(loadNcf(dir, ncf), name);
  if (fs.existsSync(path.join(dir, 'u.data'))) return loadMl100k(dir, name);
  if (fs.existsSync(path.join(dir, 'ratings.dat'))) return loadMl1m(dir, name);
  if (fs.existsSync(path.join(dir, 'ratings.csv'))) return loadMlLatestSmall(dir, name);
  throw new Error(`${dir}: no ratings file found: expected u.data (ml-100k), ratings.dat (ml-1m), ratings.csv (ml-latest) or NAME.test.negative with NAME.train.rating and NAME.test.rating (NCF format); for any other file use loadCsv`);
}

function syntheticShape(name: string): keyof typeof SYNTHETIC_SHAPES | null {
  if (name === 'synthetic') return 'ml-100k';
  const m = /^synthetic[-:](.+)$/.exec(name);
  return m && m[1] in SYNTHETIC_SHAPES ? (m[1] as keyof typeof SYNTHETIC_SHAPES) : null;
}

/** What to do when data set `name` is missing: every folder searched and how to fix it. */
export function missingMessage(name: string, opts: SourceOptions = {}): string {
  const roots = searchRoots(opts);
  const entry = CATALOGUE[name];
  const lines = [`data set "${name}" not found.`];
  if (looksLikePath(name)) {
    lines.push(`  ${path.resolve(name)} is not a folder.`);
    return lines.join('\n');
  }
  lines.push(entry ? `Looked for ${name}/${entry.marker} in:` : `Looked for a folder ${name} in:`);
  for (const r of roots) {
    const dir = path.join(r.dir, name);
    lines.push(`  ${dir}  (${r.why})${isDir(dir) ? (entry ? `: the folder exists but has no ${entry.marker}` : '') : ''}`);
  }
  if (!opts.dataDir && !(opts.env ?? process.env).NEUREC_DATA_DIR) lines.push('  (--data-dir and NEUREC_DATA_DIR are not set)');
  const cache = cacheDir(opts);
  lines.push('To fix, one of:');
  if (entry?.url) {
    lines.push(`  - run \`neurec data download ${name}\` (npm run neurec -- data download ${name}): it fetches ${entry.url}, checks GroupLens's checksum and unpacks it into ${cache ?? 'the user cache'};`);
    lines.push(`    or download it yourself and unzip it there (it unpacks to ${name}/${entry.marker});`);
  } else if (entry) {
    lines.push(`  - put ${entry.what} into a folder named ${name};`);
  }
  lines.push(`  - set NEUREC_DATA_DIR to the folder that contains ${name}/ (or pass --data-dir DIR);`);
  if (entry?.hint) lines.push(`  - ${entry.hint};`);
  lines.push('  - or use the data set "synthetic" (generated, MovieLens-shaped; not for accuracy claims).');
  return lines.join('\n');
}

/**
 * Loads data set `name` (a known name, a folder name under a root, a folder path, or synthetic).
 * The data is named `name`, a path made absolute: the name a checkpoint records, so eval and
 * recommend reopen the very same folder.
 */
export function resolveDataset(name: string, opts: SourceOptions = {}): Interactions {
  const shape = syntheticShape(name);
  if (shape) return synthetic({ shape, name });
  const found = findDataset(name, opts);
  if (!found) throw new Error(missingMessage(name, opts));
  const entry = CATALOGUE[name];
  if (entry && !looksLikePath(name)) return entry.load(found.dir);
  return loadFolder(found.dir, looksLikePath(name) ? found.dir : name);
}

function rename(data: Interactions, name: string): Interactions {
  return data.name === name ? data : { ...data, name };
}

/**
 * The default data set: ml-100k if it can be found, else synthetic data of ml-100k's shape.
 * Either way one notice line says which and why (printed with `log`, default console.error).
 */
export function defaultDataset(opts: SourceOptions & { log?: (msg: string) => void } = {}): { name: string; data: Interactions; notice: string } {
  const log = opts.log ?? ((m: string) => console.error(m));
  const found = findDataset('ml-100k', opts);
  let out: { name: string; data: Interactions; notice: string };
  if (found) {
    out = { name: 'ml-100k', data: loadMl100k(found.dir), notice: `data: ml-100k from ${found.dir} (found via ${found.why})` };
  } else {
    const where = searchRoots(opts).map((r) => `${r.dir} (${r.why})`).join(', ') || 'nowhere (no folder configured)';
    out = {
      name: 'synthetic',
      data: synthetic({ shape: 'ml-100k', name: 'synthetic' }),
      notice: `data: synthetic (ml-100k's shape), because ml-100k was not found in ${where}; ` +
        'results are not comparable with published MovieLens figures. Get ml-100k with `npm run neurec -- data download ml-100k`, ' +
        'or set NEUREC_DATA_DIR (or --data-dir) to a folder containing ml-100k/.',
    };
  }
  log(out.notice);
  return out;
}
