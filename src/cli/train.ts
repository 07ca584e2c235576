/**
 * `neurec train`: loads a data set, builds the NCF evaluation set (the peers' exact test cases,
 * fingerprint printed), carves validation from training data, trains, and reports both
 * protocols. With --json the last line is one JSON object (keys read by scripts and benches).
 */
import { NCF, type NcfKind } from '../models/ncf';
import { trainImplicit } from '../train/implicit';
import { ncfEvalSet } from '../data/ncf_eval';
import { carveValidation } from '../data/split';
import { indexByUser } from '../data/csr';
import { evaluateFull, evaluateSampled } from '../eval/ranking';
import { loadDataset } from './datasets';
import { Progress } from './progress';
import { saveCheckpoint, readCheckpointMeta, loadWeights } from '../io/checkpoint';
import * as fs from 'fs';
import * as path from 'path';
import { num, parseArgs, usage, type ArgSpec } from './args';

const SPEC: ArgSpec = {
  model: { help: 'gmf | mlp | neumf', default: 'neumf' },
  dataset: { help: 'ml-100k | ml-1m | ml-1m-ncf | ml-latest-small | synthetic' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  epochs: { help: 'training epochs', default: '20' },
  batch: { help: 'batch size', default: '256' },
  lr: { help: 'learning rate', default: '0.001' },
  optimizer: { help: 'adam | sgd', default: 'adam' },
  factors: { help: 'predictive factors', default: '8' },
  layers: { help: 'MLP tower sizes, comma-separated', default: '64,32,16,8' },
  negatives: { help: 'sampled negatives per positive', default: '4' },
  seed: { help: 'seed of everything', default: '42' },
  pretrain: { help: 'NeuMF only: GMF and MLP checkpoint folders, comma-separated (He et al. 2017)' },
  alpha: { help: 'NeuMF pretraining: weight of GMF in the predict layer', default: '0.5' },
  patience: { help: 'early stopping: epochs without a better validation NDCG@10' },
  validation: { help: "'carve' (one training item per user, for model selection) or 'none' (train on all, keep the last epoch, as the peers do)", default: 'carve' },
  'dense-adam': { help: 'update every embedding row each step (as PyTorch dense Adam) instead of lazy sparse rows', flag: true },
  device: { help: 'cpu | cuda | auto', default: 'cpu' },
  save: { help: 'checkpoint folder (default runs/<model>-<dataset>)' },
  'no-save': { help: 'do not write a checkpoint', flag: true },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

export function trainCommand(argv: string[]): void {
  const a = parseArgs(argv, SPEC, 'train');
  if (a.help) {
    console.log(usage('train', SPEC));
    return;
  }
  const model = String(a.model) as NcfKind;
  if (!['gmf', 'mlp', 'neumf'].includes(model)) throw new Error(`train: --model ${model} is not available yet; available: gmf, mlp, neumf`);
  if (a.device === 'cuda') throw new Error('train: --device cuda: the CUDA backend is not built yet (issue #4); use --device cpu');
  const log = (s: string) => console.log(s);
  const t0 = performance.now();
  const data = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, log);
  const evalSet = ncfEvalSet(data);
  const seed = num(a, 'seed', 'train');
  if (a.validation !== 'carve' && a.validation !== 'none') throw new Error(`train: --validation must be carve or none, got ${a.validation}`);
  const { train, valid } = a.validation === 'none'
    ? { train: evalSet.train, valid: null }
    : carveValidation(evalSet.train, { seed, exclude: { users: evalSet.users, items: evalSet.items } });
  log(`# ${data.name}: ${data.nUsers} users, ${data.nItems} items, ${data.length} interactions; eval fingerprint ${evalSet.fingerprint} (${evalSet.source}); validation ${valid ? valid.users.length + ' users' : 'none'}; loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const config = {
    model, nUsers: data.nUsers, nItems: data.nItems, factors: num(a, 'factors', 'train'),
    layers: String(a.layers).split(',').map(Number), seed, sparse: !a['dense-adam'],
  };
  let net: NCF;
  if (a.pretrain) {
    if (model !== 'neumf') throw new Error(`train: --pretrain applies to neumf, not ${model}`);
    const [gDir, mDir] = String(a.pretrain).split(',');
    if (!gDir || !mDir) throw new Error('train: --pretrain needs two folders: <gmf checkpoint>,<mlp checkpoint>');
    const gmf = loadNcfCheckpoint(gDir, evalSet.fingerprint), mlp = loadNcfCheckpoint(mDir, evalSet.fingerprint);
    net = NCF.fromPretrained(gmf, mlp, num(a, 'alpha', 'train'), seed);
    config.factors = net.factors;
    config.layers = net.layers;
    gmf.dispose();
    mlp.dispose();
    log(`# NeuMF initialised from ${gDir} (GMF) and ${mDir} (MLP), alpha ${a.alpha}`);
  } else {
    net = new NCF(config);
  }
  const runDir = a['no-save'] ? null : String(a.save ?? path.join('runs', `${model}-${data.name}`));
  if (runDir) fs.mkdirSync(runDir, { recursive: true });
  const logFile = runDir ? path.join(runDir, 'log.jsonl') : null;
  if (logFile) fs.writeFileSync(logFile, '');
  const bar = new Progress();
  let epochNo = 1;
  const result = trainImplicit(net, train, {
    onProgress: (done, total, loss) => {
      if (done <= num(a, 'batch', 'train')) bar.begin();
      bar.update(`epoch ${epochNo}`, done, total, loss);
    },
    epochs: num(a, 'epochs', 'train'), batchSize: num(a, 'batch', 'train'), lr: num(a, 'lr', 'train'),
    optimizer: a.optimizer as 'adam' | 'sgd', negatives: num(a, 'negatives', 'train'), seed, valid,
    patience: a.patience === undefined ? undefined : num(a, 'patience', 'train'),
    onEpoch: (r) => {
      bar.clear();
      epochNo = r.epoch + 1;
      if (logFile) fs.appendFileSync(logFile, JSON.stringify(r) + '\n');
      log(`epoch ${String(r.epoch).padStart(3)} loss ${r.loss.toFixed(4)} ${r.valid ? `valid HR@10 ${r.valid['hr@10'].toFixed(4)} NDCG@10 ${r.valid['ndcg@10'].toFixed(4)} ` : ''}` +
          `${r.seconds.toFixed(2)} s (${Math.round(r.samplesPerSecond)} samples/s, sampling ${r.sampleSeconds.toFixed(2)} s)${r.best ? ' *' : ''}`);
    },
  });
  const te = performance.now();
  const sampled = evaluateSampled((u, i) => net.scorePairs(u, i), evalSet, [10]);
  const seen = indexByUser(train.users, train.items, data.nUsers, data.nItems);
  // Validation items are training interactions too: exclude them from the full ranking.
  const seenAll = indexByUser(evalSet.train.users, evalSet.train.items, data.nUsers, data.nItems);
  void seen;
  const full = evaluateFull((u) => net.scoreAll(u), evalSet, seenAll, [10, 20]);
  const evalSeconds = (performance.now() - te) / 1000;
  log(`test (${valid ? `best validation epoch ${result.bestEpoch}` : `last epoch ${result.bestEpoch}`}): sampled HR@10 ${sampled['hr@10'].toFixed(4)} NDCG@10 ${sampled['ndcg@10'].toFixed(4)} | ` +
      `full HR@10 ${full['hr@10'].toFixed(4)} NDCG@10 ${full['ndcg@10'].toFixed(4)} Recall@20 ${full['recall@20'].toFixed(4)} (eval ${evalSeconds.toFixed(2)} s)`);
  if (runDir) {
    saveCheckpoint(runDir, net, {
      model, config, dataset: data.name, evalFingerprint: evalSet.fingerprint,
      info: { bestEpoch: result.bestEpoch, sampled, full, secondsPerEpoch: result.secondsPerEpoch },
    });
    log(`# checkpoint: ${runDir} (model.safetensors, config.json, log.jsonl)`);
  }
  net.dispose();
  if (a.json) {
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    console.log(JSON.stringify({
      model, dataset: data.name, epochs: result.history.length, best_epoch: result.bestEpoch,
      metrics: {
        sampled: { 'hr@10': r4(sampled['hr@10']), 'ndcg@10': r4(sampled['ndcg@10']), 'mrr@10': r4(sampled['mrr@10']) },
        full: { 'hr@10': r4(full['hr@10']), 'ndcg@10': r4(full['ndcg@10']), 'recall@10': r4(full['recall@10']), 'recall@20': r4(full['recall@20']), 'mrr@10': r4(full['mrr@10']) },
        rmse: null,
      },
      eval_fingerprint: evalSet.fingerprint,
      seconds_per_epoch: r4(result.secondsPerEpoch),
      samples_per_second: Math.round(result.samplesPerSecond),
      eval_seconds: r4(evalSeconds),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }));
  }
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
