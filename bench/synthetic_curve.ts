/**
 * The offline first run's learning curve (issue 22): NeuMF as `npm run train` trains it on the
 * default synthetic set (no data sets anywhere), epoch by epoch on the validation carve, beside
 * popularity ranked on the same validation cases, then both on the test cases.
 *
 *   node dist/bench/synthetic_curve.js [--dataset synthetic] [--epochs 20] [--seed 42]
 *
 * Same settings and seeds as the default command (NeuMF, 8 factors, layers 64-32-16-8, Adam 1e-3,
 * batch 256, 4 negatives, dense Adam, a random training item per user carved for validation), so its
 * validation column repeats what `npm run train` prints; prints a markdown table.
 */
import { resolveDataset } from '../src/data/source';
import { ncfEvalSet } from '../src/data/ncf_eval';
import { carveValidation } from '../src/data/split';
import { NCF } from '../src/models/ncf';
import { Popularity } from '../src/models/popularity';
import { trainImplicit } from '../src/train/implicit';
import { evaluateSampled } from '../src/eval/ranking';
import type { RankingMetrics } from '../src/eval/metrics';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const dataset = option('--dataset', 'synthetic'), epochs = Number(option('--epochs', '20')), seed = Number(option('--seed', '42'));

const data = resolveDataset(dataset);
const ev = ncfEvalSet(data);
const { train, valid } = carveValidation(ev.train, { seed, exclude: { users: ev.users, items: ev.items }, pick: 'random' });
const f = (m: RankingMetrics) => `${m['hr@10'].toFixed(3)} / ${m['ndcg@10'].toFixed(3)}`;
const pop = new Popularity(train);
const popValid = evaluateSampled((u, i) => pop.scorePairs(u, i), valid, [10]);
const net = new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 8, layers: [64, 32, 16, 8], initStd: 0.01, sparse: false, seed });
console.log(`${data.name}: ${data.nUsers} users, ${data.nItems} items, ${data.length} ratings; eval fingerprint ${ev.fingerprint}\n`);
console.log('| epoch | NeuMF validation HR@10 / NDCG@10 | popularity, same validation cases |');
console.log('|---|---|---|');
const r = trainImplicit(net, train, {
  epochs, lr: 1e-3, batchSize: 256, negatives: 4, seed, valid,
  onEpoch: (e) => console.log(`| ${e.epoch} | ${f(e.valid!)}${e.best ? ' *' : ''} | ${f(popValid)} |`),
});
const popTrainAll = new Popularity(ev.train);
console.log(`\nTest, the kept epoch (${r.bestEpoch}; trained without the carve): NeuMF ${f(evaluateSampled((u, i) => net.scorePairs(u, i), ev, [10]))}, ` +
  `popularity (all training data) ${f(evaluateSampled((u, i) => popTrainAll.scorePairs(u, i), ev, [10]))}`);
net.dispose();
pop.dispose();
popTrainAll.dispose();
