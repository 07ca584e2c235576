/**
 * The ranking half of `neurec train` (gmf, mlp, neumf, mf, vae, popularity): implicit feedback
 * with the NCF evaluation set held out (the peers' exact test cases, fingerprint printed).
 *
 * The default run has two stages. First the epochs (and, with --lr-decay, the plateaus) are
 * chosen on a validation carve taken out of the training data, never on the test set. Then the
 * pair models (mf, gmf, mlp, neumf) are trained again from the same starting weights on all
 * training data, the carve put back, by the schedule that led to the kept weights (the
 * --lr-schedule replay): that refit model is the one saved and reported. Both models' test
 * figures are printed; --no-refit keeps the validation-selected model instead.
 */
import { NCF, type NcfKind } from '../models/ncf';
import { MF } from '../models/mf';
import { MultVAE } from '../models/multvae';
import { Popularity } from '../models/popularity';
import { buildModel, canonicalModel, type BuiltModel } from '../models/registry';
import { trainImplicit, type EpochReport, type PairModel } from '../train/implicit';
import { keptPathScales, formatLrSchedule, parseLrSchedule } from '../train/lr_schedule';
import { trainMultVae } from '../train/rows';
import { ncfEvalSet, type NcfEvalSet, type RankingEvalSet } from '../data/ncf_eval';
import { carveValidation } from '../data/split';
import { indexByUser } from '../data/csr';
import type { Interactions } from '../data/dataset';
import { allItemScorer } from '../models/user_vectors';
import { evaluateFull, evaluateSampled } from '../eval/ranking';
import type { RankingMetrics } from '../eval/metrics';
import { saveCheckpoint, readCheckpointMeta, loadWeights } from '../io/checkpoint';
import { loadDataset } from './datasets';
import { applyEvents, readStoredEvents } from './stored_events';
import { Progress } from './progress';
import { lrDecayArg, num } from './args';
import { tableUpdates, type TableUpdates } from './sparse_tables';
import { appendLog, opt, peakRssMb, r4, runDirFor, type Args } from './train';

const PAIR_MODELS = ['mf', 'gmf', 'mlp', 'neumf'];

/**
 * Which training item of each user --validation carves out: 'carve' (the default) and 'random'
 * take a random one, 'latest' the latest one (where the data has timestamps). On ml-100k, five
 * seeds, the two carves' refit models tie (HR@10 0.648 both, NDCG@10 0.373 against 0.370) and
 * the random carve's validation-selected model is the better one (0.642 / 0.370 against
 * 0.636 / 0.358: the latest items, the most telling for a leave-latest-out test, stay in
 * training), at no extra cost: bench/RESULTS.md, "The default command against the peer".
 */
function validationPick(value: string): 'latest' | 'random' | 'none' {
  if (value === 'carve' || value === 'random') return 'random';
  if (value === 'latest' || value === 'none') return value;
  throw new Error(`train: --validation must be carve, latest, random or none, got ${value}`);
}

/** The test figures of a model: the sampled protocol (timed over three runs when asked) and full ranking. */
interface TestFigures { sampled: RankingMetrics; full: RankingMetrics; sampledSeconds: number; evalSeconds: number }

function testFigures(net: BuiltModel, evalSet: NcfEvalSet, timed: boolean): TestFigures {
  const ts0 = performance.now();
  // Timed, the sampled protocol is the mean of three runs, the first one cold: the peers
  // report the mean of their per-epoch evaluations, which likewise start cold once.
  let sampled = evaluateSampled((u, i) => net.scorePairs(u, i), evalSet, [10]);
  for (let r = 0; timed && r < 2; r++) sampled = evaluateSampled((u, i) => net.scorePairs(u, i), evalSet, [10]);
  const te = performance.now();
  const sampledSeconds = (te - ts0) / (timed ? 3000 : 1000);
  // Everything the model could have trained on (validation items included) is excluded from full ranking.
  const seen = indexByUser(evalSet.train.users, evalSet.train.items, evalSet.nUsers, evalSet.nItems);
  const scorer = allItemScorer(net);
  let full: RankingMetrics;
  try {
    full = evaluateFull((u) => scorer.scoreAll(u), evalSet, seen, [10, 20]);
  } finally {
    scorer.dispose();
  }
  return { sampled, full, sampledSeconds, evalSeconds: sampledSeconds + (performance.now() - te) / 1000 };
}

function figuresLine(f: TestFigures): string {
  return `sampled HR@10 ${f.sampled['hr@10'].toFixed(4)} NDCG@10 ${f.sampled['ndcg@10'].toFixed(4)} | ` +
    `full HR@10 ${f.full['hr@10'].toFixed(4)} NDCG@10 ${f.full['ndcg@10'].toFixed(4)} Recall@20 ${f.full['recall@20'].toFixed(4)}`;
}

function metricsJson(f: TestFigures) {
  return {
    sampled: { 'hr@10': r4(f.sampled['hr@10']), 'ndcg@10': r4(f.sampled['ndcg@10']), 'mrr@10': r4(f.sampled['mrr@10']) },
    full: { 'hr@10': r4(f.full['hr@10']), 'ndcg@10': r4(f.full['ndcg@10']), 'recall@10': r4(f.full['recall@10']), 'recall@20': r4(f.full['recall@20']), 'mrr@10': r4(f.full['mrr@10']) },
  };
}

export async function trainRanker(model: string, a: Args): Promise<void> {
  const log = (s: string) => console.log(s);
  const t0 = performance.now();
  const { data, evalSet, events } = await rankingData(a, log);
  const seed = num(a, 'seed', 'train');
  const pick = validationPick(String(a.validation));
  const { train, valid } = pick === 'none' || model === 'popularity'
    ? { train: evalSet.train, valid: null }
    : carveValidation(evalSet.train, { seed, exclude: { users: evalSet.users, items: evalSet.items }, pick });
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`# ${data.name}: ${data.nUsers} users, ${data.nItems} items, ${data.length} interactions; eval fingerprint ${evalSet.fingerprint} (${evalSet.source}); validation ${valid ? valid.users.length + ' users' : 'none'}; loaded in ${loadSeconds.toFixed(1)} s`);

  if (PAIR_MODELS.includes(model) && a.resume === undefined) {
    const u = pairTableUpdates(a, evalSet);
    log(`# embedding tables: ${u.sparse ? `sparse updates (${a.optimizer === 'sgd' ? 'SGD' : 'lazy Adam'} on the rows each batch reads)` : 'dense updates'}: ${u.why}`);
  } else if (a['dense-adam']) {
    throw new Error(`train: --dense-adam applies to new mf, gmf, mlp and neumf models${a.resume === undefined ? `, not ${model}` : ' (a resumed model keeps its checkpoint\'s setting)'}`);
  }
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
  if (a.freeze !== undefined && model !== 'neumf') throw new Error(`train: --freeze applies to neumf, not ${model}`);
  const refit = !!valid && !a['no-refit'] && PAIR_MODELS.includes(model);

  let { net, config, refitted: startRefitted } = startingModel(model, a, train, evalSet, valid ? log : () => {}, log);
  const runDir = model === 'popularity' ? null : runDirFor(a, model, data.name);
  let result: { epochs: number; bestEpoch: number; secondsPerEpoch: number; samplesPerSecond: number | null; valid?: RankingMetrics | null; refit?: string; samplingSecondsPerEpoch?: number };
  let selected: TestFigures | null = null;
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
    const run = (m: BuiltModel, on: Interactions, stage: 'epoch' | 'refit', scales: readonly number[] | undefined) =>
      trainPairs(m, on, a, { stage, lrScales: scales, valid: stage === 'epoch' ? valid : null, evalSet, runDir, log });
    const r = run(net, train, 'epoch', lrScales);
    result = {
      epochs: r.history.length, bestEpoch: r.bestEpoch, secondsPerEpoch: r.secondsPerEpoch, samplesPerSecond: r.samplesPerSecond, valid: r.bestValid,
      samplingSecondsPerEpoch: r.history.length ? r.history.reduce((t, e) => t + e.sampleSeconds, 0) / r.history.length : 0,
    };
    if (valid) {
      // The carve chose the epoch; the same path is trained again with the carve put back.
      const scales = keptPathScales(r.history, r.bestEpoch);
      result.refit = scales.length ? `--lr-schedule ${formatLrSchedule(scales)}` : '--epochs 0';
      if (!refit) {
        log(`# to refit on all training data, the validation carve included: --validation none ${result.refit}`);
      } else if (!scales.length) {
        log('# refit: the starting weights were kept (epoch 0), so there is nothing to replay; they are the model');
      } else {
        selected = testFigures(net, evalSet, false);
        log(`test (validation-selected, epoch ${r.bestEpoch}, trained without the carve): ${figuresLine(selected)}`);
        net.dispose();
        ({ net, config } = startingModel(model, a, evalSet.train, evalSet, () => {}, () => {}));
        log(`# refit on all training data (the carve put back) from the same starting weights: ${result.refit}`);
        const rr = run(net, evalSet.train, 'refit', scales);
        result.secondsPerEpoch = (result.secondsPerEpoch * result.epochs + rr.secondsPerEpoch * rr.history.length) / (result.epochs + rr.history.length);
      }
    }
  }

  const final = testFigures(net, evalSet, true);
  const what = selected ? `refit on all training data, ${result.refit}` : valid ? `best validation epoch ${result.bestEpoch}` : `last epoch ${result.bestEpoch}`;
  log(`test (${what}): ${figuresLine(final)} (eval ${final.evalSeconds.toFixed(2)} s, sampled part ${final.sampledSeconds.toFixed(2)} s)`);
  if (runDir) {
    saveCheckpoint(runDir, net, {
      model, config, dataset: data.name, evalFingerprint: evalSet.fingerprint,
      info: {
        bestEpoch: selected ? scheduleLength(result.refit!) : result.bestEpoch,
        sampled: final.sampled, full: final.full, secondsPerEpoch: result.secondsPerEpoch, peakRssMb: peakRssMb(),
        // refitted: these weights have seen every training item (a refit, or a start that had).
        ...(result.refit || startRefitted ? { refit: result.refit, refitted: !!selected || startRefitted } : {}),
        ...(selected ? { selectedEpoch: result.bestEpoch, selected: { sampled: selected.sampled, full: selected.full } } : {}),
        ...(events ? { events: events.record } : {}),
      },
    });
    log(`# checkpoint: ${runDir} (model.safetensors, config.json, log.jsonl)${selected ? ': the refit model' : ''}`);
  }
  net.dispose();
  if (a.json) {
    console.log(JSON.stringify({
      model, dataset: data.name, epochs: result.epochs, best_epoch: result.bestEpoch,
      metrics: { ...metricsJson(final), rmse: null },
      valid: result.valid ? { 'hr@10': r4(result.valid['hr@10']), 'ndcg@10': r4(result.valid['ndcg@10']) } : null,
      refit: selected ? { schedule: result.refit, epochs: scheduleLength(result.refit!) } : null,
      selected: selected ? metricsJson(selected) : null,
      eval_fingerprint: evalSet.fingerprint,
      interactions: data.length, load_seconds: r4(loadSeconds),
      seconds_per_epoch: r4(result.secondsPerEpoch),
      sampling_seconds_per_epoch: result.samplingSecondsPerEpoch === undefined ? null : r4(result.samplingSecondsPerEpoch),
      samples_per_second: result.samplesPerSecond === null ? null : Math.round(result.samplesPerSecond),
      eval_seconds: r4(final.evalSeconds),
      sampled_eval_seconds: r4(final.sampledSeconds),
      peak_rss_mb: peakRssMb(),
    }));
  }
}

/**
 * The data set's figures, its evaluation set and the stored events. The loaded table itself is
 * not kept: the evaluation set holds its own copy of the training part, and at ml-20m's size
 * another 400 MB held through training would break the 2 GB bound.
 */
async function rankingData(a: Args, log: (s: string) => void) {
  const loaded = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, log);
  let evalSet = ncfEvalSet(loaded);
  // --events: what a service stored joins the training part (the test cases stay the data set's own).
  const events = a.events === undefined ? null : await readStoredEvents(String(a.events), loaded);
  if (events) {
    const train = applyEvents(events, loaded, evalSet.train, 'all').train;
    evalSet = { ...evalSet, train, nUsers: train.nUsers, nItems: train.nItems };
    log(`# events: ${events.record.events} stored events up to #${events.record.upToSeq} of ${events.record.store}, ${events.record.newUsers} new users, ${events.record.newItems} new items`);
  }
  const data = { name: loaded.name, nUsers: loaded.nUsers, nItems: loaded.nItems, length: loaded.length };
  return { data, evalSet, events };
}

/** Sparse or dense table updates for a new pair model (see sparse_tables.ts). */
function pairTableUpdates(a: Args, evalSet: NcfEvalSet): TableUpdates {
  return tableUpdates(a, evalSet.nUsers + evalSet.nItems, opt(a, 'batch', 256));
}

function scheduleLength(refit: string): number {
  return refit.startsWith('--lr-schedule ') ? parseLrSchedule(refit.slice('--lr-schedule '.length), 'train').length : 0;
}

/** One training stage of a pair model: the validated run ('epoch') or its replay on all data ('refit'). */
function trainPairs(net: BuiltModel, train: Interactions, a: Args, s: {
  stage: 'epoch' | 'refit'; lrScales?: readonly number[]; valid: RankingEvalSet | null;
  evalSet: NcfEvalSet; runDir: string | null; log: (s: string) => void;
}) {
  const bar = new Progress();
  const B = opt(a, 'batch', 256);
  const seed = num(a, 'seed', 'train');
  let epochNo = 1;
  const label = s.stage === 'refit' ? 'refit' : 'epoch';
  return trainImplicit(net as unknown as PairModel, train, {
    onProgress: (done, total, loss) => {
      if (done <= B) bar.begin();
      bar.update(`${label} ${epochNo}`, done, total, loss);
    },
    epochs: s.lrScales ? s.lrScales.length : opt(a, 'epochs', 20), lrScales: s.lrScales, batchSize: B, lr: opt(a, 'lr', a.optimizer === 'sgd' ? 0.01 : 1e-3),
    optimizer: a.optimizer as 'adam' | 'adamw' | 'sgd', weightDecay: num(a, 'weight-decay', 'train'), rowL2: num(a, 'row-l2', 'train'),
    tableLr: a['table-lr'] === undefined ? undefined : num(a, 'table-lr', 'train'),
    negatives: num(a, 'negatives', 'train'), seed, valid: s.valid, validateStart: !!(s.valid && (a.pretrain || a.resume)),
    // The replay runs its schedule to the end: no early stop, no plateaus.
    patience: s.stage === 'epoch' && a.patience !== undefined ? num(a, 'patience', 'train') : undefined,
    lrDecay: s.stage === 'epoch' ? lrDecayArg(a, 'lr-decay', 'train') : undefined,
    onEpoch: (e: EpochReport) => {
      bar.clear();
      epochNo = e.epoch + 1;
      const test = a['test-each-epoch'] ? evaluateSampled((u, i) => net.scorePairs(u, i), s.evalSet, [10]) : null;
      const record = s.stage === 'refit' ? { stage: 'refit', ...e } : e;
      appendLog(s.runDir, test ? { ...record, test } : record);
      const shown = test ? ` (test HR@10 ${test['hr@10'].toFixed(4)} NDCG@10 ${test['ndcg@10'].toFixed(4)})` : '';
      const valid = (e.valid ? `valid HR@10 ${e.valid['hr@10'].toFixed(4)} NDCG@10 ${e.valid['ndcg@10'].toFixed(4)}` : '') + shown;
      if (e.epoch === 0) return s.log(`epoch   0 (starting weights) ${valid} *`);
      s.log(`${label} ${String(e.epoch).padStart(3)} loss ${e.loss.toFixed(4)} ${valid ? valid + ' ' : ''}` +
          `${e.seconds.toFixed(2)} s (${Math.round(e.samplesPerSecond)} samples/s, sampling ${e.sampleSeconds.toFixed(2)} s)` +
          `${e.lrScale < 1 ? ` lr×${+e.lrScale.toPrecision(3)}` : ''}${e.best && s.stage === 'epoch' ? ' *' : ''}`);
    },
  });
}

/**
 * The model as training starts: new (seeded), pre-trained (--pretrain), or resumed (--resume),
 * with --freeze applied. Built the same way twice when a refit follows the validated run.
 */
function startingModel(model: string, a: Args, train: Interactions, evalSet: NcfEvalSet, warn: (s: string) => void, log: (s: string) => void): { net: BuiltModel; config: Record<string, unknown>; refitted: boolean } {
  const base = { nUsers: evalSet.nUsers, nItems: evalSet.nItems, seed: num(a, 'seed', 'train') };
  let config: Record<string, unknown> = {};
  let net: BuiltModel;
  const refitted = [a.resume, ...(a.pretrain ? String(a.pretrain).split(',') : [])]
    .some((dir) => typeof dir === 'string' && dir !== 'fresh' && readCheckpointMeta(dir).info?.refitted === true);
  if (model === 'popularity') {
    net = new Popularity(train);
  } else if (model === 'vae') {
    config = { ...base };
    net = new MultVAE(config as unknown as ConstructorParameters<typeof MultVAE>[0]);
  } else if (model === 'mf') {
    config = { ...base, objective: 'implicit', factors: opt(a, 'factors', 64), sparse: pairTableUpdates(a, evalSet).sparse, initStd: opt(a, 'init-std', 0.1) };
    net = new MF(config as unknown as ConstructorParameters<typeof MF>[0]);
  } else {
    config = { ...base, model, factors: opt(a, 'factors', 8), layers: String(a.layers).split(',').map(Number), sparse: pairTableUpdates(a, evalSet).sparse, initStd: opt(a, 'init-std', 0.01), ...(a['unit-h'] ? { unitH: true } : {}) };
    net = pretrainedOrNew(model as NcfKind, config, a, evalSet.fingerprint, warn, log);
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
    warnIfRefitted(String(a.resume), meta.info, warn);
  }
  if (a.freeze !== undefined) {
    const parts = [...new Set(String(a.freeze).split(','))]; // 'gmf,gmf' is one part
    for (const part of parts) {
      if (part !== 'gmf' && part !== 'mlp') throw new Error(`train: --freeze takes gmf, mlp or gmf,mlp, got ${a.freeze}`);
      (net as NCF).freeze(part);
    }
    const what = parts.length > 1 ? 'parts frozen: only the predict layer trains' : 'part frozen: its weights stay as they start';
    log(`# ${parts.join(' and ')} ${what}`);
  }
  return { net, config, refitted };
}

/**
 * A checkpoint refit on all training data has seen every item a validation carve takes out, so
 * validating from its weights flatters them (epoch 0 of a resumed refit model always wins).
 */
function warnIfRefitted(dir: string, info: Record<string, unknown> | undefined, warn: (s: string) => void): void {
  if (info?.refitted === true)
    warn(`# note: ${dir} was refit on all training data, validation items included, so validation scores from it are optimistic ` +
      '(to fine-tune on a carve, train it with --no-refit; to train on, use --validation none)');
}

function pretrainedOrNew(model: NcfKind, config: Record<string, unknown>, a: Args, fingerprint: string, warn: (s: string) => void, log: (s: string) => void): NCF {
  if (!a.pretrain) return buildModel(model, config) as NCF;
  if (model !== 'neumf') throw new Error(`train: --pretrain applies to neumf, not ${model}`);
  const [gDir, mDir] = String(a.pretrain).split(',');
  if (!gDir || !mDir) throw new Error('train: --pretrain needs two folders: <gmf checkpoint>,<mlp checkpoint> (either may be "fresh")');
  const load = (dir: string) => (dir === 'fresh' ? null : loadNcfCheckpoint(dir, fingerprint, warn));
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
function loadNcfCheckpoint(dir: string, fingerprint: string, warn: (s: string) => void): NCF {
  const meta = readCheckpointMeta(dir);
  warnIfRefitted(dir, meta.info, warn);
  if (meta.evalFingerprint !== fingerprint)
    throw new Error(`train: checkpoint ${dir} was trained on data with fingerprint ${meta.evalFingerprint}, not ${fingerprint}`);
  const m = new NCF(meta.config as unknown as ConstructorParameters<typeof NCF>[0]);
  loadWeights(dir, m);
  return m;
}
