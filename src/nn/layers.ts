/** Building blocks for models: Linear, Embedding, a ReLU MLP tower, BatchNorm1d, Dropout. */
import { Tensor } from '../tensor';
import { Module } from './module';
import { linear } from '../ops/linear';
import { gather } from '../ops/gather';
import { batchNorm1d } from '../ops/batchnorm';
import { dropout } from '../ops/dropout';
import { heUniform, normal, uniform, xavierUniform, type Seed } from '../init';

export type LinearInit = 'xavier' | 'he' | 'lecun';

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, seed: Seed, opts: { bias?: boolean; init?: LinearInit } = {}) {
    super();
    const shape = [outFeatures, inFeatures];
    const init = opts.init ?? 'xavier';
    const w = init === 'he' ? heUniform(shape, seed) : init === 'xavier' ? xavierUniform(shape, seed) : uniform(shape, -1 / Math.sqrt(inFeatures), 1 / Math.sqrt(inFeatures), seed);
    this.weight = this.param('weight', w);
    this.bias = opts.bias === false ? null : this.param('bias', Tensor.empty([outFeatures], 'float32', undefined, true));
  }
  forward(x: Tensor, relu = false): Tensor {
    return linear(x, this.weight, this.bias, { relu });
  }
}

export class Embedding extends Module {
  readonly weight: Tensor;
  /** With `sparse`, the optimizer updates only the rows a batch touched. */
  constructor(readonly count: number, readonly dim: number, seed: Seed, opts: { std?: number; sparse?: boolean } = {}) {
    super();
    this.weight = this.param('weight', normal([count, dim], 0, opts.std ?? 0.01, seed));
    this.weight.sparseGrad = !!opts.sparse;
  }
  forward(idx: Tensor): Tensor {
    return gather(this.weight, idx);
  }
}

/** Linear layers with ReLU between (and after, when reluLast). */
export class MLPTower extends Module {
  readonly layers: Linear[];
  constructor(sizes: number[], seed: Seed, opts: { reluLast?: boolean; init?: LinearInit } = {}) {
    super();
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) this.layers.push(this.child(`layer${i}`, new Linear(sizes[i], sizes[i + 1], seed, { init: opts.init })));
    this.reluLast = opts.reluLast ?? true;
  }
  private readonly reluLast: boolean;
  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((l, i) => {
      h = l.forward(h, i < this.layers.length - 1 || this.reluLast);
    });
    return h;
  }
}

export class BatchNorm1d extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  constructor(readonly features: number, readonly opts: { momentum?: number; eps?: number } = {}) {
    super();
    const ones = Tensor.empty([features]);
    ones.handle.fill(1);
    this.gamma = this.param('gamma', ones);
    this.beta = this.param('beta', Tensor.empty([features], 'float32', undefined, true));
    this.runningMean = this.buffer('running_mean', Tensor.empty([features], 'float32', undefined, true));
    const rv = Tensor.empty([features]);
    rv.handle.fill(1);
    this.runningVar = this.buffer('running_var', rv);
  }
  forward(x: Tensor): Tensor {
    return batchNorm1d(x, this.gamma, this.beta, { runningMean: this.runningMean, runningVar: this.runningVar }, { training: this.training, ...this.opts });
  }
}

export class Dropout extends Module {
  private calls = 0;
  constructor(readonly p: number, readonly seed: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { seed: this.seed + this.calls++, training: this.training });
  }
}
