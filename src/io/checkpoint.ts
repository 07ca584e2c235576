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
  let meta: unknown;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`checkpoint ${file}: not valid JSON (${(e as Error).message})`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(meta)) throw new Error(`checkpoint ${file}: expected a JSON object, got ${JSON.stringify(meta)}`);
  if (meta.format !== 'neurec-checkpoint/1') throw new Error(`checkpoint ${file}: unknown format ${JSON.stringify(meta.format)}`);
  const field = (key: string, ok: boolean, what: string) => {
    if (!ok) throw new Error(`checkpoint ${file}: field "${key}" must be ${what}, got ${JSON.stringify(meta[key]) ?? 'nothing'}`);
  };
  field('model', typeof meta.model === 'string' && meta.model !== '', 'a model name');
  field('config', isObject(meta.config), 'an object (the model\'s configuration)');
  field('dataset', typeof meta.dataset === 'string' && meta.dataset !== '', 'a data set name');
  field('evalFingerprint', meta.evalFingerprint === undefined || typeof meta.evalFingerprint === 'string', 'a string when present');
  field('info', meta.info === undefined || isObject(meta.info), 'an object when present');
  return meta as unknown as CheckpointMeta;
}

/**
 * Loads the weights into a model built with the checkpoint's config: names, shapes and dtypes
 * must match and every float weight must be finite, or nothing is loaded.
 */
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
    if (saved.dtype !== (t.dtype === 'float32' ? 'F32' : 'I32'))
      throw new Error(`checkpoint ${file}: tensor ${name} is ${saved.dtype} but the model expects ${t.dtype}`);
    // A NaN or infinite weight makes every score it touches NaN: refuse it here, by name.
    const bad = saved.dtype === 'F32' ? countNonFinite(saved.data as Float32Array) : null;
    if (bad) throw new Error(`checkpoint ${file}: tensor ${name} holds ${bad.count} of ${saved.data.length} values that are NaN or infinite (the first at index ${bad.first}): the weights are corrupt, or training diverged`);
  }
  const extra = [...tensors.keys()].filter((n) => !own.some(([m]) => m === n));
  if (extra.length) throw new Error(`checkpoint ${file}: tensors not in the model: ${extra.join(', ')}`);
  // Every tensor checked first, so a refused checkpoint leaves the model as it was.
  for (const [name, t] of own) t.handle.upload(tensors.get(name)!.data);
}

function countNonFinite(a: Float32Array): { count: number; first: number } | null {
  let count = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) { // NaN or ±Infinity
      if (count++ === 0) first = i;
    }
  }
  return count ? { count, first } : null;
}
