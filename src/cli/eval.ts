/** `neurec eval --checkpoint <dir>`: both ranking protocols on the checkpoint's data set. */
import { indexByUser } from '../data/csr';
import { allItemScorer } from '../models/user_vectors';
import { evaluateFull, evaluateSampled } from '../eval/ranking';
import { evaluatePairRatings } from '../eval/pairs_rating';
import type { RankingMetrics } from '../eval/metrics';
import type { RatingModel } from '../models/types';
import { openCheckpoint } from './checkpointed';
import { parseArgs, usage, type ArgSpec } from './args';

const SPEC: ArgSpec = {
  checkpoint: { help: 'checkpoint folder written by neurec train' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

export async function evalCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, SPEC, 'eval');
  if (a.help) return void console.log(usage('eval', SPEC));
  if (!a.checkpoint) throw new Error('eval: --checkpoint <dir> is required');
  const t0 = performance.now();
  const { meta, model, data, evalSet, split } = await openCheckpoint(String(a.checkpoint), a['data-dir'] as string | undefined, (s) => console.log(s));
  if (split) {
    const m = evaluatePairRatings((u, i) => (model as unknown as RatingModel).predictRatings(u, i), split.test);
    model.dispose();
    console.log(`${meta.model} on ${data.name} split ${split.name}: RMSE ${m.rmse.toFixed(4)} MAE ${m.mae.toFixed(4)} on ${m.count} ratings`);
    if (a.json) console.log(JSON.stringify({ model: meta.model, dataset: data.name, split: split.name, metrics: { sampled: null, full: null, rmse: m.rmse, mae: m.mae } }));
    return;
  }
  if (!evalSet) throw new Error('eval: the checkpoint has neither an evaluation set nor a rating split');
  const sampled = evaluateSampled((u, i) => model.scorePairs(u, i), evalSet, [10]);
  const seen = indexByUser(evalSet.train.users, evalSet.train.items, data.nUsers, data.nItems);
  const scorer = allItemScorer(model);
  let full: RankingMetrics;
  try {
    full = evaluateFull((u) => scorer.scoreAll(u), evalSet, seen, [10, 20]);
  } finally {
    scorer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  console.log(`${meta.model} on ${data.name} (fingerprint ${evalSet.fingerprint}): sampled HR@10 ${sampled['hr@10'].toFixed(4)} NDCG@10 ${sampled['ndcg@10'].toFixed(4)} | full HR@10 ${full['hr@10'].toFixed(4)} NDCG@10 ${full['ndcg@10'].toFixed(4)} Recall@20 ${full['recall@20'].toFixed(4)} (${seconds.toFixed(2)} s)`);
  if (a.json) console.log(JSON.stringify({ model: meta.model, dataset: data.name, metrics: { sampled, full, rmse: null }, eval_fingerprint: evalSet.fingerprint, seconds }));
}
