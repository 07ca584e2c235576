/**
 * AutoRec on ml-100k with GroupLens's own split (u1.base / u1.test by default), the protocol of
 * ../shared/peers/torch_autorec.py, so the figures compare with its RESULTS.md rows:
 *   dense ids over all of u.data (uN.base + uN.test = u.data); a seeded 5% of the training
 *   ratings held out for validation; test RMSE at the epoch with the best validation RMSE;
 *   pairs whose user or item has no training rating predicted as the training mean; clipping
 *   to the training range; objective Σ squared errors + λ/2·Σ‖W‖² (see src/train/rows.ts).
 * Progress goes to stderr; the last stdout line is one JSON object.
 *
 *   npx tsc -p . && NEUREC_DATA_DIR=/work/shared/data node dist/bench/autorec_ml100k.js
 *   node dist/bench/autorec_ml100k.js --variant user --hidden 200,100,200 --lambda 3 --epochs 400
 *
 * The validation 5% is drawn by our own seeded generator (not numpy's), so it is a different 5%
 * than the peer's: same size and protocol, different rows. Beyond the peer's protocol, each in its
 * own JSON fields: --lr-decay (plateau decay of Adam's rate), --refit (retrain on all of uN.base
 * for the selected epoch count), --ensemble K (average K seeds' predictions), and
 * all_inputs_test_rmse (the selected weights reading fit + validation ratings as input).
 */
import * as fs from 'fs';
import * as path from 'path';
import { setNumThreads } from '../src/memory';
import { loadMl100k } from '../src/data/movielens';
import { makeInteractions, selectRows, type Interactions } from '../src/data/dataset';
import { Rng } from '../src/data/rng';
import { AutoRec, type Activation, type OutputActivation } from '../src/models/autorec';
import { trainAutoRec } from '../src/train/rows';
import { loadMl100kSplit as loadSplitFiles } from '../src/data/rating_split';
import { evaluateRatings, ratingErrors, topKAccuracy } from '../src/eval/rating';
import { lrDecayArg, num, parseArgs, usage, type ArgSpec } from '../src/cli/args';

const SPEC: ArgSpec = {
  'data-dir': { help: 'folder holding ml-100k (else $NEUREC_DATA_DIR)' },
  split: { help: 'u1..u5, ua, ub', default: 'u1' },
  variant: { help: 'item | user', default: 'item' },
  hidden: { help: 'hidden sizes, comma-separated', default: '500' },
  act: { help: 'sigmoid | relu | tanh | selu | elu | identity', default: 'sigmoid' },
  out: { help: 'output activation: identity | sigmoid', default: 'identity' },
  lambda: { help: 'L2 strength λ (λ/2·Σ‖W‖²)', default: '200' },
  epochs: { help: 'at most this many epochs', default: '150' },
  patience: { help: 'stop after this many epochs without a better validation RMSE (default: run all)' },
  'lr-decay': { help: 'FACTOR,PATIENCE: multiply the learning rate by FACTOR after PATIENCE epochs without a better validation RMSE (default: constant, as the peer)' },
  ensemble: { help: 'train this many models (seeds seed, seed+1, ...; same validation split) and also report the RMSE of their averaged predictions', default: '1' },
  refit: { help: 'after selecting the epoch count on validation, retrain from scratch on all training ratings (fit + validation) for that many epochs, same learning rates, and report that model too', flag: true },
  'input-dropout': { help: 'denoising: drop each observed input rating with this probability while training', default: '0' },
  batch: { help: 'rows per batch', default: '256' },
  lr: { help: 'Adam learning rate', default: '0.001' },
  seed: { help: 'seed of init, shuffle and validation split', default: '42' },
  'val-frac': { help: 'fraction of training ratings held out for validation', default: '0.05' },
  threads: { help: 'CPU threads (default: NEUREC_NUM_THREADS or all cores)' },
  quiet: { help: 'no per-epoch lines', flag: true },
  help: { help: 'this text', flag: true },
};

/** GroupLens's uN.base / uN.test, with dense ids of the whole of u.data (as the peer densifies). */
export function loadMl100kSplit(dir: string, split: string): { train: Interactions; test: Interactions } {
  return loadSplitFiles(dir, loadMl100k(dir), split);
}

interface Context {
  a: Record<string, string | boolean>;
  n: (key: string) => number;
  base: Interactions;
  fit: Interactions;
  valid: Interactions;
  test: Interactions;
  makeModel: (seed: number) => AutoRec;
  lrDecay?: { factor: number; patience: number };
  log: (s: string) => void;
  /** Training seconds of every epoch of every model. */
  times: number[];
}

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

/** Test pairs whose user or item has no rating in `fit` (predicted as the training mean). */
function countUnseen(fit: Interactions, test: Interactions): number {
  const seenU = new Uint8Array(fit.nUsers), seenI = new Uint8Array(fit.nItems);
  for (let r = 0; r < fit.length; r++) { seenU[fit.users[r]] = 1; seenI[fit.items[r]] = 1; }
  let unseen = 0;
  for (let r = 0; r < test.length; r++) if (!seenU[test.users[r]] || !seenI[test.items[r]]) unseen++;
  return unseen;
}

/**
 * One model: trained on fit with validation-selected epoch; its test predictions, the JSON fields
 * the first model reports, and (with --refit) the predictions of the same recipe on all training data.
 */
function trainMember(c: Context, seed: number, first: boolean): { pred: Float32Array; refit: Float32Array | null; fields: Record<string, unknown> } {
  const { n, test, log } = c;
  const model = c.makeModel(seed);
  const testRmse: number[] = [];
  const result = trainAutoRec(model, c.fit, {
    epochs: n('epochs'), batchSize: n('batch'), lr: n('lr'), lambda: n('lambda'), seed, valid: c.valid, lrDecay: c.lrDecay, inputDropout: n('input-dropout'),
    patience: c.a.patience === undefined ? undefined : n('patience'),
    onEpoch: (r) => {
      // The reconstruction is cached by the validation pass: the test RMSE costs almost nothing.
      const t = evaluateRatings(model, test).rmse;
      testRmse.push(t);
      c.times.push(r.seconds);
      log(`epoch ${String(r.epoch).padStart(4)}  loss ${r.loss.toFixed(4)}  val ${r.valid!.rmse.toFixed(4)}  test ${t.toFixed(4)}  ` +
          `${r.seconds.toFixed(3)} s (+${r.validSeconds.toFixed(3)} s eval)${r.lr !== n('lr') ? `  lr ${r.lr.toExponential(2)}` : ''}${r.best ? ' *' : ''}`);
    },
  });
  const best = result.history[result.bestEpoch - 1];
  const pred = model.predictRatings(test.users, test.items);
  const te = ratingErrors(pred, test.ratings);
  log(`# seed ${seed}: best epoch ${result.bestEpoch}, val ${best.valid!.rmse.toFixed(4)}, test RMSE ${te.rmse.toFixed(4)}`);
  const fields: Record<string, unknown> = {};
  if (first) {
    const acc = topKAccuracy(null, test, [5, 10], { scores: pred });
    Object.assign(fields, {
      epochs: result.history.length, best_epoch: result.bestEpoch, val_rmse: r5(best.valid!.rmse), test_rmse: r5(te.rmse),
      final_test_rmse: r5(testRmse[testRmse.length - 1]), mae: r5(te.mae), 'acc@5': r5(acc['acc@5']), 'acc@10': r5(acc['acc@10']),
      test_ratings: test.length, test_unseen: countUnseen(c.fit, test), seconds_per_epoch: r5(result.secondsPerEpoch),
      eval_seconds_per_epoch: r5(result.history.reduce((s, h) => s + h.validSeconds, 0) / result.history.length),
    });
    // The same weights reading every training rating (fit + validation) as input: no retraining.
    model.setInputs(c.base);
    fields.all_inputs_test_rmse = r5(evaluateRatings(model, test).rmse);
  }
  model.dispose();
  let refit: Float32Array | null = null;
  if (c.a.refit) {
    // The selected number of epochs, with the same learning rates, on every training rating.
    const lrs = result.history.slice(0, result.bestEpoch).map((h) => h.lr);
    const again = c.makeModel(seed);
    trainAutoRec(again, c.base, { epochs: result.bestEpoch, batchSize: n('batch'), lambda: n('lambda'), seed, lrs, inputDropout: n('input-dropout') });
    refit = again.predictRatings(test.users, test.items);
    const re = ratingErrors(refit, test.ratings);
    if (first) Object.assign(fields, { refit_test_rmse: r5(re.rmse), refit_mae: r5(re.mae) });
    log(`# refit on all ${c.base.length} training ratings for ${result.bestEpoch} epochs: test RMSE ${re.rmse.toFixed(4)} MAE ${re.mae.toFixed(4)}`);
    again.dispose();
  }
  return { pred, refit, fields };
}

function setup(a: Record<string, string | boolean>): Context {
  const n = (k: string) => num(a, k, 'autorec_ml100k');
  if (a.threads !== undefined) setNumThreads(n('threads'));
  const root = (a['data-dir'] as string | undefined) ?? process.env.NEUREC_DATA_DIR;
  if (!root) throw new Error('autorec_ml100k: set NEUREC_DATA_DIR or pass --data-dir (the folder holding ml-100k)');
  const { train: base, test } = loadMl100kSplit(path.join(root, 'ml-100k'), String(a.split));
  // A seeded 5% of the training ratings for validation, the rest to fit.
  const perm = new Rng(n('seed') + 1).permutation(base.length);
  const nVal = Math.round(base.length * n('val-frac'));
  const valid = selectRows(base, perm.slice(0, nVal).sort(), 'valid');
  const fit = selectRows(base, perm.slice(nVal).sort(), 'fit');
  const hidden = String(a.hidden).split(',').map(Number);
  const makeModel = (seed: number) => new AutoRec({
    variant: a.variant as 'item' | 'user', nUsers: base.nUsers, nItems: base.nItems, hidden,
    activation: a.act as Activation, outputActivation: a.out as OutputActivation, seed,
  });
  const lrDecay = lrDecayArg(a, 'lr-decay', 'autorec_ml100k');
  const log = (s: string) => { if (!a.quiet) process.stderr.write(s + '\n'); };
  log(`# ${a.variant}-autorec ml-100k ${a.split}: ${fit.length} fit / ${valid.length} valid / ${test.length} test ratings, hidden [${hidden}] ${a.act}, λ ${a.lambda}`);
  return { a, n, base, fit, valid, test, makeModel, lrDecay, log, times: [] };
}

function main(): void {
  const a = parseArgs(process.argv.slice(2), SPEC, 'autorec_ml100k');
  if (a.help) {
    console.log(usage('autorec_ml100k', SPEC).replace('neurec autorec_ml100k', 'node dist/bench/autorec_ml100k.js'));
    return;
  }
  const c = setup(a);
  const { n, test } = c;
  const out: Record<string, unknown> = {
    model: `${String(a.variant)[0]}-autorec`, dataset: 'ml-100k', split: a.split, hidden: String(a.hidden), act: a.act, out: a.out,
    lam: n('lambda'), lr: n('lr'), input_dropout: n('input-dropout'), lr_decay: a['lr-decay'] ?? null, batch: n('batch'), seed: n('seed'),
  };
  const members = n('ensemble');
  const preds: Float32Array[] = [], refits: Float32Array[] = [];
  for (let k = 0; k < members; k++) {
    const m = trainMember(c, n('seed') + k, k === 0);
    Object.assign(out, m.fields);
    preds.push(m.pred);
    if (m.refit) refits.push(m.refit);
  }
  if (members > 1) {
    const average = (ps: Float32Array[]) => Float32Array.from(ps[0], (_, j) => ps.reduce((s, q) => s + q[j], 0) / ps.length);
    const e = ratingErrors(average(preds), test.ratings);
    Object.assign(out, { ensemble: members, ensemble_test_rmse: r5(e.rmse), ensemble_mae: r5(e.mae), member_test_rmse: preds.map((q) => r5(ratingErrors(q, test.ratings).rmse)) });
    if (refits.length) {
      const er = ratingErrors(average(refits), test.ratings);
      Object.assign(out, { ensemble_refit_test_rmse: r5(er.rmse), ensemble_refit_mae: r5(er.mae) });
    }
  }
  out.median_seconds_per_epoch = r5(c.times.slice().sort((x, y) => x - y)[c.times.length >> 1]);
  out.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  out.threads = a.threads ?? process.env.NEUREC_NUM_THREADS ?? 'default';
  console.log(JSON.stringify(out));
}

if (require.main === module) main();
