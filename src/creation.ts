/** Creating tensors from JS values. */
import { Tensor, type DType, type Device } from './tensor';
import { defaultDevice } from './backend/load';

type Nested = number | Nested[];

function flatten(v: Nested, shape: number[], out: number[], depth: number): void {
  if (Array.isArray(v)) {
    if (shape.length <= depth) shape.push(v.length);
    else if (shape[depth] !== v.length) throw new Error(`tensor: ragged nested array at depth ${depth}`);
    for (const e of v) flatten(e, shape, out, depth + 1);
  } else {
    if (depth !== shape.length) throw new Error('tensor: ragged nested array');
    out.push(v);
  }
}

/** A tensor from nested arrays or a flat array with an explicit shape. */
export function tensor(values: Nested | ArrayLike<number>, shape?: readonly number[], dtype: DType = 'float32', device: Device = defaultDevice()): Tensor {
  if (shape) return Tensor.fromArray(values as ArrayLike<number>, shape, dtype, device);
  if (ArrayBuffer.isView(values)) return Tensor.fromArray(values as unknown as ArrayLike<number>, [(values as unknown as ArrayLike<number>).length], dtype, device);
  const s: number[] = [];
  const flat: number[] = [];
  flatten(values as Nested, s, flat, 0);
  return Tensor.fromArray(flat, s, dtype, device);
}

export function zeros(shape: readonly number[], dtype: DType = 'float32', device: Device = defaultDevice()): Tensor {
  return Tensor.empty(shape, dtype, device, true);
}

export function ones(shape: readonly number[], device: Device = defaultDevice()): Tensor {
  const t = Tensor.empty(shape, 'float32', device);
  t.handle.fill(1);
  return t;
}

export function scalar(v: number, device: Device = defaultDevice()): Tensor {
  return Tensor.fromArray([v], [], 'float32', device);
}

export function int32(values: ArrayLike<number>, shape?: readonly number[], device: Device = defaultDevice()): Tensor {
  return Tensor.fromArray(values, shape ?? [values.length], 'int32', device);
}
