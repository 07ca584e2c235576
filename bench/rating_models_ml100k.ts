/**
 * RMSE / MAE of the explicit pair models on GroupLens's own ml-100k split (u1.base / u1.test,
 * or u2..u5, ua, ub with --split): MF on ratings, seed 000's rating classifier and seed 003's
 * side-feature model, plus the global-mean baseline. 5% of the base file is carved out (seeded)
 * for epoch selection and early stopping; the test file is scored once, with the selected
 * weights. One JSON line per model. `cold` is the side-feature model's cold start: 10% of the
 * users (seeded) lose every training row, and their test ratings are predicted from their
 * profile alone (scoreProfile), against the global mean on the same rows.
 *
 *   npx tsc -p . && node dist/bench/rating_models_ml100k.js [--data-dir DIR] [--split u1]
 *       [--models mean,mf,classifier,features,cold] [--epochs N] [--seed 42] [--threads N]
 *
 * DIR holds ml-100k/ (default $NEUREC_DATA_DIR). Progress goes to stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { setNumThreads } from '../src';
import { loadMl100k } from '../src/data/movielens';
import { selectRows, type Interactions } from '../src/data/dataset';
import { randomSplit } from '../src/data/split';
import { Rng } from '../src/data/rng';
import { profileOf } from '../src/models/popularity';
import { MF } from '../src/models/mf';
import { RatingClassifier } from '../src/models/classifier';
import { FeatureModel } from '../src/models/features';
import { trainRatings, type ExplicitPairModel, type RatingTrainOptions } from '../src/train/ratings';
import { evaluatePairRatings, meanRating, ratingMetrics } from '../src/eval/pairs_rating';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Rows of `data` (loaded from u.data) listed in a GroupLens split file (user \t item \t rating \t time). */
function rowsOfSplitFile(data: Interactions, file: string, key: Map<number, number>): Int32Array {
  const lines = fs.readFileSync(file, 'latin1').split('\n').filter((l) => l.trim() !== '');
  return Int32Array.from(lines, (line, k) => {
    const [u, i] = line.split('\t').map(Number);
    const du = data.userIds.dense(u), di = data.itemIds.dense(i);
    const r = du < 0 || di < 0 ? undefined : key.get(du * data.nItems + di);
    if (r === undefined) throw new Error(`${file} line ${k + 1}: (user ${u}, item ${i}) is not in u.data`);
    return r;
  });
}

interface ModelSpec {
  build(train: Interactions, seed: number): ExplicitPairModel;
  train: Omit<RatingTrainOptions, 'valid' | 'seed'>;
  describe: Record<string, unknown>;
}

function specs(epochs: number | undefined): Record<string, ModelSpec> {
  return {
    mf: {
      build: (t, seed) => MF.forRatings(t, { factors: 64, l2: 0.1, seed }),
      train: { epochs: epochs ?? 40, batchSize: 256, lr: 2e-3, patience: 3 },
      describe: { factors: 64, l2: 0.1, l2Bias: 0.01, batch: 256, lr: 2e-3, optimizer: 'adam (lazy rows)' },
    },
    classifier: {
      build: (t, seed) => RatingClassifier.forRatings(t, { embeddingDim: 32, seed }),
      train: { epochs: epochs ?? 30, batchSize: 256, lr: 1e-3, weightDecay: 1e-3, patience: 3 },
      describe: { embeddingDim: 32, hidden: [128, 64, 32, 16, 8], classes: [1, 2, 3, 4, 5], batch: 256, lr: 1e-3, weightDecay: 1e-3, optimizer: 'adam (lazy rows)' },
    },
    features: {
      build: (t, seed) => FeatureModel.forRatings(t, { embeddingDim: 32, hidden: 64, dropout: 0.2, coldStartRate: 0.1, seed }),
      train: { epochs: epochs ?? 30, batchSize: 256, lr: 1e-3, weightDecay: 1e-3, patience: 3 },
      describe: { embeddingDim: 32, hidden: 64, dropout: 0.2, coldStartRate: 0.1, batch: 256, lr: 1e-3, weightDecay: 1e-3, optimizer: 'adam (lazy rows)' },
    },
  };
}

/** The side-feature model on users it never saw: trained without 10% of the users, scored from profiles. */
function coldStart(train: Interactions, valid: Interactions, test: Interactions, spec: ModelSpec, seed: number) {
  const t0 = performance.now();
  const rng = new Rng(seed);
  const cold = new Uint8Array(train.nUsers);
  for (let u = 0; u < train.nUsers; u++) cold[u] = rng.next() < 0.1 ? 1 : 0;
  const warm = (d: Interactions) => selectRows(d, Uint8Array.from(d.users, (u) => 1 - cold[u]));
  const model = spec.build(train, seed) as FeatureModel;
  const result = trainRatings(model, warm(train), { ...spec.train, seed, valid: warm(valid) });
  const rows = selectRows(test, Uint8Array.from(test.users, (u) => cold[u]));
  const pred = new Float32Array(rows.length), predMean = new Float32Array(rows.length);
  for (let u = 0; u < train.nUsers; u++) {
    if (!cold[u]) continue;
    const idx: number[] = [];
    for (let r = 0; r < rows.length; r++) if (rows.users[r] === u) idx.push(r);
    if (!idx.length) continue;
    const items = Int32Array.from(idx, (r) => rows.items[r]);
    const p = profileOf(train.userMeta!, u);
    const z = model.scoreProfile(p, items), m = model.scoreProfile(p, items, { coldUser: 'mean' });
    idx.forEach((r, k) => { pred[r] = z[k]; predMean[r] = m[k]; });
  }
  const m = ratingMetrics(pred, rows.ratings), mm = ratingMetrics(predMean, rows.ratings);
  const base = ratingMetrics(new Float32Array(rows.length).fill(meanRating(warm(train).ratings)), rows.ratings);
  model.dispose();
  return {
    model: 'features-cold-start', coldUsers: cold.reduce((a, b) => a + b, 0), coldTestRatings: rows.length,
    rmse: +m.rmse.toFixed(4), mae: +m.mae.toFixed(4), rmseMeanEmbedding: +mm.rmse.toFixed(4),
    globalMeanRmse: +base.rmse.toFixed(4), globalMeanMae: +base.mae.toFixed(4), bestEpoch: result.bestEpoch,
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
  };
}

function main(): void {
  const root = option('data-dir') ?? process.env.NEUREC_DATA_DIR;
  if (!root) throw new Error('rating_models_ml100k: pass --data-dir DIR or set NEUREC_DATA_DIR (DIR/ml-100k holds u.data, u1.base, ...)');
  const dir = path.join(root, 'ml-100k');
  const split = option('split') ?? 'u1';
  const seed = Number(option('seed') ?? 42);
  const epochs = option('epochs') === undefined ? undefined : Number(option('epochs'));
  if (option('threads')) setNumThreads(Number(option('threads')));
  const models = (option('models') ?? 'mean,mf,classifier,features,cold').split(',');

  const data = loadMl100k(dir);
  const key = new Map<number, number>();
  for (let r = 0; r < data.length; r++) key.set(data.users[r] * data.nItems + data.items[r], r);
  const base = selectRows(data, rowsOfSplitFile(data, path.join(dir, `${split}.base`), key), `ml-100k ${split}.base`);
  const test = selectRows(data, rowsOfSplitFile(data, path.join(dir, `${split}.test`), key), `ml-100k ${split}.test`);
  const { train, test: valid } = randomSplit(base, { testFraction: 0.05, seed });
  const where = { data: `ml-100k ${split}.base/${split}.test`, train: train.length, valid: valid.length, test: test.length, seed };
  console.error(`# ${where.data}: train ${train.length}, valid ${valid.length} (5% of ${split}.base), test ${test.length}`);

  const all = specs(epochs);
  for (const name of models) {
    if (name === 'mean') {
      const mu = meanRating(train.ratings);
      const m = ratingMetrics(new Float32Array(test.length).fill(mu), test.ratings);
      console.log(JSON.stringify({ model: 'global-mean', ...where, rmse: +m.rmse.toFixed(4), mae: +m.mae.toFixed(4) }));
      continue;
    }
    if (name === 'cold') {
      console.log(JSON.stringify({ ...coldStart(train, valid, test, all.features, seed), ...where }));
      continue;
    }
    const spec = all[name];
    if (!spec) throw new Error(`rating_models_ml100k: unknown model "${name}" (expected mean, ${Object.keys(all).join(', ')})`);
    const t0 = performance.now();
    const model = spec.build(train, seed);
    const result = trainRatings(model, train, {
      ...spec.train, seed, valid,
      onEpoch: (r) => console.error(`${name} epoch ${r.epoch} loss ${r.loss.toFixed(4)} valid RMSE ${r.valid?.rmse.toFixed(4)} MAE ${r.valid?.mae.toFixed(4)} ${r.seconds.toFixed(1)} s${r.best ? ' *' : ''}`),
    });
    const m = evaluatePairRatings((u, i) => model.predictRatings(u, i), test);
    const seconds = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({
      model: name, ...where, rmse: +m.rmse.toFixed(4), mae: +m.mae.toFixed(4),
      validRmse: +(result.bestValid?.rmse ?? NaN).toFixed(4), bestEpoch: result.bestEpoch, epochsRun: result.history.length,
      secondsPerEpoch: +result.secondsPerEpoch.toFixed(2), seconds: +seconds.toFixed(1), config: spec.describe,
    }));
    model.dispose();
  }
}

main();
