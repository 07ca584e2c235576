/**
 * `neurec train --model <name>`: every model of the product through one command.
 *  - Ranking models (gmf, mlp, neumf, mf, vae, popularity) train on implicit feedback with the
 *    NCF evaluation set held out (the peers' exact test cases, fingerprint printed), select
 *    epochs on validation carved from training data, then (mf, gmf, mlp, neumf) refit on all
 *    training data by the chosen schedule, and report both protocols (train_ranking.ts).
 *  - Rating models (autoencoder = AutoRec, mf-rating, classifier, features) train on a rating
 *    split (GroupLens's u1 for ml-100k, else random 90/10) and report RMSE / MAE.
 * With --json the last line is one JSON object (keys read by scripts and benches).
 */
import * as fs from 'fs';
import * as path from 'path';
import { RANKING_MODELS, RATING_MODELS, canonicalModel } from '../models/registry';
import { trainRatingModel } from './train_rating';
import { trainRanker } from './train_ranking';
import { capabilities, setNumThreads } from '../memory';
import { resolveDevice, setDefaultDevice } from '../backend/load';
import { COUNT, COUNT0, NONNEG, POSITIVE, SEED, num, parseArgs, usage, type ArgSpec, type ArgValue } from './args';

export const TRAIN_SPEC: ArgSpec = {
  model: { help: `${RANKING_MODELS.join(' | ')} | ${RATING_MODELS.join(' | ')}`, default: 'neumf' },
  dataset: { help: 'ml-100k | ml-1m | ml-1m-ncf | ml-latest-small | synthetic | a folder' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  epochs: { help: 'training epochs (default per model)', num: COUNT0 },
  batch: { help: 'batch size (default per model)', num: COUNT },
  lr: { help: 'learning rate (default per model)', num: POSITIVE },
  optimizer: { help: 'adam | adamw (decoupled weight decay) | sgd (pair models)', default: 'adam' },
  'weight-decay': { help: 'L2 / weight decay of the optimizer', default: '0', num: NONNEG },
  'init-std': { help: 'pair models: standard deviation of the initial embeddings (NCF default 0.01, MF 0.1)', num: NONNEG },
  'unit-h': { help: 'GMF: fix h to ones (a dot product, as MF without biases); pairs with --row-l2', flag: true },
  'table-lr': { help: 'pair models: plain SGD at this rate for the embedding tables (sparse updates), --optimizer for the rest', num: POSITIVE },
  'row-l2': { help: 'pair models: per-sample L2 λ on the embedding rows each sample reads (Rendle et al. 2020)', default: '0', num: NONNEG },
  factors: { help: 'predictive factors (NCF default 8, MF 64)', num: COUNT },
  layers: { help: 'NCF MLP tower sizes, comma-separated', default: '64,32,16,8', num: { ...COUNT, list: true } },
  hidden: { help: 'AutoRec hidden sizes, comma-separated (item default 500, user 200,100,200)', num: { ...COUNT, list: true } },
  variant: { help: 'AutoRec: item | user', default: 'item' },
  lambda: { help: 'AutoRec L2 strength λ (item default 200, user 3)', num: NONNEG },
  'output-activation': { help: "AutoRec: identity, or sigmoid over ratings scaled to (0, 1) (seed 001's autoencoder)", default: 'identity' },
  'input-dropout': { help: 'AutoRec denoising: share of observed input ratings dropped per step while training', default: '0', num: { min: 0, below: 1 } },
  'lr-decay': { help: 'FACTOR,PATIENCE: after PATIENCE epochs without a better validation score, multiply the rates by FACTOR (autoencoder; mf, gmf, mlp and neumf also go back to the best weights)' },
  'lr-schedule': { help: "pair models: SCALExCOUNT,... epochs at these multiples of the rates, e.g. 1x18,0.3x2; a validated run prints its own, to refit with --validation none" },
  negatives: { help: 'sampled negatives per positive', default: '4', num: COUNT },
  split: { help: 'rating models: u1..u5, ua, ub (ml-100k) or random90 / random80' },
  events: { help: 'an event store written by neurec serve (a SQLite file or a postgres:// URL), read page by page: its events join the training data, new users and items included (a nightly retrain)' },
  seed: { help: 'seed of everything', default: '42', num: SEED },
  resume: { help: 'continue from a checkpoint folder of the same model and data (weights; optimizer state starts fresh)' },
  pretrain: { help: 'NeuMF: GMF and MLP checkpoint folders, comma-separated (He et al. 2017); "fresh" for a part that starts from random weights' },
  freeze: { help: 'NeuMF: parts kept fixed while the rest trains, gmf, mlp or gmf,mlp (its tables, and the tower for mlp; with both, only the predict layer trains)' },
  alpha: { help: 'NeuMF pretraining: weight of GMF in the predict layer', default: '0.5', num: { min: 0, max: 1 } },
  patience: { help: 'early stopping: epochs without a better validation score', num: COUNT },
  validation: { help: "carve: a random training item per user held out to choose the epochs, then a refit on all training data (latest: each user's latest item instead); none: all data, last epoch, as the peers", default: 'carve' },
  'no-refit': { help: 'pair models: keep the validation-selected model instead of refitting on all training data by its schedule', flag: true },
  'test-each-epoch': { help: 'pair models: also score the test set (sampled protocol) after every epoch, as the NCF reference code does; a diagnostic, never used to pick the epoch', flag: true },
  'sparse-adam': { help: "pair models: update only the embedding rows a batch read (lazy Adam; plain SGD scatters the rows). Default: sparse where the tables have at least 32 times the batch's rows (faster there), else dense", flag: true },
  'dense-adam': { help: 'pair models: update every embedding row every step, as the paper and the peer (the default on small catalogues)', flag: true },
  threads: { help: 'CPU threads (default NEUREC_NUM_THREADS or all cores)', num: COUNT },
  device: { help: 'cpu | cuda | auto', default: 'cpu' },
  save: { help: 'checkpoint folder (default runs/<model>-<dataset>)' },
  'no-save': { help: 'do not write a checkpoint', flag: true },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

export type Args = Record<string, ArgValue>;
export const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A numeric option, or the model's default when it was not given. */
export function opt(a: Args, key: string, dflt: number): number {
  return a[key] === undefined ? dflt : num(a, key, 'train');
}

export function runDirFor(a: Args, model: string, dataset: string): string | null {
  if (a['no-save']) return null;
  const dir = String(a.save ?? path.join('runs', `${model}-${dataset.replace(/[^\w.-]+/g, '_')}`));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'log.jsonl'), '');
  return dir;
}

export function appendLog(dir: string | null, record: unknown): void {
  if (dir) fs.appendFileSync(path.join(dir, 'log.jsonl'), JSON.stringify(record) + '\n');
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export async function trainCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, TRAIN_SPEC, 'train');
  if (a.help) return void console.log(usage('train', TRAIN_SPEC));
  const model = canonicalModel(String(a.model));
  const device = resolveDevice(String(a.device));
  setDefaultDevice(device);
  if (device !== 'cpu') console.log(`# device: ${device} (${capabilities(device).device ?? 'unknown'})`);
  if (a.threads !== undefined) setNumThreads(num(a, 'threads', 'train'));
  if (a['lr-decay'] !== undefined && !['autoencoder', 'mf', 'gmf', 'mlp', 'neumf'].includes(model))
    throw new Error(`train: --lr-decay applies to autoencoder, mf, gmf, mlp and neumf, not ${model}`);
  if (a['lr-schedule'] !== undefined && !['mf', 'gmf', 'mlp', 'neumf'].includes(model))
    throw new Error(`train: --lr-schedule applies to mf, gmf, mlp and neumf, not ${model}`);
  if ((RATING_MODELS as readonly string[]).includes(model)) return trainRatingModel(model, a);
  return trainRanker(model, a);
}
