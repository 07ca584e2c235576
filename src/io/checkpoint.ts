/**
 * Checkpoints: a folder with `model.safetensors` (every tensor of the model by dotted name, so
 * PyTorch can read it) and `config.json` (what to rebuild the model with: its name and config,
 * the data set and the fingerprint of its evaluation set, training figures). Both files are
 * written atomically, config last, so a folder with a config always has matching weights.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Module } from '../nn/module';
import { decodeSafetensors, encodeSafetensors, writeFileAtomic, type NamedArray } from './safetensors';

export interface CheckpointMeta {
  format: 'neurec-checkpoint/1';
  model: string;
  config: Record<string, unknown>;
  dataset: string;
  evalFingerprint?: string;
  /** Anything else worth keeping: epochs, metrics, timings. */
  info?: Record<string, unknown>;
}

export function saveCheckpoint(dir: string, model: Module, meta: Omit<CheckpointMeta, 'format'>): void {
  const tensors = new Map<string, NamedArray>();
  for (const [name, t] of model.namedTensors()) {
    const data = t.toArray();
    tensors.set(name, { dtype: t.dtype === 'float32' ? 'F32' : 'I32', shape: [...t.shape], data });
  }
  writeFileAtomic(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'neurec', model: meta.model }));
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify({ format: 'neurec-checkpoint/1', ...meta }, null, 2) + '\n');
}

export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${dir}: no config.json there (is this a neurec checkpoint folder?)`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`checkpoint ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (meta.format !== 'neurec-checkpoint/1') throw new Error(`checkpoint ${file}: unknown format ${JSON.stringify(meta.format)}`);
  return meta;
}

/** Loads the weights into a model built with the checkpoint's config; names and shapes must match. */
export function loadWeights(dir: string, model: Module): void {
  const file = path.join(dir, 'model.safetensors');
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${dir}: model.safetensors is missing`);
  const { tensors } = decodeSafetensors(fs.readFileSync(file), file);
  const own = model.namedTensors();
  for (const [name, t] of own) {
    const saved = tensors.get(name);
    if (!saved) throw new Error(`checkpoint ${file}: tensor ${name} is missing (the model expects ${t.describe()})`);
    if (saved.shape.join() !== t.shape.join())
      throw new Error(`checkpoint ${file}: tensor ${name} is [${saved.shape}] but the model expects [${t.shape}]`);
    t.handle.upload(saved.data);
  }
  const extra = [...tensors.keys()].filter((n) => !own.some(([m]) => m === n));
  if (extra.length) throw new Error(`checkpoint ${file}: tensors not in the model: ${extra.join(', ')}`);
}
