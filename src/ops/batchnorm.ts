/**
 * BatchNorm1d over a batch of feature rows x [M,N]: each feature is normalised by batch
 * statistics when training (and the running stats move towards them, in place) or by the
 * running stats in eval, then scaled by gamma and shifted by beta. PyTorch's semantics:
 * biased variance to normalise, unbiased variance in the running average.
 */
import { Tensor, type Device } from '../tensor';
import { record } from '../autograd';
import { fmtShape, opError } from '../errors';
import { empty, expectDType, expectRank, kernels, sameDevice } from './util';

/** Running statistics per feature, updated in place by training-mode calls. */
export interface BatchNormState {
  runningMean: Tensor;
  runningVar: Tensor;
}

export interface BatchNormOptions {
  training: boolean;
  /** Weight of the batch statistics in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Fresh running stats for `features` features (mean 0, variance 1), kept out of tidy scopes. */
export function batchNormState(features: number, device: Device = 'cpu'): BatchNormState {
  const runningMean = Tensor.empty([features], 'float32', device, true).keep();
  const runningVar = Tensor.empty([features], 'float32', device).keep();
  runningVar.handle.fill(1);
  return { runningMean, runningVar };
}

/** x [M,N]; gamma, beta [N] or null (no affine); state null: no running stats (training only). */
export function batchNorm1d(x: Tensor, gamma: Tensor | null, beta: Tensor | null, state: BatchNormState | null, opts: BatchNormOptions): Tensor {
  const op = 'batchNorm1d';
  const dev = sameDevice(op, x, gamma, beta, state?.runningMean, state?.runningVar);
  expectDType(op, 'x', x, 'float32');
  expectRank(op, 'x', x, 2);
  const [M, N] = x.shape;
  const perFeature = (name: string, t: Tensor | null | undefined) => {
    if (!t) return;
    expectDType(op, name, t, 'float32');
    if (t.rank !== 1 || t.shape[0] !== N)
      throw opError(op, `expected ${name} [${N}] (the features of x ${fmtShape(x.shape)}) but got ${fmtShape(t.shape)}`);
  };
  perFeature('gamma', gamma);
  perFeature('beta', beta);
  perFeature('runningMean', state?.runningMean);
  perFeature('runningVar', state?.runningVar);
  const { training, momentum = 0.1, eps = 1e-5 } = opts;
  if (!(momentum >= 0 && momentum <= 1)) throw opError(op, `expected momentum in [0, 1] but got ${momentum}`);
  if (!(eps >= 0)) throw opError(op, `expected eps >= 0 but got ${eps}`);
  if (training && M < 2) throw opError(op, `training needs more than one row per feature but got x ${fmtShape(x.shape)}`);
  if (!training && !state) throw opError(op, 'eval mode needs the running stats (state) but got null');

  const y = empty([M, N], x);
  const mean = empty([N], x), invstd = empty([N], x);
  const k = kernels(dev);
  k.batchnorm_fwd(y.handle, mean.handle, invstd.handle, x.handle, gamma?.handle ?? null, beta?.handle ?? null,
    state?.runningMean.handle ?? null, state?.runningVar.handle ?? null, M, N, momentum, eps, training);
  record(y, op, [x, gamma, beta], function batchNormBackward(gy) {
    const dx = x.requiresGrad ? empty([M, N], x) : null;
    const dgamma = gamma?.requiresGrad ? empty([N], x) : null;
    const dbeta = beta?.requiresGrad ? empty([N], x) : null;
    k.batchnorm_bwd(dx?.handle ?? null, dgamma?.handle ?? null, dbeta?.handle ?? null, gy.handle, x.handle,
      mean.handle, invstd.handle, gamma?.handle ?? null, M, N, training);
    return [dx, dgamma, dbeta];
  });
  if (!y.node) {
    // Only the backward reads the saved statistics.
    mean.dispose();
    invstd.dispose();
  }
  return y;
}
