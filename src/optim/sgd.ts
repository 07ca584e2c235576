/**
 * SGD with momentum, Nesterov momentum and L2 weight decay, PyTorch's semantics:
 * g += wd·p; v = momentum·v + g; p -= lr·(nesterov ? g + momentum·v : v).
 * Sparse row gradients are scattered straight into the table when the step is plain
 * (no momentum, no weight decay: exactly the dense result); otherwise they are densified.
 */
import { Tensor } from '../tensor';
import { ScalarOp } from '../ops/kernel_ids';
import { kernels } from '../ops/util';
import { opError } from '../errors';
import { Optimizer, checkHyper } from './optimizer';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** Apply sparse row gradients as rows when the step allows it (default true). */
  sparse?: boolean;
}

interface SGDState {
  velocity: Tensor | null;
}

export class SGD extends Optimizer<SGDState> {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  sparse: boolean;

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    super('SGD', params);
    this.lr = checkHyper('SGD', 'lr', opts.lr, (v) => v >= 0 && Number.isFinite(v), '>= 0');
    this.momentum = checkHyper('SGD', 'momentum', opts.momentum ?? 0, (v) => v >= 0 && Number.isFinite(v), '>= 0');
    this.weightDecay = checkHyper('SGD', 'weightDecay', opts.weightDecay ?? 0, (v) => v >= 0 && Number.isFinite(v), '>= 0');
    this.nesterov = opts.nesterov ?? false;
    this.sparse = opts.sparse ?? true;
    if (this.nesterov && this.momentum === 0) throw opError('SGD', 'nesterov needs momentum > 0 but got momentum 0');
  }

  protected update(p: Tensor): void {
    const k = kernels(p.device);
    if (this.sparse && !p.grad && this.momentum === 0 && this.weightDecay === 0) {
      // p[rows] -= lr·values, duplicates summed: the scatter-add of gather's backward.
      const [R, D] = this.tableShape(p);
      const { rows, values } = this.joinedRowGrads(p);
      const scaled = Tensor.empty([rows.size, D], 'float32', p.device);
      k.scalar_fwd(scaled.handle, values.handle, values.size, ScalarOp.mul, -this.lr);
      k.gather_bwd(p.handle, scaled.handle, rows.handle, rows.size, D, R);
      return;
    }
    const g = this.denseGrad(p);
    const s = this.stateFor(p, () => ({ velocity: null }));
    if (this.momentum !== 0 && !s.velocity) s.velocity = this.zerosLike(p);
    k.sgd_step(p.handle, g.handle, this.momentum !== 0 ? s.velocity!.handle : null, p.size, this.lr, this.momentum,
      this.weightDecay, this.nesterov);
  }
}
