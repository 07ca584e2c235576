/** Opening a checkpoint for eval/recommend: its model, the data set it was trained on, and checks. */
import { readCheckpointMeta, loadWeights, type CheckpointMeta } from '../io/checkpoint';
import { buildModel, type BuiltModel } from '../models/registry';
import { ncfEvalSet, type NcfEvalSet } from '../data/ncf_eval';
import type { Interactions } from '../data/dataset';
import { loadDataset } from './datasets';

export interface Opened {
  meta: CheckpointMeta;
  model: BuiltModel;
  data: Interactions;
  evalSet: NcfEvalSet;
}

export function openCheckpoint(dir: string, dataDir: string | undefined, log: (s: string) => void): Opened {
  const meta = readCheckpointMeta(dir);
  const data = loadDataset(meta.dataset, dataDir, log);
  const evalSet = ncfEvalSet(data);
  if (meta.evalFingerprint && meta.evalFingerprint !== evalSet.fingerprint)
    throw new Error(`checkpoint ${dir} was trained on ${meta.dataset} with evaluation fingerprint ${meta.evalFingerprint}, but the data found now gives ${evalSet.fingerprint}: a different copy of the data set`);
  const model = buildModel(meta.model, meta.config);
  loadWeights(dir, model);
  return { meta, model, data, evalSet };
}
