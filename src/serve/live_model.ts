/**
 * A model as the service holds it: the trained model, its catalog, the adapter that scores
 * users with it, and a version string that names the exact weights. A reload builds a new
 * LiveModel beside the old one and swaps; the old one is disposed once no batch uses it.
 */
import * as crypto from 'crypto';
import { Tensor } from '../tensor';
import { tidy } from '../scope';
import { matmul } from '../ops/linear';
import { topk } from '../ops/topk';
import type { Interactions } from '../data/dataset';
import type { Recommender } from '../models/types';
import { Catalog } from './catalog';
import { adapterFor, type ModelAdapter } from './adapters';
import { normalizeRows } from './adapters/normalize';

export interface LiveModelInfo {
  /** Model name (neumf, autorec, ...). */
  name: string;
  /** Names the exact weights: model name and a hash of the weights file (or of the weights). */
  version: string;
  /** Where it came from (a checkpoint folder), if anywhere. */
  source?: string;
  /** The data set as loaded, before stored events extended its ids (a reload may reuse it). */
  baseData?: Interactions;
  /** The model was trained on stored events up to this seq (later ones are new to it). */
  eventsUpTo?: number;
}

export class LiveModel {
  readonly adapter: ModelAdapter;
  readonly loadedAt = new Date();
  private items: { data: Float32Array; dim: number } | null | undefined;
  private itemTensor: Tensor | null = null;

  constructor(readonly model: Recommender & { dispose(): void; eval?: () => unknown }, readonly catalog: Catalog, readonly info: LiveModelInfo) {
    model.eval?.();
    // Served weights never train: fold-in differentiates only its user vector, and no
    // gradient of a weight is ever computed or kept.
    for (const t of (model as { parameters?: () => Tensor[] }).parameters?.() ?? []) t.requireGrad(false);
    if (model.nItems !== catalog.nItems || model.nUsers !== catalog.nUsers)
      throw new Error(`serve: model ${info.name} has ${model.nUsers} users × ${model.nItems} items but the data ${catalog.name} ${catalog.nUsers} × ${catalog.nItems}`);
    // On a rating scale, ratings below its middle (1 and 2 of 1..5) are dislikes when folding in.
    const [lo, hi] = catalog.ratingScale;
    this.adapter = adapterFor(model, { dislikeBelow: catalog.implicit ? undefined : (lo + hi) / 2 });
  }

  /** A live model from a model in memory and the data it was trained on (tests, embedding in an app). */
  static fromModel(model: Recommender & { dispose(): void }, data: Interactions, train: Interactions = data, info: Partial<LiveModelInfo> = {}): LiveModel {
    const name = info.name ?? model.name;
    return new LiveModel(model, new Catalog(data, train), { name, version: info.version ?? `${name}@${weightsHash(model)}`, source: info.source });
  }

  get name(): string {
    return this.info.name;
  }

  get version(): string {
    return this.info.version;
  }

  /** Items nearest to item i by the model's item representation (cosine), best first; null when the model has none. */
  similarItems(i: number, k: number): { items: Int32Array; scores: Float32Array } | null {
    if (this.items === undefined) {
      const v = this.adapter.itemVectors();
      this.items = v && { data: normalizeRows(v.data, v.dim), dim: v.dim };
      if (this.items) this.itemTensor = Tensor.fromArray(this.items.data, [this.catalog.nItems, this.items.dim]).keep();
    }
    if (!this.items || !this.itemTensor) return null;
    const { dim } = this.items, all = this.itemTensor;
    const kk = Math.min(k, this.catalog.nItems - 1);
    return tidy(() => {
      const q = Tensor.fromArray(this.items!.data.subarray(i * dim, (i + 1) * dim), [1, dim]);
      const exclude = { ptr: Tensor.fromArray(Int32Array.of(0, 1), [2], 'int32'), idx: Tensor.fromArray(Int32Array.of(i), [1], 'int32') };
      const top = topk(matmul(q, all, { transB: true }), kk, { exclude });
      return { items: top.indices.toArray() as Int32Array, scores: top.values.toFloat32Array() };
    });
  }

  dispose(): void {
    this.adapter.dispose();
    this.itemTensor?.dispose();
    this.catalog.dispose();
    this.model.dispose();
  }
}

/** A short hash of every weight of a model (for a model not read from a file). */
export function weightsHash(model: object): string {
  const h = crypto.createHash('sha256');
  const named = (model as { namedTensors?: () => [string, Tensor][] }).namedTensors?.() ?? [];
  for (const [n, t] of named) {
    h.update(n);
    const a = t.toArray();
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex').slice(0, 12);
}

/** A short hash of a weights file's bytes. */
export function fileHash(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}
