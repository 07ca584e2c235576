/**
 * The serving benchmarks' checkpoints: trained once into runs/bench-serve/<model>-<data> (few
 * epochs: they measure serving, not accuracy) and reused by bench:serve and bench:replicas.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { CLI } from './server';

const runsDir = path.resolve('runs', 'bench-serve');

/** How each bench model is trained (few epochs; the data set's own split and defaults otherwise). */
export const TRAIN: Record<string, string[]> = {
  neumf: ['--model', 'neumf', '--epochs', '5', '--validation', 'none'],
  gmf: ['--model', 'gmf', '--epochs', '5', '--validation', 'none'],
  mf: ['--model', 'mf', '--epochs', '5', '--validation', 'none'],
  vae: ['--model', 'vae', '--epochs', '60', '--validation', 'none'],
  autoencoder: ['--model', 'autoencoder', '--variant', 'item', '--epochs', '20'],
  'u-autorec': ['--model', 'autoencoder', '--variant', 'user', '--epochs', '20'],
  'mf-rating': ['--model', 'mf-rating', '--epochs', '10'],
  classifier: ['--model', 'classifier', '--epochs', '5'],
  features: ['--model', 'features', '--epochs', '5'],
};

export function benchCheckpoint(name: string, data: string): string {
  const dir = path.join(runsDir, `${name}-${data}`);
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  console.log(`# training ${name} on ${data} for the bench: ${TRAIN[name].join(' ')}`);
  const r = spawnSync(process.execPath, [CLI, 'train', '--dataset', data, ...TRAIN[name], '--save', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`training ${name} failed`);
  return dir;
}
