/** The adapter for a loaded model, by what the model offers. */
import type { Recommender } from '../../models/types';
import { isUserVectorModel } from '../../models/user_vectors';
import { isUserRowModel } from '../../models/user_rows';
import { AutoRec } from '../../models/autorec';
import { Popularity } from '../../models/popularity';
import type { ModelAdapter } from './adapter';
import { VectorAdapter } from './vector_adapter';
import { RowAdapter } from './row_adapter';
import { ItemAutoRecAdapter } from './item_autorec_adapter';
import { PopularityAdapter } from './popularity_adapter';

export type { ModelAdapter, History } from './adapter';
export { foldSeed } from './adapter';

export interface AdapterOptions {
  /** A rating below this is a dislike: a negative for click models' fold-in, left out of a click row. */
  dislikeBelow?: number;
}

export function adapterFor(model: Recommender, opts: AdapterOptions = {}): ModelAdapter {
  if (isUserVectorModel(model)) return new VectorAdapter(model, { dislikeBelow: opts.dislikeBelow });
  if (isUserRowModel(model)) return new RowAdapter(model, opts.dislikeBelow);
  if (model instanceof AutoRec) return new ItemAutoRecAdapter(model);
  if (model instanceof Popularity) return new PopularityAdapter(model);
  throw new Error(`serve: no serving adapter for model ${model.name}`);
}
