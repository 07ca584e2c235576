/**
 * Scoring every (user, item) pair through an MLP tower whose first layer is split into a user
 * half and an item half: NCF's MLP part once trained. The first layer becomes one add per pair
 * (both halves are precomputed), and the kernel runs the rest of the tower over blocks of items
 * without writing any activation out, so a user's scores over a 3,706-item catalogue cost one
 * call instead of five ops over [3706, width] tensors. Inference only: it records nothing on
 * the tape, and refuses inputs that require grad while grad is on.
 */
import { Tensor } from '../tensor';
import { isGradEnabled } from '../autograd';
import { fmtShape, opError } from '../errors';
import { expectDType, expectRank, kernels, sameDevice } from './util';

/** The most widths a tower takes (h1 and four more), and the widest layer. */
export const TOWER_MAX_LAYERS = 5;
export const TOWER_MAX_WIDTH = 512;

/** A tower's layers after the first, and its output weights, packed for `towerScores`. */
export interface PackedTower {
  /** W_1, b_1, W_2, b_2, ..., w_out, flat (float32, on the weights' device). */
  params: Tensor;
  /** h1 (the split first layer's width) and the width after each packed layer. */
  widths: number[];
}

/**
 * Packs the layers that follow the split first layer (each `weight` [out, in] and `bias` [out])
 * and the output weights `wOut` ([h_L] or [1, h_L]) for `towerScores`. `h1` is the first layer's
 * width. Throws when the sizes do not chain or exceed the kernel's limits.
 */
export function packTower(h1: number, layers: readonly { weight: Tensor; bias: Tensor | null }[], wOut: Tensor): PackedTower {
  const widths = [h1];
  const parts: Float32Array[] = [];
  for (const [k, l] of layers.entries()) {
    const [m, kin] = l.weight.shape;
    if (l.weight.rank !== 2 || kin !== widths[widths.length - 1])
      throw opError('packTower', `layer ${k + 1}'s weight ${fmtShape(l.weight.shape)} does not take the previous width ${widths[widths.length - 1]}`);
    if (l.bias && l.bias.size !== m) throw opError('packTower', `layer ${k + 1}'s bias ${fmtShape(l.bias.shape)} is not [${m}]`);
    parts.push(l.weight.toFloat32Array(), l.bias ? l.bias.toFloat32Array() : new Float32Array(m));
    widths.push(m);
  }
  const last = widths[widths.length - 1];
  if (wOut.size !== last) throw opError('packTower', `output weights ${fmtShape(wOut.shape)} do not match the last width ${last}`);
  parts.push(wOut.toFloat32Array());
  if (widths.length > TOWER_MAX_LAYERS || widths.some((h) => !Number.isInteger(h) || h < 1 || h > TOWER_MAX_WIDTH))
    throw opError('packTower', `widths ${widths.join('-')}: at most ${TOWER_MAX_LAYERS} widths of 1..${TOWER_MAX_WIDTH} each`);
  const flat = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) flat.set(p, at), (at += p.length);
  return { params: Tensor.fromArray(flat, [flat.length], 'float32', wOut.device), widths };
}

/** Elements `params` holds for these widths. */
function paramCount(widths: readonly number[]): number {
  let p = 0;
  for (let l = 0; l + 1 < widths.length; l++) p += widths[l + 1] * widths[l] + widths[l + 1];
  return p + widths[widths.length - 1];
}

/**
 * scores [n, I] (added into `into` when given) of every pair (u, i):
 * w_out · z_L with z_1 = relu(user[u] + item[i]) and z_{l+1} = relu(W_l z_l + b_l).
 * `user` [n, h1] and `item` [h1, I] are the two halves of the first layer (the bias in one);
 * the item half is transposed, so the kernel reads a block of items as contiguous lanes.
 */
export function towerScores(user: Tensor, item: Tensor, tower: PackedTower, into?: Tensor): Tensor {
  const { params, widths } = tower;
  const dev = sameDevice('towerScores', user, item, params, into);
  for (const [name, t] of [['user', user], ['item', item], ['params', params]] as const) expectDType('towerScores', name, t, 'float32');
  expectRank('towerScores', 'user', user, 2);
  expectRank('towerScores', 'item', item, 2);
  if (isGradEnabled() && [user, item, params].some((t) => t.requiresGrad))
    throw opError('towerScores', 'is inference only (no gradient): call it inside noGrad, or on tensors that do not require grad');
  const [n, h1] = user.shape, I = item.shape[1];
  if (widths.length < 1 || widths.length > TOWER_MAX_LAYERS || widths[0] !== h1 || item.shape[0] !== h1)
    throw opError('towerScores', `expected user [n, ${widths[0]}] and item [${widths[0]}, I] but got ${fmtShape(user.shape)} and ${fmtShape(item.shape)}`);
  if (params.size !== paramCount(widths))
    throw opError('towerScores', `params holds ${params.size} values, widths ${widths.join('-')} need ${paramCount(widths)}`);
  if (into) {
    expectDType('towerScores', 'into', into, 'float32');
    if (into.rank !== 2 || into.shape[0] !== n || into.shape[1] !== I)
      throw opError('towerScores', `expected into [${n}, ${I}] but got ${fmtShape(into.shape)}`);
  }
  const out = into ?? Tensor.empty([n, I], 'float32', dev);
  const h = [0, 0, 0, 0, 0];
  widths.forEach((w, k) => (h[k] = w));
  kernels(dev).tower_fwd(out.handle, user.handle, item.handle, params.handle, n, I, h[0], h[1], h[2], h[3], h[4], !!into);
  return out;
}
