/** The CLI's data-set choice: a named set through the data layer's search, or the default. */
import type { Interactions } from '../data/dataset';
import { defaultDataset, resolveDataset } from '../data/source';

export function loadDataset(name: string | undefined, dataDir: string | undefined, log: (s: string) => void): Interactions {
  if (!name) return defaultDataset({ dataDir, log: (m) => log(`# ${m}`) }).data;
  return resolveDataset(name, { dataDir });
}
