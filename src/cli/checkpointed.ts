/** Opening a checkpoint for eval/recommend/serve: its model, the data set it was trained on, and checks. */
import { readCheckpointMeta, loadWeights, type CheckpointMeta } from '../io/checkpoint';
import { buildModel, type BuiltModel } from '../models/registry';
import { ncfEvalSet, type NcfEvalSet } from '../data/ncf_eval';
import { ml100kFolder, ratingSplit, type RatingSplit } from '../data/rating_split';
import type { Interactions } from '../data/dataset';
import { loadDataset } from './datasets';
import { applyEvents, eventsRecordOf, replayEvents } from './stored_events';

export interface Opened {
  meta: CheckpointMeta;
  model: BuiltModel;
  data: Interactions;
  /** What the model was trained on (its items are excluded from recommendations). */
  train: Interactions;
  /** The data set as loaded, before any stored events extended its ids (what a reload may reuse). */
  base: Interactions;
  /** Ranking checkpoints: the NCF evaluation set. */
  evalSet: NcfEvalSet | null;
  /** Rating checkpoints: the rating split. */
  split: RatingSplit | null;
}

/**
 * `data`: a data set already in memory, used when the checkpoint names it (a service reloading a
 * model). A checkpoint trained with --events gets the same ids back from its store.
 */
export async function openCheckpoint(dir: string, dataDir: string | undefined, log: (s: string) => void, data0?: Interactions): Promise<Opened> {
  const meta = readCheckpointMeta(dir);
  const base = data0 && data0.name === meta.dataset ? data0 : loadDataset(meta.dataset, dataDir, log);
  const info = meta.info ?? {};
  const record = eventsRecordOf(info, dir);
  const events = record ? await replayEvents(record, base, dir) : null;
  if (typeof info.split === 'string') {
    const folder = ml100kFolder(base, { dataDir });
    let split = ratingSplit(base, info.split, Number(info.seed ?? 42), 0.05, folder);
    let data = base;
    if (events) {
      const fit = applyEvents(events, base, split.fit, 'ratings');
      split = { ...split, fit: fit.train, train: applyEvents(events, base, split.train, 'ratings').train };
      data = fit.data;
    }
    const model = buildModel(meta.model, meta.config, split.fit);
    loadWeights(dir, model);
    return { meta, model, data, base, train: split.train, evalSet: null, split };
  }
  let evalSet = ncfEvalSet(base);
  if (meta.evalFingerprint && meta.evalFingerprint !== evalSet.fingerprint)
    throw new Error(`checkpoint ${dir} was trained on ${meta.dataset} with evaluation fingerprint ${meta.evalFingerprint}, but the data found now gives ${evalSet.fingerprint}: a different copy of the data set`);
  let data = base;
  if (events) {
    const applied = applyEvents(events, base, evalSet.train, 'all');
    evalSet = { ...evalSet, train: applied.train, nUsers: applied.train.nUsers, nItems: applied.train.nItems };
    data = applied.data;
  }
  const model = buildModel(meta.model, meta.config, evalSet.train);
  loadWeights(dir, model);
  return { meta, model, data, base, train: evalSet.train, evalSet, split: null };
}
