/** Tensor factories: from JS data, constants, ranges and seeded random numbers. */
import { native } from '../native.js';
import { type AnyTypedArray, type DType, dtypeCode, dtypeOfArray } from './dtype.js';
import type { Generator } from './random.js';
import { Tensor, wrap } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  /** 'cpu' (default), 'cuda', 'cuda:N'. */
  device?: string;
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type Nested = number | boolean | Nested[];

function finish(t: Tensor, o?: TensorOptions): Tensor {
  if (o?.requiresGrad) t.requiresGrad_(true);
  return t;
}
function shapeArg(op: string, shape: readonly number[] | number): number[] {
  const s = typeof shape === 'number' ? [shape] : [...shape];
  if (!s.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError(`${op}: expected shape to be non-negative integers, got [${s.join(', ')}]`);
  return s;
}

function inferShape(data: Nested, op: string): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
    if (cur === undefined) break;
  }
  return shape;
}
function flattenChecked(data: Nested, shape: number[], dim: number, out: (number | boolean)[], op: string): void {
  if (dim === shape.length) {
    if (typeof data !== 'number' && typeof data !== 'boolean') throw new TypeError(`${op}: expected a number or boolean at depth ${dim}, got ${Array.isArray(data) ? 'array' : typeof data}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new TypeError(`${op}: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  for (const x of data) flattenChecked(x, shape, dim + 1, out, op);
}

/**
 * Makes a tensor from a number, nested arrays or a TypedArray (with `shape`). Like
 * torch.tensor: integers give int64, other numbers float32, booleans bool, unless `dtype` says.
 */
export function tensor(data: Nested | AnyTypedArray, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  const device = options.device ?? null;
  if (ArrayBuffer.isView(data)) {
    const ta = data as AnyTypedArray;
    const src = dtypeOfArray(ta);
    const shape = options.shape ? shapeArg('tensor', options.shape) : [ta.length];
    const dst = options.dtype ?? src;
    return finish(wrap(native.fromBuffer(ta, dtypeCode(src), shape, dtypeCode(dst), device)), options);
  }
  const shape = inferShape(data as Nested, 'tensor');
  const flat: (number | boolean)[] = [];
  flattenChecked(data as Nested, shape, 0, flat, 'tensor');
  if (options.shape) throw new TypeError('tensor: `shape` is only for TypedArray data; nested arrays carry their own shape');
  const allBool = flat.length > 0 && flat.every((v) => typeof v === 'boolean');
  const allInt = flat.every((v) => typeof v === 'number' && Number.isInteger(v));
  const dst: DType = options.dtype ?? (allBool ? 'bool' : allInt && flat.length > 0 ? 'int64' : 'float32');
  const src = new Float64Array(flat.map(Number));
  return finish(wrap(native.fromBuffer(src, dtypeCode('float64'), shape, dtypeCode(dst), device)), options);
}

const dt = (o: TensorOptions | undefined, fallback: DType = 'float32') => dtypeCode(o?.dtype ?? fallback);

export function zeros(shape: readonly number[] | number, o?: TensorOptions): Tensor { return finish(wrap(native.zeros(shapeArg('zeros', shape), dt(o), o?.device ?? null)), o); }
export function ones(shape: readonly number[] | number, o?: TensorOptions): Tensor { return finish(wrap(native.ones(shapeArg('ones', shape), dt(o), o?.device ?? null)), o); }
export function empty(shape: readonly number[] | number, o?: TensorOptions): Tensor { return finish(wrap(native.empty(shapeArg('empty', shape), dt(o), o?.device ?? null)), o); }
export function full(shape: readonly number[] | number, value: number | boolean, o?: TensorOptions): Tensor {
  return finish(wrap(native.full(shapeArg('full', shape), value, dt(o, typeof value === 'boolean' ? 'bool' : 'float32'), o?.device ?? null)), o);
}
/** Like torch.arange: integer arguments give int64 unless `dtype` says otherwise. */
export function arange(start: number, end?: number, step = 1, o?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const ints = [start, end, step].every(Number.isInteger);
  return finish(wrap(native.arange(start, end, step, dt(o, ints ? 'int64' : 'float32'), o?.device ?? null)), o);
}
export function linspace(start: number, end: number, steps: number, o?: TensorOptions): Tensor { return finish(wrap(native.linspace(start, end, steps, dt(o), o?.device ?? null)), o); }
export function eye(n: number, o?: TensorOptions): Tensor { return finish(wrap(native.eye(n, dt(o), o?.device ?? null)), o); }
export function randn(shape: readonly number[] | number, o?: RandomOptions): Tensor {
  return finish(wrap(native.randn(shapeArg('randn', shape), dt(o), o?.device ?? null, o?.generator?.index ?? null)), o);
}
export function rand(shape: readonly number[] | number, o?: RandomOptions): Tensor {
  return finish(wrap(native.rand(shapeArg('rand', shape), dt(o), o?.device ?? null, o?.generator?.index ?? null)), o);
}
export function randint(low: number, high: number, shape: readonly number[] | number, o?: RandomOptions): Tensor {
  return wrap(native.randint(low, high, shapeArg('randint', shape), dt(o, 'int64'), o?.device ?? null, o?.generator?.index ?? null));
}
export function randperm(n: number, o?: RandomOptions): Tensor {
  return wrap(native.randperm(n, dt(o, 'int64'), o?.device ?? null, o?.generator?.index ?? null));
}
export function zerosLike(t: Tensor): Tensor { return wrap(native.zerosLike(t.handle)); }
export function onesLike(t: Tensor): Tensor { return wrap(native.onesLike(t.handle)); }
export function fullLike(t: Tensor, v: number): Tensor { return wrap(native.fullLike(t.handle, v)); }
export function randnLike(t: Tensor): Tensor { return wrap(native.randnLike(t.handle)); }
