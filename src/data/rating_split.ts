/**
 * The splits rating models are scored on: GroupLens's own ml-100k splits (u1..u5, ua, ub: the
 * files list the test rows), or a seeded random split (random90 = 90/10, random80 = 80/20). A
 * seeded fraction of the training part is held out for validation in both cases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeInteractions, selectRows, type Interactions } from './dataset';
import { randomSplit } from './split';
import { Rng } from './rng';
import { findDataset, type SourceOptions } from './source';

export interface RatingSplit {
  /** What the model fits. */
  fit: Interactions;
  /** Held out of the training part for epoch selection. */
  valid: Interactions;
  /** fit + valid: the model's whole training data (inputs of AutoRec at test time). */
  train: Interactions;
  test: Interactions;
  name: string;
}

export const GROUPLENS_SPLITS = ['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub'];

/**
 * The ml-100k-format folder (it holds u.data) that `data` was loaded from, found by its name the
 * way resolveDataset found it, so the uN split files read are that folder's own; undefined for
 * data of any other format.
 */
export function ml100kFolder(data: Interactions, opts: SourceOptions = {}): string | undefined {
  const found = findDataset(data.name, opts);
  return found && fs.existsSync(path.join(found.dir, 'u.data')) ? found.dir : undefined;
}

/** A rating model's default split: GroupLens's u1 for ml-100k or a folder with u1.base, else random90. */
export function defaultRatingSplit(data: Interactions, folder: string | undefined): string {
  return data.name === 'ml-100k' || (folder !== undefined && fs.existsSync(path.join(folder, 'u1.base'))) ? 'u1' : 'random90';
}

/** GroupLens's uN.base / uN.test of ml-100k, with the dense ids of the whole u.data. */
export function loadMl100kSplit(dir: string, all: Interactions, split: string): { train: Interactions; test: Interactions } {
  const read = (file: string): Interactions => {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) throw new Error(`ml-100k split ${split}: ${full} is missing`);
    const lines = fs.readFileSync(full, 'latin1').split('\n').filter((l) => l.trim() !== '');
    const users = new Int32Array(lines.length), items = new Int32Array(lines.length), ratings = new Float32Array(lines.length);
    lines.forEach((l, k) => {
      const f = l.split('\t');
      const u = all.userIds.dense(f[0] ?? ''), i = all.itemIds.dense(f[1] ?? ''); // decimal ids only (IdMap.dense)
      if (u < 0 || i < 0) throw new Error(`${full} line ${k + 1}: user ${f[0]} or item ${f[1]} is not in u.data`);
      const r = Number(f[2]);
      if (!Number.isFinite(r)) throw new Error(`${full} line ${k + 1}: rating "${f[2]}" is not a number`);
      users[k] = u;
      items[k] = i;
      ratings[k] = r;
    });
    return makeInteractions({ name: `${all.name} ${file}`, users, items, ratings, userIds: all.userIds, itemIds: all.itemIds, itemMeta: all.itemMeta, userMeta: all.userMeta });
  };
  return { train: read(`${split}.base`), test: read(`${split}.test`) };
}

/** The named split of `data` (dataDir: the folder ml-100k was loaded from, for uN files). */
export function ratingSplit(data: Interactions, split: string, seed: number, validFraction = 0.05, dataDir?: string): RatingSplit {
  let train: Interactions, test: Interactions;
  if (GROUPLENS_SPLITS.includes(split)) {
    if (!dataDir) throw new Error(`split ${split}: GroupLens's splits exist only for ml-100k`);
    ({ train, test } = loadMl100kSplit(dataDir, data, split));
  } else {
    const m = /^random(\d\d)$/.exec(split);
    if (!m) throw new Error(`unknown split "${split}"; use ${GROUPLENS_SPLITS.join(', ')} (ml-100k) or random90 / random80`);
    ({ train, test } = randomSplit(data, { testFraction: 1 - Number(m[1]) / 100, seed }));
  }
  const perm = new Rng(seed + 1).permutation(train.length);
  const nVal = Math.round(train.length * validFraction);
  const valid = selectRows(train, perm.slice(0, nVal).sort(), `${train.name} valid`);
  const fit = selectRows(train, perm.slice(nVal).sort(), `${train.name} fit`);
  return { fit, valid, train, test, name: split };
}
