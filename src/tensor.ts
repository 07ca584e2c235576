/**
 * Tensor: shape, dtype, device and a handle to native storage, plus what autograd needs
 * (grad, requiresGrad, the node that made it). Values live in native memory; views made by
 * reshape share it, and the storage is freed when the last view is disposed.
 */
import { addonFor, defaultDevice, type Device } from './backend/load';
import type { NativeStorage } from './backend/addon_types';
import { fmtShape, opError } from './errors';
import { track, keep } from './scope';
import { backward as runBackward, type GradNode, type RowGrad } from './autograd';

export type DType = 'float32' | 'int32';
export type { Device };

/**
 * Native storage handles of disposed tensors, kept by (device, dtype, size) for the next tensor
 * of the same kind. A training step makes dozens of tensors of the same few shapes; reusing
 * their handles means no new wrapped native object per op in the steady state, hence no
 * garbage for V8 to finalize (fresh handles piled up faster than the GC released them).
 */
const POOL_LIMIT_BYTES = Number(process.env.NEUREC_POOL_MB ?? 256) * 1048576;
const POOL_PER_KEY = 64;
const pool = new Map<string, NativeStorage[]>();
export const poolStats: Record<Device, { count: number; bytes: number }> = { cpu: { count: 0, bytes: 0 }, cuda: { count: 0, bytes: 0 } };

function poolKey(device: Device, dtypeCode: number, n: number): string {
  return `${device}:${dtypeCode}:${n}`;
}

function acquireHandle(device: Device, n: number, dtypeCode: 0 | 1, zero: boolean): NativeStorage {
  const list = pool.get(poolKey(device, dtypeCode, n));
  const h = list?.pop();
  if (h) {
    poolStats[device].count--;
    poolStats[device].bytes -= n * 4;
    if (zero) h.fill(0);
    return h;
  }
  return new (addonFor(device).Storage)(n, dtypeCode, zero);
}

function recycleHandle(h: NativeStorage, device: Device, dtypeCode: number): void {
  const n = h.numel;
  const key = poolKey(device, dtypeCode, n);
  let list = pool.get(key);
  if (!list) pool.set(key, (list = []));
  const stats = poolStats[device];
  if (list.length >= POOL_PER_KEY || stats.bytes + n * 4 > POOL_LIMIT_BYTES) {
    h.dispose();
    return;
  }
  list.push(h);
  stats.count++;
  stats.bytes += n * 4;
}

/** Frees every pooled handle (their memory goes back to the native allocator). */
export function drainPool(): void {
  for (const list of pool.values()) for (const h of list) h.dispose();
  pool.clear();
  for (const s of Object.values(poolStats)) {
    s.count = 0;
    s.bytes = 0;
  }
}

/** A native buffer shared by a tensor and its views. */
class SharedStorage {
  refs = 1;
  constructor(readonly handle: NativeStorage, readonly device: Device, readonly dtypeCode: 0 | 1) {}
  release(): void {
    if (--this.refs === 0) recycleHandle(this.handle, this.device, this.dtypeCode);
  }
}

let liveTensors = 0;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The most elements a tensor holds: 2^32 (16 GiB of float32), the native Storage's limit (storage.h kMaxNumel). */
export const MAX_NUMEL = 2 ** 32;

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) throw opError(op, `shape must be an array of sizes, got ${typeof shape}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) throw opError(op, `shape ${fmtShape(shape)} must hold non-negative integers`);
  const n = numel(shape);
  if (n > MAX_NUMEL)
    throw opError(op, `shape ${fmtShape(shape)} holds ${n} elements: too large, a tensor holds at most ${MAX_NUMEL} (2^32, 16 GiB of float32)`);
}

function checkDType(op: string, dtype: unknown): asserts dtype is DType {
  if (dtype !== 'float32' && dtype !== 'int32') throw opError(op, `unknown dtype ${JSON.stringify(dtype)}: tensors are float32 or int32`);
}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

export class Tensor {
  readonly __isTensor = true;
  readonly shape: readonly number[];
  readonly size: number;
  grad: Tensor | null = null;
  /** Sparse row gradients (from gathers on a table with sparseGrad), not yet coalesced. */
  rowGrads: RowGrad[] = [];
  requiresGrad = false;
  /** Gathers from this table produce sparse row gradients instead of a dense one. */
  sparseGrad = false;
  /** @internal The autograd node that produced this tensor (null for leaves). */
  node: GradNode | null = null;
  /** @internal Set when backward() released this tensor's node: its graph is gone. */
  graphReleased = false;
  name = '';
  private store: SharedStorage | null;

  private constructor(store: SharedStorage, shape: readonly number[], readonly dtype: DType, readonly device: Device) {
    this.store = store;
    this.shape = Object.freeze(shape.slice());
    this.size = numel(shape);
    liveTensors++;
    track(this);
  }

  /** A new tensor with uninitialised (zero when `zero`) values. */
  static empty(shape: readonly number[], dtype: DType = 'float32', device: Device = defaultDevice(), zero = false): Tensor {
    checkShape('empty', shape);
    checkDType('empty', dtype);
    const code = dtype === 'float32' ? 0 : 1;
    const handle = acquireHandle(device, numel(shape), code, zero);
    return new Tensor(new SharedStorage(handle, device, code), shape, dtype, device);
  }

  static fromArray(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32', device: Device = defaultDevice()): Tensor {
    checkShape('tensor', shape);
    checkDType('tensor', dtype);
    if (values.length !== numel(shape))
      throw opError('tensor', `expected ${numel(shape)} values for shape ${fmtShape(shape)} but got ${values.length}`);
    // int32 values are checked before conversion, which would wrap 2^32 to 0 and 2^31 to -2^31.
    if (dtype === 'int32' && !(values instanceof Int32Array)) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isInteger(v)) throw opError('tensor', `int32 tensor got non-integer value ${v} at ${i}`);
        if (v < INT32_MIN || v > INT32_MAX) throw opError('tensor', `int32 tensor got ${v} at ${i}, outside the int32 range [-2^31, 2^31 - 1]`);
      }
    }
    const typed = dtype === 'float32'
      ? (values instanceof Float32Array ? values : Float32Array.from(values))
      : (values instanceof Int32Array ? values : Int32Array.from(values));
    const t = Tensor.empty(shape, dtype, device);
    t.handle.upload(typed);
    return t;
  }

  /** A copy on `device` (this tensor itself when it is there already); no autograd history. */
  to(device: Device): Tensor {
    if (device === this.device) return this;
    const t = Tensor.empty(this.shape, this.dtype, device);
    t.handle.upload(this.handle.download());
    return t;
  }

  /** A tensor sharing this one's storage with another shape of the same size. */
  view(shape: readonly number[]): Tensor {
    checkShape('reshape', shape);
    if (numel(shape) !== this.size)
      throw opError('reshape', `cannot view ${fmtShape(this.shape)} (${this.size} values) as ${fmtShape(shape)}`);
    const s = this.live('reshape');
    s.refs++;
    return new Tensor(s, shape, this.dtype, this.device);
  }

  /** The native storage handle; throws if the tensor was disposed. */
  get handle(): NativeStorage {
    return this.live('tensor').handle;
  }

  private live(op: string): SharedStorage {
    if (!this.store) throw opError(op, `tensor ${this.describe()} was disposed`);
    return this.store;
  }

  get disposed(): boolean {
    return this.store === null;
  }

  get rank(): number {
    return this.shape.length;
  }

  describe(): string {
    return `${this.name ? this.name + ' ' : ''}${fmtShape(this.shape)} ${this.dtype}`;
  }

  dispose(): void {
    if (!this.store) return;
    this.store.release();
    this.store = null;
    liveTensors--;
    this.node = null;
    if (this.grad) this.grad.dispose();
    this.grad = null;
    this.clearRowGrads();
  }

  clearRowGrads(): void {
    for (const g of this.rowGrads) {
      g.rows.dispose();
      g.values.dispose();
    }
    this.rowGrads = [];
  }

  /** Keeps this tensor out of every open tidy scope. */
  keep(): this {
    keep(this);
    return this;
  }

  /** A copy of the values as a typed array. */
  toArray(): Float32Array | Int32Array {
    return this.handle.download();
  }

  toFloat32Array(): Float32Array {
    if (this.dtype !== 'float32') throw opError('toFloat32Array', `tensor ${this.describe()} is not float32`);
    return this.handle.download() as Float32Array;
  }

  /** Nested JS arrays (for printing and tests). */
  toNested(): unknown {
    const flat = Array.from(this.toArray());
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return flat[offset];
      const stride = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw opError('item', `expected a tensor of one value but got ${fmtShape(this.shape)}`);
    return this.handle.download(0, 1)[0];
  }

  /** Marks this tensor as a leaf that collects gradients. */
  requireGrad(on = true): this {
    if (on && this.dtype !== 'float32') throw opError('requireGrad', `only float32 tensors take gradients, got ${this.describe()}`);
    this.requiresGrad = on;
    return this;
  }

  /** Back-propagates from this one-value tensor (or with a seed gradient of its shape). */
  backward(seed?: Tensor): void {
    runBackward(this, seed);
  }

  /** A tensor with the same values and no autograd history (shares storage). */
  detach(): Tensor {
    return this.view(this.shape);
  }

  toString(): string {
    return `Tensor(${this.describe()}, ${this.device})`;
  }

  static liveCount(): number {
    return liveTensors;
  }
}
