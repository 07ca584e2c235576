/** Fused loss rows: masked MSE (AutoRec), softmax cross-entropy (classifier), BCE with logits (NCF). */
import { Tensor, bceWithLogits, maskedMseLoss, softmaxCrossEntropy, tidy } from '../src';
import { normal, uniform } from '../src/init';
import { Rng } from '../test/util/rand';
import type { BenchRow } from './harness';

/** A float 0/1 tensor with about frac ones. */
function onesFrac(n: number, frac: number, seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.fromArray(Float32Array.from({ length: n }, () => (rng.next() < frac ? 1 : 0)), [n]).keep();
}

/** Times forward + backward (the gradient into the prediction), freeing it each call. */
function fwdBwd(pred: Tensor, loss: () => Tensor): () => void {
  return () =>
    tidy(() => {
      loss().backward();
      pred.grad?.dispose();
      pred.grad = null;
    });
}

export const rows: BenchRow[] = [
  {
    op: 'masked_mse_fwd_bwd',
    shape: '256x6040,mask~5%',
    amount: 4 * 4 * 256 * 6040, // p, t, mask read + dp written
    unit: 'GB/s',
    setup() {
      const n = 256 * 6040;
      const p = normal([256, 6040], 0, 1, 1).keep().requireGrad(), t = normal([256, 6040], 0, 1, 2).keep();
      const mask = onesFrac(n, 0.05, 3).view([256, 6040]).keep();
      return { fn: fwdBwd(p, () => maskedMseLoss(p, t, mask)), dispose: () => [p, t, mask].forEach((x) => x.dispose()) };
    },
  },
  {
    op: 'softmax_ce_fwd_bwd',
    shape: '256x3706',
    amount: 2 * 4 * 256 * 3706 + 8 * 256, // logits read + dlogits written + targets (peer: int64)
    unit: 'GB/s',
    setup() {
      const z = normal([256, 3706], 0, 1, 4).keep().requireGrad();
      const y = Tensor.fromArray(new Rng(5).ints(256, 3706), [256], 'int32').keep();
      return { fn: fwdBwd(z, () => softmaxCrossEntropy(z, y)), dispose: () => [z, y].forEach((x) => x.dispose()) };
    },
  },
  {
    op: 'bce_logits_fwd_bwd',
    shape: '262144',
    amount: 3 * 4 * 262_144, // logits + targets read, dlogits written
    unit: 'GB/s',
    setup() {
      const z = normal([262_144], 0, 1, 6).keep().requireGrad(), y = onesFrac(262_144, 0.5, 7);
      void uniform;
      return { fn: fwdBwd(z, () => bceWithLogits(z, y)), dispose: () => [z, y].forEach((x) => x.dispose()) };
    },
  },
];
