/**
 * Losses. Each is one fused kernel that returns the scalar loss and, in the same pass, its
 * gradient wrt the prediction for an upstream gradient of 1; the backward only scales that
 * saved gradient by the upstream scalar. Targets, masks and labels get no gradient.
 */
import { Tensor } from '../tensor';
import { record } from '../autograd';
import { fmtShape, opError } from '../errors';
import { mul } from './elementwise';
import { empty, expectDType, expectRank, kernels, sameDevice } from './util';

function expectShapeOf(op: string, name: string, t: Tensor, refName: string, ref: Tensor): void {
  if (t.rank !== ref.rank || t.shape.some((d, i) => d !== ref.shape[i]))
    throw opError(op, `expected ${name} of shape ${fmtShape(ref.shape)} (the shape of ${refName}) but got ${fmtShape(t.shape)}`);
}

/** The gradient for `input`: the saved one times gy (a one-value tensor), or null if not wanted. */
function scaled(op: string, saved: Tensor, gy: Tensor, input: Tensor): Tensor | null {
  if (!input.requiresGrad) return null;
  if (saved.disposed) throw opError(op, 'the saved gradient was disposed; call backward() inside the tidy that computed the loss');
  return mul(saved, gy);
}

/** With no tape entry nothing will read the saved gradients: free them now, not at the scope's end. */
function dropUnused(loss: Tensor, ...saved: Tensor[]): Tensor {
  if (!loss.node) for (const g of saved) g.dispose();
  return loss;
}

/** Mean binary cross-entropy of `logits` against `targets` in [0,1] (same shape), stable for any logit. */
export function bceWithLogits(logits: Tensor, targets: Tensor): Tensor {
  const op = 'bce_logits';
  const dev = sameDevice(op, logits, targets);
  expectDType(op, 'logits', logits, 'float32');
  expectDType(op, 'targets', targets, 'float32');
  expectShapeOf(op, 'targets', targets, 'logits', logits);
  const loss = empty([], logits), grad = empty(logits.shape, logits);
  kernels(dev).bce_logits_fwd(loss.handle, grad.handle, logits.handle, targets.handle, logits.size);
  record(loss, op, [logits, targets], function bceLogitsBackward(gy) {
    return [scaled(op, grad, gy, logits), null];
  });
  return dropUnused(loss, grad);
}

/** Mean squared error of `pred` against `target` (same shape). */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  const op = 'mse';
  const dev = sameDevice(op, pred, target);
  expectDType(op, 'pred', pred, 'float32');
  expectDType(op, 'target', target, 'float32');
  expectShapeOf(op, 'target', target, 'pred', pred);
  const loss = empty([], pred), grad = empty(pred.shape, pred);
  kernels(dev).mse_fwd(loss.handle, grad.handle, pred.handle, target.handle, pred.size);
  record(loss, op, [pred, target], function mseBackward(gy) {
    return [scaled(op, grad, gy, pred), null];
  });
  return dropUnused(loss, grad);
}

/**
 * Squared error averaged over the observed entries only (mask != 0, weighted by the mask), as
 * in AutoRec; 0 when nothing is observed. Unobserved targets are never read into the result.
 */
export function maskedMseLoss(pred: Tensor, target: Tensor, mask: Tensor): Tensor {
  const op = 'masked_mse';
  const dev = sameDevice(op, pred, target, mask);
  expectDType(op, 'pred', pred, 'float32');
  expectDType(op, 'target', target, 'float32');
  expectDType(op, 'mask', mask, 'float32');
  expectShapeOf(op, 'target', target, 'pred', pred);
  expectShapeOf(op, 'mask', mask, 'pred', pred);
  const loss = empty([], pred), grad = empty(pred.shape, pred);
  kernels(dev).masked_mse_fwd(loss.handle, grad.handle, pred.handle, target.handle, mask.handle, pred.size);
  record(loss, op, [pred, target, mask], function maskedMseBackward(gy) {
    return [scaled(op, grad, gy, pred), null, null];
  });
  return dropUnused(loss, grad);
}

/** Mean over rows of -log softmax(logits)[label]: logits (N,C), labels (N) int32 in [0,C). */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const op = 'softmax_ce';
  const dev = sameDevice(op, logits, labels);
  expectDType(op, 'logits', logits, 'float32');
  expectRank(op, 'logits', logits, 2);
  expectDType(op, 'labels', labels, 'int32');
  const [N, C] = logits.shape;
  if (labels.rank !== 1 || labels.shape[0] !== N)
    throw opError(op, `expected labels of length ${N} (rows of logits ${fmtShape(logits.shape)}) but got ${fmtShape(labels.shape)}`);
  const loss = empty([], logits), grad = empty(logits.shape, logits);
  try {
    kernels(dev).softmax_ce_fwd(loss.handle, grad.handle, logits.handle, labels.handle, N, C);
  } catch (e) {
    // A label out of range is only found by the kernel: free the outputs even outside a tidy.
    loss.dispose();
    grad.dispose();
    throw e;
  }
  record(loss, op, [logits, labels], function softmaxCeBackward(gy) {
    return [scaled(op, grad, gy, logits), null];
  });
  return dropUnused(loss, grad);
}

/** Mult-VAE's loss: -(1/N) Σ_rows Σ_j x_ij·log_softmax(z_i)_j for logits z and counts x, both (N,C). */
export function multinomialNll(logits: Tensor, targets: Tensor): Tensor {
  const op = 'multinomial_nll';
  const dev = sameDevice(op, logits, targets);
  expectDType(op, 'logits', logits, 'float32');
  expectRank(op, 'logits', logits, 2);
  expectDType(op, 'targets', targets, 'float32');
  expectShapeOf(op, 'targets', targets, 'logits', logits);
  const [N, C] = logits.shape;
  const loss = empty([], logits), grad = empty(logits.shape, logits);
  kernels(dev).multinomial_nll_fwd(loss.handle, grad.handle, logits.handle, targets.handle, N, C);
  record(loss, op, [logits, targets], function multinomialNllBackward(gy) {
    return [scaled(op, grad, gy, logits), null];
  });
  return dropUnused(loss, grad);
}

/** KL(N(mu, e^logvar) || N(0,1)) summed over D, averaged over the N rows; mu and logvar (N,D). */
export function gaussianKl(mu: Tensor, logvar: Tensor): Tensor {
  const op = 'gaussian_kl';
  const dev = sameDevice(op, mu, logvar);
  expectDType(op, 'mu', mu, 'float32');
  expectRank(op, 'mu', mu, 2);
  expectDType(op, 'logvar', logvar, 'float32');
  expectShapeOf(op, 'logvar', logvar, 'mu', mu);
  const [N, D] = mu.shape;
  const loss = empty([], mu), dmu = empty(mu.shape, mu), dlogvar = empty(mu.shape, mu);
  kernels(dev).gaussian_kl_fwd(loss.handle, dmu.handle, dlogvar.handle, mu.handle, logvar.handle, N, D);
  record(loss, op, [mu, logvar], function gaussianKlBackward(gy) {
    return [scaled(op, dmu, gy, mu), scaled(op, dlogvar, gy, logvar)];
  });
  return dropUnused(loss, dmu, dlogvar);
}
