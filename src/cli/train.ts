/**
 * `neurec train --model <name>`: every model of the product through one command.
 *  - Ranking models (gmf, mlp, neumf, mf, vae, popularity) train on implicit feedback with the
 *    NCF evaluation set held out (the peers' exact test cases, fingerprint printed), select
 *    epochs on validation carved from training data, and report both protocols.
 *  - Rating models (autoencoder = AutoRec, mf-rating, classifier, features) train on a rating
 *    split (GroupLens's u1 for ml-100k, else random 90/10) and report RMSE / MAE.
 * With --json the last line is one JSON object (keys read by scripts and benches).
 */
import * as fs from 'fs';
import * as path from 'path';
import { NCF, type NcfKind } from '../models/ncf';
import { MF } from '../models/mf';
import { MultVAE } from '../models/multvae';
import { Popularity } from '../models/popularity';
import { buildModel, RANKING_MODELS, RATING_MODELS, canonicalModel, type BuiltModel } from '../models/registry';
import { trainImplicit, type PairModel } from '../train/implicit';
import { keptPathScales, formatLrSchedule, parseLrSchedule } from '../train/lr_schedule';
import { trainMultVae } from '../train/rows';
import { ncfEvalSet } from '../data/ncf_eval';
import { carveValidation } from '../data/split';
import { indexByUser } from '../data/csr';
import { evaluateFull, evaluateSampled } from '../eval/ranking';
import type { RankingMetrics } from '../eval/metrics';
import { saveCheckpoint, readCheckpointMeta, loadWeights } from '../io/checkpoint';
import { loadDataset } from './datasets';
import { trainRatingModel } from './train_rating';
import { Progress } from './progress';
import { capabilities, setNumThreads } from '../memory';
import { resolveDevice, setDefaultDevice } from '../backend/load';
import { lrDecayArg, num, parseArgs, usage, type ArgSpec, type ArgValue } from './args';

export const TRAIN_SPEC: ArgSpec = {
  model: { help: `${RANKING_MODELS.join(' | ')} | ${RATING_MODELS.join(' | ')}`, default: 'neumf' },
  dataset: { help: 'ml-100k | ml-1m | ml-1m-ncf | ml-latest-small | synthetic | a folder' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  epochs: { help: 'training epochs (default per model)' },
  batch: { help: 'batch size (default per model)' },
  lr: { help: 'learning rate (default per model)' },
  optimizer: { help: 'adam | adamw (decoupled weight decay) | sgd (pair models)', default: 'adam' },
  'weight-decay': { help: 'L2 / weight decay of the optimizer', default: '0' },
  'init-std': { help: 'pair models: standard deviation of the initial embeddings (NCF default 0.01, MF 0.1)' },
  'unit-h': { help: 'GMF: fix h to ones (a dot product, as MF without biases); pairs with --row-l2', flag: true },
  'table-lr': { help: 'pair models: plain SGD at this rate for the embedding tables (with --sparse-adam), --optimizer for the rest' },
  'row-l2': { help: 'pair models: per-sample L2 λ on the embedding rows each sample reads (Rendle et al. 2020)', default: '0' },
  factors: { help: 'predictive factors (NCF default 8, MF 64)' },
  layers: { help: 'NCF MLP tower sizes, comma-separated', default: '64,32,16,8' },
  hidden: { help: 'AutoRec hidden sizes, comma-separated (item default 500, user 200,100,200)' },
  variant: { help: 'AutoRec: item | user', default: 'item' },
  lambda: { help: 'AutoRec L2 strength λ (item default 200, user 3)' },
  'input-dropout': { help: 'AutoRec denoising: share of observed input ratings dropped per step while training', default: '0' },
  'lr-decay': { help: 'FACTOR,PATIENCE: after PATIENCE epochs without a better validation score, multiply the rates by FACTOR (autoencoder; mf, gmf, mlp and neumf also go back to the best weights)' },
  'lr-schedule': { help: "pair models: SCALExCOUNT,... epochs at these multiples of the rates, e.g. 1x18,0.3x2; a validated run prints its own, to refit with --validation none" },
  negatives: { help: 'sampled negatives per positive', default: '4' },
  split: { help: 'rating models: u1..u5, ua, ub (ml-100k) or random90 / random80' },
  seed: { help: 'seed of everything', default: '42' },
  resume: { help: 'continue from a checkpoint folder of the same model and data (weights; optimizer state starts fresh)' },
  pretrain: { help: 'NeuMF: GMF and MLP checkpoint folders, comma-separated (He et al. 2017); "fresh" for a part that starts from random weights' },
  freeze: { help: 'NeuMF: parts kept fixed while the rest trains, gmf, mlp or gmf,mlp (its tables, and the tower for mlp; with both, only the predict layer trains)' },
  alpha: { help: 'NeuMF pretraining: weight of GMF in the predict layer', default: '0.5' },
  patience: { help: 'early stopping: epochs without a better validation score' },
  validation: { help: "'carve' (held out of training data, selects the epoch) or 'none' (all data, last epoch, as the peers)", default: 'carve' },
  'test-each-epoch': { help: 'pair models: also score the test set (sampled protocol) after every epoch, as the NCF reference code does; a diagnostic, never used to pick the epoch', flag: true },
  'sparse-adam': { help: "update only the embedding rows a batch touched (lazy Adam; plain SGD scatters the rows; pays on large catalogs). Default: dense, as the paper and the peer", flag: true },
  threads: { help: 'CPU threads (default NEUREC_NUM_THREADS or all cores)' },
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

export function trainCommand(argv: string[]): void {
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
  trainRanker(model, a);
}

function trainRanker(model: string, a: Args): void {
  const log = (s: string) => console.log(s);
  const t0 = performance.now();
  const data = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, log);
  const evalSet = ncfEvalSet(data);
  const seed = num(a, 'seed', 'train');
  if (a.validation !== 'carve' && a.validation !== 'none') throw new Error(`train: --validation must be carve or none, got ${a.validation}`);
  const { train, valid } = a.validation === 'none' || model === 'popularity'
    ? { train: evalSet.train, valid: null }
    : carveValidation(evalSet.train, { seed, exclude: { users: evalSet.users, items: evalSet.items } });
  log(`# ${data.name}: ${data.nUsers} users, ${data.nItems} items, ${data.length} interactions; eval fingerprint ${evalSet.fingerprint} (${evalSet.source}); validation ${valid ? valid.users.length + ' users' : 'none'}; loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (a['unit-h'] && model !== 'gmf') throw new Error(`train: --unit-h applies to gmf, not ${model}`);
  const pairOnly = { 'test-each-epoch': !!a['test-each-epoch'], 'row-l2': num(a, 'row-l2', 'train') !== 0 };
  for (const [option, given] of Object.entries(pairOnly))
    if (given && (model === 'vae' || model === 'popularity')) throw new Error(`train: --${option} applies to mf, gmf, mlp and neumf, not ${model}`);
  const lrScales = a['lr-schedule'] === undefined ? undefined : parseLrSchedule(String(a['lr-schedule']), 'train --lr-schedule');
  if (lrScales && a['lr-decay'] !== undefined) throw new Error('train: --lr-schedule replays fixed rates; leave out --lr-decay');
  if (lrScales && a.epochs !== undefined && num(a, 'epochs', 'train') !== lrScales.length)
    throw new Error(`train: --lr-schedule ${a['lr-schedule']} has ${lrScales.length} epochs but --epochs is ${a.epochs}; leave out --epochs`);
  // A replay changes rates without going back to the best weights, which the printed path assumes.
  if (lrScales && valid) throw new Error('train: --lr-schedule replays a validated run on all training data; add --validation none');
  const base = { nUsers: data.nUsers, nItems: data.nItems, seed };
  let config: Record<string, unknown> = {};
  let net: BuiltModel;
  if (model === 'popularity') {
    net = new Popularity(train);
  } else if (model === 'vae') {
    config = { ...base };
    net = new MultVAE(config as unknown as ConstructorParameters<typeof MultVAE>[0]);
  } else if (model === 'mf') {
    config = { ...base, objective: 'implicit', factors: opt(a, 'factors', 64), sparse: !!a['sparse-adam'], initStd: opt(a, 'init-std', 0.1) };
    net = new MF(config as unknown as ConstructorParameters<typeof MF>[0]);
  } else {
    config = { ...base, model, factors: opt(a, 'factors', 8), layers: String(a.layers).split(',').map(Number), sparse: !!a['sparse-adam'], initStd: opt(a, 'init-std', 0.01), ...(a['unit-h'] ? { unitH: true } : {}) };
    net = pretrainedOrNew(model as NcfKind, config, a, evalSet.fingerprint, log);
  }

  if (a.resume) {
    const meta = readCheckpointMeta(String(a.resume));
    if (canonicalModel(meta.model) !== model) throw new Error(`train: --resume ${a.resume} holds a ${meta.model}, not a ${model}`);
    if (meta.evalFingerprint !== evalSet.fingerprint)
      throw new Error(`train: --resume ${a.resume} was trained on data with fingerprint ${meta.evalFingerprint}, not ${evalSet.fingerprint}`);
    net.dispose();
    config = meta.config;
    net = buildModel(model, config, evalSet.train);
    loadWeights(String(a.resume), net);
    log(`# resumed from ${a.resume} (${meta.info?.bestEpoch ?? '?'} epochs done there)`);
  }
  if (a.freeze !== undefined) {
    if (model !== 'neumf') throw new Error(`train: --freeze applies to neumf, not ${model}`);
    const parts = [...new Set(String(a.freeze).split(','))]; // 'gmf,gmf' is one part
    for (const part of parts) {
      if (part !== 'gmf' && part !== 'mlp') throw new Error(`train: --freeze takes gmf, mlp or gmf,mlp, got ${a.freeze}`);
      (net as NCF).freeze(part);
    }
    const what = parts.length > 1 ? 'parts frozen: only the predict layer trains' : 'part frozen: its weights stay as they start';
    log(`# ${parts.join(' and ')} ${what}`);
  }
  const runDir = model === 'popularity' ? null : runDirFor(a, model, data.name);
  const bar = new Progress();
  let epochNo = 1;
  let result: { epochs: number; bestEpoch: number; secondsPerEpoch: number; samplesPerSecond: number | null; valid?: RankingMetrics | null; refit?: string };
  if (model === 'popularity') {
    result = { epochs: 0, bestEpoch: 0, secondsPerEpoch: 0, samplesPerSecond: null };
  } else if (model === 'vae') {
    const r = trainMultVae(net as MultVAE, train, {
      epochs: opt(a, 'epochs', 50), batchSize: opt(a, 'batch', 500), lr: opt(a, 'lr', 1e-3), seed, valid,
      patience: a.patience === undefined ? undefined : num(a, 'patience', 'train'),
      onEpoch: (e) => { appendLog(runDir, e); log(`epoch ${String(e.epoch).padStart(3)} ${JSON.stringify(e).slice(0, 160)}`); },
    });
    result = { epochs: r.history.length, bestEpoch: r.bestEpoch, secondsPerEpoch: r.secondsPerEpoch, samplesPerSecond: null };
  } else {
    const B = opt(a, 'batch', 256);
    const r = trainImplicit(net as unknown as PairModel, train, {
      onProgress: (done, total, loss) => {
        if (done <= B) bar.begin();
        bar.update(`epoch ${epochNo}`, done, total, loss);
      },
      epochs: lrScales ? lrScales.length : opt(a, 'epochs', 20), lrScales, batchSize: B, lr: opt(a, 'lr', a.optimizer === 'sgd' ? 0.01 : 1e-3),
      optimizer: a.optimizer as 'adam' | 'adamw' | 'sgd', weightDecay: num(a, 'weight-decay', 'train'), rowL2: num(a, 'row-l2', 'train'),
      tableLr: a['table-lr'] === undefined ? undefined : num(a, 'table-lr', 'train'),
      negatives: num(a, 'negatives', 'train'), seed, valid, validateStart: !!(a.pretrain || a.resume),
      patience: a.patience === undefined ? undefined : num(a, 'patience', 'train'), lrDecay: lrDecayArg(a, 'lr-decay', 'train'),
      onEpoch: (e) => {
        bar.clear();
        epochNo = e.epoch + 1;
        const test = a['test-each-epoch'] ? evaluateSampled((u, i) => net.scorePairs(u, i), evalSet, [10]) : null;
        appendLog(runDir, test ? { ...e, test } : e);
        const shown = test ? ` (test HR@10 ${test['hr@10'].toFixed(4)} NDCG@10 ${test['ndcg@10'].toFixed(4)})` : '';
        const valid = (e.valid ? `valid HR@10 ${e.valid['hr@10'].toFixed(4)} NDCG@10 ${e.valid['ndcg@10'].toFixed(4)}` : '') + shown;
        if (e.epoch === 0) return log(`epoch   0 (starting weights) ${valid} *`);
        log(`epoch ${String(e.epoch).padStart(3)} loss ${e.loss.toFixed(4)} ${valid ? valid + ' ' : ''}` +
            `${e.seconds.toFixed(2)} s (${Math.round(e.samplesPerSecond)} samples/s, sampling ${e.sampleSeconds.toFixed(2)} s)` +
            `${e.lrScale < 1 ? ` lr×${+e.lrScale.toPrecision(3)}` : ''}${e.best ? ' *' : ''}`);
      },
    });
    result = { epochs: r.history.length, bestEpoch: r.bestEpoch, secondsPerEpoch: r.secondsPerEpoch, samplesPerSecond: r.samplesPerSecond, valid: r.bestValid };
    if (valid) {
      // The carve picked the epoch; the same path can be trained again with the carve put back.
      const scales = keptPathScales(r.history, r.bestEpoch);
      result.refit = scales.length ? `--lr-schedule ${formatLrSchedule(scales)}` : '--epochs 0';
      log(`# to refit on all training data, the validation carve included: --validation none ${result.refit}`);
    }
  }

  const ts0 = performance.now();
  // The sampled protocol is timed as the mean of three runs, the first one cold: the peers
  // report the mean of their per-epoch evaluations, which likewise start cold once.
  let sampled = evaluateSampled((u, i) => net.scorePairs(u, i), evalSet, [10]);
  for (let r = 0; r < 2; r++) sampled = evaluateSampled((u, i) => net.scorePairs(u, i), evalSet, [10]);
  const te = performance.now();
  const sampledSeconds = (te - ts0) / 3000;
  // Everything the model trained on (validation items included) is excluded from full ranking.
  const seen = indexByUser(evalSet.train.users, evalSet.train.items, data.nUsers, data.nItems);
  const full = evaluateFull((u) => net.scoreAll(u), evalSet, seen, [10, 20]);
  const evalSeconds = sampledSeconds + (performance.now() - te) / 1000;
  log(`test (${valid ? `best validation epoch ${result.bestEpoch}` : `last epoch ${result.bestEpoch}`}): sampled HR@10 ${sampled['hr@10'].toFixed(4)} NDCG@10 ${sampled['ndcg@10'].toFixed(4)} | ` +
      `full HR@10 ${full['hr@10'].toFixed(4)} NDCG@10 ${full['ndcg@10'].toFixed(4)} Recall@20 ${full['recall@20'].toFixed(4)} (eval ${evalSeconds.toFixed(2)} s, sampled part ${sampledSeconds.toFixed(2)} s)`);
  if (runDir) {
    saveCheckpoint(runDir, net, {
      model, config, dataset: data.name, evalFingerprint: evalSet.fingerprint,
      info: { bestEpoch: result.bestEpoch, sampled, full, secondsPerEpoch: result.secondsPerEpoch, ...(result.refit ? { refit: result.refit } : {}) },
    });
    log(`# checkpoint: ${runDir} (model.safetensors, config.json, log.jsonl)`);
  }
  net.dispose();
  if (a.json) {
    console.log(JSON.stringify({
      model, dataset: data.name, epochs: result.epochs, best_epoch: result.bestEpoch,
      metrics: {
        sampled: { 'hr@10': r4(sampled['hr@10']), 'ndcg@10': r4(sampled['ndcg@10']), 'mrr@10': r4(sampled['mrr@10']) },
        full: { 'hr@10': r4(full['hr@10']), 'ndcg@10': r4(full['ndcg@10']), 'recall@10': r4(full['recall@10']), 'recall@20': r4(full['recall@20']), 'mrr@10': r4(full['mrr@10']) },
        rmse: null,
      },
      valid: result.valid ? { 'hr@10': r4(result.valid['hr@10']), 'ndcg@10': r4(result.valid['ndcg@10']) } : null,
      eval_fingerprint: evalSet.fingerprint,
      seconds_per_epoch: r4(result.secondsPerEpoch),
      samples_per_second: result.samplesPerSecond === null ? null : Math.round(result.samplesPerSecond),
      eval_seconds: r4(evalSeconds),
      sampled_eval_seconds: r4(sampledSeconds),
      peak_rss_mb: peakRssMb(),
    }));
  }
}

function pretrainedOrNew(model: NcfKind, config: Record<string, unknown>, a: Args, fingerprint: string, log: (s: string) => void): NCF {
  if (!a.pretrain) return buildModel(model, config) as NCF;
  if (model !== 'neumf') throw new Error(`train: --pretrain applies to neumf, not ${model}`);
  const [gDir, mDir] = String(a.pretrain).split(',');
  if (!gDir || !mDir) throw new Error('train: --pretrain needs two folders: <gmf checkpoint>,<mlp checkpoint> (either may be "fresh")');
  const load = (dir: string) => (dir === 'fresh' ? null : loadNcfCheckpoint(dir, fingerprint));
  const gmf = load(gDir), mlp = load(mDir);
  const net = NCF.fromPretrained(gmf, mlp, num(a, 'alpha', 'train'), {
    seed: config.seed as number, factors: config.factors as number, layers: config.layers as number[], initStd: config.initStd as number,
  });
  config.factors = net.factors;
  config.layers = net.layers;
  gmf?.dispose();
  mlp?.dispose();
  log(`# NeuMF initialised from ${gDir} (GMF) and ${mDir} (MLP), alpha ${a.alpha}`);
  return net;
}

/** A trained GMF/MLP checkpoint for NeuMF pretraining; it must come from the same data. */
function loadNcfCheckpoint(dir: string, fingerprint: string): NCF {
  const meta = readCheckpointMeta(dir);
  if (meta.evalFingerprint !== fingerprint)
    throw new Error(`train: checkpoint ${dir} was trained on data with fingerprint ${meta.evalFingerprint}, not ${fingerprint}`);
  const m = new NCF(meta.config as unknown as ConstructorParameters<typeof NCF>[0]);
  loadWeights(dir, m);
  return m;
}
