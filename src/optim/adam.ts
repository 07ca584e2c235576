/**
 * Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay: p -= lr·wd·p), one
 * fused native pass per parameter. A table with sparse row gradients takes the lazy update
 * (torch SparseAdam, TF LazyAdam): only the rows a batch touched move, and only their moments
 * decay; `step` counts the parameter's updates, for the bias correction. `sparse: false`
 * densifies the rows and runs the dense update instead.
 */
import { Tensor } from '../tensor';
import { kernels } from '../ops/util';
import { opError } from '../errors';
import { Optimizer, checkHyper } from './optimizer';

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Default 0 (Adam), 1e-2 (AdamW). */
  weightDecay?: number;
  /** Lazy row updates for parameters with sparse row gradients (default true). */
  sparse?: boolean;
}

interface AdamState {
  /** Updates taken so far (the bias correction uses step + 1 for the next one). */
  step: number;
  m: Tensor;
  v: Tensor;
}

export class Adam extends Optimizer<AdamState> {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  sparse: boolean;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}, readonly decoupled = false) {
    super(decoupled ? 'AdamW' : 'Adam', params);
    const op = this.name, finite = Number.isFinite;
    this.lr = checkHyper(op, 'lr', opts.lr ?? 1e-3, (v) => v >= 0 && finite(v), '>= 0');
    const betas = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw opError(op, `expected betas [beta1, beta2] but got ${betas}`);
    betas.forEach((b, i) => checkHyper(op, `betas[${i}]`, b, (v) => v >= 0 && v < 1, 'in [0, 1)'));
    this.betas = [betas[0], betas[1]];
    this.eps = checkHyper(op, 'eps', opts.eps ?? 1e-8, (v) => v >= 0 && finite(v), '>= 0');
    this.weightDecay = checkHyper(op, 'weightDecay', opts.weightDecay ?? (decoupled ? 1e-2 : 0), (v) => v >= 0 && finite(v), '>= 0');
    this.sparse = opts.sparse ?? true;
  }

  protected update(p: Tensor): void {
    const k = kernels(p.device);
    const s = this.stateFor(p, () => ({ step: 0, m: this.zerosLike(p), v: this.zerosLike(p) }));
    const [b1, b2] = this.betas;
    if (this.sparse && !p.grad) {
      const [R, D] = this.tableShape(p);
      const { rows, values, count } = this.coalescedRowGrads(p);
      k.sparse_adam_step(p.handle, s.m.handle, s.v.handle, rows.handle, values.handle, count, D, R, this.lr, b1, b2,
        this.eps, this.weightDecay, s.step + 1, this.decoupled);
    } else {
      const g = this.denseGrad(p);
      k.adam_step(p.handle, g.handle, s.m.handle, s.v.handle, p.size, this.lr, b1, b2, this.eps, this.weightDecay,
        s.step + 1, this.decoupled);
    }
    s.step++;  // after the kernel: a step that threw is not counted
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); weightDecay defaults to 1e-2. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, opts, true);
  }
}
