/** The optimizer a trainer builds from its options: Adam (default), AdamW or SGD. */
import { Adam, AdamW } from '../optim/adam';
import { SGD } from '../optim/sgd';
import type { Optimizer } from '../optim/optimizer';
import type { Module } from '../nn/module';
import type { Tensor } from '../tensor';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

export interface OptimizerOptions {
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** Default 1e-3 (Adam, AdamW), 0.01 (SGD). */
  lr?: number;
  /** The optimizer's weight decay (default 0; AdamW's default 1e-2). */
  weightDecay?: number;
  /**
   * Embedding tables with sparse row gradients on plain SGD at this rate, every other parameter
   * on `optimizer`: SGD rates that suit rows read a few times a batch blow up dense layers,
   * which every sample reads. Default: one optimizer for all.
   */
  tableLr?: number;
}

/** What a trainer needs of an optimizer. */
export interface Stepper extends Pick<Optimizer<object>, 'step' | 'zeroGrad' | 'dispose'> {
  /** Multiplies every learning rate (tables' and the rest's) by `factor`. */
  scaleLr(factor: number): void;
}

type WithLr = Optimizer<object> & { lr: number };

function stepper(parts: WithLr[]): Stepper {
  return {
    step: () => parts.forEach((p) => p.step()),
    zeroGrad: () => parts.forEach((p) => p.zeroGrad()),
    dispose: () => parts.forEach((p) => p.dispose()),
    scaleLr: (factor) => parts.forEach((p) => { p.lr *= factor; }),
  };
}

function single(params: Tensor[], o: OptimizerOptions, who: string): WithLr {
  const kind = o.optimizer ?? 'adam';
  if (kind === 'sgd') return new SGD(params, { lr: o.lr ?? 0.01, weightDecay: o.weightDecay ?? 0 }) as unknown as WithLr;
  if (kind === 'adamw') return new AdamW(params, { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay }) as unknown as WithLr;
  if (kind === 'adam') return new Adam(params, { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay ?? 0 }) as unknown as WithLr;
  throw new Error(`${who}: optimizer must be 'adam', 'adamw' or 'sgd', got ${kind}`);
}

export function makeOptimizer(model: Module, o: OptimizerOptions, who: string): Stepper {
  const params = model.parameters();
  if (o.tableLr === undefined) return stepper([single(params, o, who)]);
  if (!(o.tableLr >= 0 && Number.isFinite(o.tableLr))) throw new Error(`${who}: tableLr must be a finite number >= 0, got ${o.tableLr}`);
  const tables = params.filter((p) => p.sparseGrad), rest = params.filter((p) => !p.sparseGrad);
  if (tables.length === 0) throw new Error(`${who}: tableLr needs embedding tables with sparse gradients (--sparse-adam) that train, and the model has none (built without sparse gradients, or its tables are frozen)`);
  const parts: WithLr[] = [new SGD(tables, { lr: o.tableLr }) as unknown as WithLr];
  if (rest.length > 0) parts.push(single(rest, o, who));
  return stepper(parts);
}
