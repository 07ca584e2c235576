/**
 * Finding a data set by name: --data-dir, then NEUREC_DATA_DIR, then ~/.cache/neurec. With no
 * name, ml-100k when it is found, else the seeded synthetic set, with a notice saying which.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Interactions } from '../data/dataset';
import { loadMl100k, loadMl1m, loadMlLatestSmall } from '../data/movielens';
import { loadNcf } from '../data/ncf_files';
import { synthetic } from '../data/synthetic';

export const DATASETS = ['ml-100k', 'ml-1m', 'ml-1m-ncf', 'ml-latest-small', 'synthetic'] as const;

export function dataDirs(dataDir?: string): string[] {
  return [dataDir, process.env.NEUREC_DATA_DIR, path.join(os.homedir(), '.cache', 'neurec')].filter((d): d is string => !!d);
}

function find(name: string, dirs: string[]): string | null {
  for (const d of dirs) {
    const p = path.join(d, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

export function loadDataset(name: string | undefined, dataDir: string | undefined, log: (s: string) => void): Interactions {
  const dirs = dataDirs(dataDir);
  if (!name) {
    if (find('ml-100k', dirs)) {
      log(`# dataset: ml-100k (found under ${dirs.join(' or ')}; pass --dataset to choose another)`);
      name = 'ml-100k';
    } else {
      log(`# dataset: synthetic (ml-100k was not found under ${dirs.join(', ') || 'any data dir'}; set NEUREC_DATA_DIR or --data-dir to use it)`);
      name = 'synthetic';
    }
  }
  if (name === 'synthetic') return synthetic({ shape: 'ml-100k', seed: 42 } as Parameters<typeof synthetic>[0]);
  if (name.startsWith('synthetic:')) return synthetic({ shape: name.slice(10), seed: 42 } as Parameters<typeof synthetic>[0]);
  if (!(DATASETS as readonly string[]).includes(name)) throw new Error(`unknown dataset "${name}"; known: ${DATASETS.join(', ')}, synthetic:ml-1m`);
  const dir = find(name, dirs);
  if (!dir)
    throw new Error(
      `dataset ${name} not found under ${dirs.join(', ') || '(no data dir)'}. Download it from https://grouplens.org/datasets/movielens/ ` +
        `and unpack it so that <dir>/${name}/ exists, then pass --data-dir <dir> or set NEUREC_DATA_DIR=<dir>.`,
    );
  switch (name) {
    case 'ml-100k': return loadMl100k(dir);
    case 'ml-1m': return loadMl1m(dir);
    case 'ml-1m-ncf': return loadNcf(dir);
    default: return loadMlLatestSmall(dir);
  }
}
