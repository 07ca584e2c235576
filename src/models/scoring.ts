/**
 * Scoring helpers every pair model shares: outputs over (user, item) pairs in chunks without
 * gradients, every item for a batch of users, clipping to the rating range.
 */
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import type { Module } from '../nn/module';

/** Values clipped to [lo, hi] in place (no-op without a range). */
export function clipTo(v: Float32Array, range: readonly [number, number] | null): Float32Array {
  if (!range) return v;
  const [lo, hi] = range;
  for (let k = 0; k < v.length; k++) v[k] = v[k] < lo ? lo : v[k] > hi ? hi : v[k];
  return v;
}

/**
 * Runs `fn` (user and item index tensors → [B,1] or [B,C] outputs) over (user, item) pairs in
 * chunks, in eval mode and without gradients, and returns the outputs row-major. The model's
 * train/eval mode is restored afterwards.
 */
export function predictPairs(model: Module, fn: (u: Tensor, i: Tensor) => Tensor, users: Int32Array, items: Int32Array, chunk = 1 << 14): Float32Array {
  if (users.length !== items.length) throw new Error(`predictPairs: ${users.length} users but ${items.length} items`);
  const wasTraining = model.training;
  model.eval();
  const parts: Float32Array[] = [];
  let width = 1;
  try {
    noGrad(() => {
      for (let s = 0; s < users.length; s += chunk) {
        const e = Math.min(users.length, s + chunk);
        tidy(() => {
          const u = Tensor.fromArray(users.subarray(s, e), [e - s], 'int32');
          const i = Tensor.fromArray(items.subarray(s, e), [e - s], 'int32');
          const y = fn(u, i);
          width = y.size / (e - s);
          parts.push(y.toFloat32Array());
        });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(users.length * width);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** scoreAll through a pair scorer: every item for each user, [users.length, nItems]. */
export function scoreAllByPairs(scorePairs: (u: Int32Array, i: Int32Array) => Float32Array, users: Int32Array, nItems: number): Tensor {
  const out = new Float32Array(users.length * nItems);
  const per = Math.max(1, Math.floor((1 << 16) / nItems));
  const allItems = Int32Array.from({ length: nItems }, (_, i) => i);
  for (let s = 0; s < users.length; s += per) {
    const e = Math.min(users.length, s + per);
    const u = new Int32Array((e - s) * nItems), it = new Int32Array((e - s) * nItems);
    for (let k = s; k < e; k++) {
      u.fill(users[k], (k - s) * nItems, (k - s + 1) * nItems);
      it.set(allItems, (k - s) * nItems);
    }
    out.set(scorePairs(u, it), s * nItems);
  }
  return Tensor.fromArray(out, [users.length, nItems]);
}
