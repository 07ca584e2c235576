/**
 * Seeded (inverted) dropout: each element is zeroed with probability p and the survivors are
 * scaled by 1/(1-p), so the expected value is unchanged and eval mode is the identity. The
 * mask is a pure function of (seed, element index): give each call its own seed (a
 * SeedSequence does that), or every step drops the same units.
 */
import { Tensor } from '../tensor';
import { record } from '../autograd';
import { opError } from '../errors';
import { resolveSeed, type Seed } from '../init';
import { BinaryOp } from './kernel_ids';
import { empty, expectDType, kernels, sameDevice } from './util';

export interface DropoutOptions {
  /** Off (eval): dropout returns x itself. */
  training: boolean;
  /** Needed when training with p > 0; a SeedSequence gives its next seed. */
  seed?: Seed;
}

export function dropout(x: Tensor, p: number, opts: DropoutOptions): Tensor {
  const dev = sameDevice('dropout', x);
  expectDType('dropout', 'x', x, 'float32');
  if (!(p >= 0 && p < 1)) throw opError('dropout', `expected p in [0, 1) but got ${p}`);
  if (!opts.training || p === 0) return x;
  const seed = resolveSeed('dropout', opts.seed);
  const y = empty(x.shape, x);
  const mask = empty(x.shape, x);
  const k = kernels(dev);
  k.dropout_fwd(y.handle, mask.handle, x.handle, x.size, p, seed);
  record(y, 'dropout', [x], function dropoutBackward(gy) {
    const dx = empty(x.shape, x);
    k.binary_fwd(dx.handle, gy.handle, mask.handle, 1, x.size, 0, 1, 0, 1, BinaryOp.mul);
    return [dx];
  });
  if (!y.node) mask.dispose();  // only the backward reads the mask
  return y;
}
