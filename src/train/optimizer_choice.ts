/** The optimizer a trainer builds from its options: Adam (default), AdamW or SGD. */
import { Adam, AdamW } from '../optim/adam';
import { SGD } from '../optim/sgd';
import type { Optimizer } from '../optim/optimizer';
import type { Module } from '../nn/module';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

export interface OptimizerOptions {
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** Default 1e-3 (Adam, AdamW), 0.01 (SGD). */
  lr?: number;
  /** The optimizer's weight decay (default 0; AdamW's default 1e-2). */
  weightDecay?: number;
}

export function makeOptimizer(model: Module, o: OptimizerOptions, who: string): Optimizer<object> {
  const params = model.parameters();
  const kind = o.optimizer ?? 'adam';
  if (kind === 'sgd') return new SGD(params, { lr: o.lr ?? 0.01, weightDecay: o.weightDecay ?? 0 }) as unknown as Optimizer<object>;
  if (kind === 'adamw') return new AdamW(params, { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay }) as unknown as Optimizer<object>;
  if (kind === 'adam') return new Adam(params, { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay ?? 0 }) as unknown as Optimizer<object>;
  throw new Error(`${who}: optimizer must be 'adam', 'adamw' or 'sgd', got ${kind}`);
}
