/** Shared checks and helpers for op files: the kernel table of a tensor's device, validation. */
import { addonFor } from '../backend/load';
import type { KernelTable } from '../backend/addon_types';
import { Tensor, type DType, type Device } from '../tensor';
import { fmtShape, opError } from '../errors';

export function kernels(device: Device): KernelTable {
  return addonFor(device);
}

export function expectDType(op: string, name: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) throw opError(op, `expected ${name} to be ${dtype} but got ${t.describe()}`);
}

export function expectRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) throw opError(op, `expected ${name} of rank ${rank} but got ${fmtShape(t.shape)}`);
}

export function sameDevice(op: string, ...ts: (Tensor | null | undefined)[]): Device {
  let dev: Device | null = null;
  for (const t of ts) {
    if (!t) continue;
    if (t.disposed) throw opError(op, `tensor ${t.describe()} was disposed`);
    if (dev && t.device !== dev) throw opError(op, `tensors are on different devices (${dev} and ${t.device})`);
    dev = t.device;
  }
  return dev ?? 'cpu';
}

export function empty(shape: readonly number[], like: Tensor, dtype: DType = 'float32'): Tensor {
  return Tensor.empty(shape, dtype, like.device);
}

/** Normalises a possibly negative axis of a tensor of `rank`. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw opError(op, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}
