/**
 * The Tensor handle: a thin JS object holding a numeric handle into the addon's tensor table.
 *
 * Methods mirror PyTorch's names (camelCase) and argument order. Each op is one synchronous
 * native call; arguments are checked here first so a wrong type names the op and argument.
 * Memory: see lifetime.ts (dispose, scope, finalizer safety net).
 */
import { native } from '../native.js';
import { type AnyTypedArray, type DType, dtypeCode, dtypeName, viewBuffer } from './dtype.js';
import { IS_TENSOR, track, untrack } from './lifetime.js';

export type Shape = readonly number[];
export type Operand = Tensor | number | boolean;
type Dims = number | readonly number[] | null | undefined;

function bad(op: string, arg: string, expected: string, got: unknown): TypeError {
  const desc = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got === 'object' ? (got as object).constructor?.name ?? 'object' : typeof got;
  return new TypeError(`${op}: expected ${arg} to be ${expected}, got ${desc}`);
}

/**
 * A JS scalar operand. Handles are numbers too, so binary ops pass `true` as a third argument
 * when the operand is a scalar (each op inlines the Tensor check: a shared dispatch helper
 * would make the call site megamorphic, costing more than the op's own dispatch).
 */
function scalar(op: string, v: unknown): number | boolean {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  throw bad(op, 'the other operand', 'a Tensor or a number', v);
}
/** [value, isScalar] for ops whose operand may be a Tensor or a scalar. */
export function scalarOrHandle(op: string, name: string, v: Operand): [number | boolean, boolean] {
  if (v instanceof Tensor) return [v.handle, false];
  if (typeof v === 'number' || typeof v === 'boolean') return [v, true];
  throw bad(op, name, 'a Tensor or a number', v);
}
function tensorArg(op: string, name: string, v: unknown): number {
  if (v instanceof Tensor) return v.handle;
  throw bad(op, name, 'a Tensor', v);
}
function optTensorArg(op: string, name: string, v: unknown): number | null {
  return v === undefined || v === null ? null : tensorArg(op, name, v);
}
function intArg(op: string, name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw bad(op, name, 'an integer', v);
}
function intsArg(op: string, name: string, v: unknown): number[] {
  if (typeof v === 'number' && Number.isInteger(v)) return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  throw bad(op, name, 'an integer or an array of integers', v);
}
function dimsArg(op: string, v: Dims): number[] | null {
  return v === undefined || v === null ? null : intsArg(op, 'dim', v);
}

/** Wraps a fresh native handle. */
export function wrap(h: number): Tensor {
  return new Tensor(h);
}
function wrapAll(hs: number[]): Tensor[] {
  return hs.map(wrap);
}

export class Tensor implements Disposable {
  readonly handle: number;
  declare readonly [IS_TENSOR]: true;
  private declare shapeCache?: number[];

  /** @internal Use the factories in torch (tensor, zeros, ...) to make tensors. */
  constructor(handle: number) {
    this.handle = handle;
    track(this, handle);
  }

  // ---- metadata -------------------------------------------------------------------------
  get shape(): number[] {
    return (this.shapeCache ??= native.shape(this.handle) as number[]).slice();
  }
  size(d?: number): number | number[] {
    const s = this.shapeCache ??= native.shape(this.handle) as number[];
    if (d === undefined) return s.slice();
    const k = d < 0 ? s.length + d : d;
    if (k < 0 || k >= s.length) throw new RangeError(`size: dim ${d} out of range for a tensor of ${s.length} dims`);
    return s[k];
  }
  get ndim(): number { return native.dim(this.handle); }
  get dtype(): DType { return dtypeName(native.dtypeOf(this.handle)); }
  get device(): string { return native.deviceOf(this.handle); }
  numel(): number { return native.numel(this.handle); }
  isContiguous(): boolean { return native.isContiguous(this.handle); }
  /** False once disposed (or freed by its scope). */
  get alive(): boolean { return native.alive(this.handle); }

  // ---- lifetime --------------------------------------------------------------------------
  dispose(): void {
    untrack(this);
    native.dispose(this.handle);
  }
  [Symbol.dispose](): void { this.dispose(); }

  // ---- readback --------------------------------------------------------------------------
  /** A copy of the data as a TypedArray (float16/bfloat16 come back as Float32Array). */
  data(): AnyTypedArray {
    const [buf, code] = native.toBuffer(this.handle) as [ArrayBuffer, number];
    return viewBuffer(buf, code);
  }
  /** Elements as plain numbers (int64 converted with Number()). */
  toFlatArray(): number[] {
    const d = this.data();
    return d instanceof BigInt64Array ? Array.from(d, Number) : Array.from(d as Float32Array);
  }
  /** Nested arrays of numbers, like tensor.tolist(). */
  toArray(): unknown {
    const flat = this.toFlatArray();
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    const build = (dim: number, off: number): unknown => {
      const n = shape[dim];
      if (dim === shape.length - 1) return flat.slice(off, off + n);
      const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => build(dim + 1, off + i * stride));
    };
    return build(0, 0);
  }
  /** The value of a one-element tensor. */
  item(): number {
    const v = native.item(this.handle);
    return typeof v === 'boolean' ? Number(v) : v;
  }

  // ---- casts and devices -------------------------------------------------------------------
  to(target: DType | string | { dtype?: DType; device?: string }, nonBlocking = false): Tensor {
    let dt: number | null = null;
    let dev: string | null = null;
    if (typeof target === 'string') {
      // A device name (cpu, cuda[:N], meta, lazy) or a dtype name.
      if (/^(cpu|cuda|meta|lazy)(:\d+)?$/.test(target)) dev = target;
      else dt = dtypeCode(target, 'to');
    } else {
      if (target.dtype) dt = dtypeCode(target.dtype, 'to');
      if (target.device) dev = target.device;
    }
    return wrap(native.to(this.handle, dt, dev, nonBlocking));
  }
  float(): Tensor { return this.to('float32'); }
  long(): Tensor { return this.to('int64'); }
  cpu(): Tensor { return this.to({ device: 'cpu' }); }
  cuda(index = 0): Tensor { return this.to({ device: `cuda:${index}` }); }

  // ---- views and shape ---------------------------------------------------------------------
  reshape(...shape: number[] | [readonly number[]]): Tensor { return wrap(native.reshape(this.handle, intsArg('reshape', 'shape', shape.flat()))); }
  view(...shape: number[] | [readonly number[]]): Tensor { return wrap(native.view(this.handle, intsArg('view', 'shape', shape.flat()))); }
  permute(...dims: number[] | [readonly number[]]): Tensor { return wrap(native.permute(this.handle, intsArg('permute', 'dims', dims.flat()))); }
  transpose(d0: number, d1: number): Tensor { return wrap(native.transpose(this.handle, intArg('transpose', 'dim0', d0), intArg('transpose', 'dim1', d1))); }
  get T(): Tensor { return this.transpose(-2, -1); }
  contiguous(): Tensor { return wrap(native.contiguous(this.handle)); }
  clone(): Tensor { return wrap(native.clone(this.handle)); }
  unsqueeze(d: number): Tensor { return wrap(native.unsqueeze(this.handle, intArg('unsqueeze', 'dim', d))); }
  squeeze(d?: number): Tensor { return wrap(native.squeeze(this.handle, d ?? null)); }
  expand(...shape: number[] | [readonly number[]]): Tensor { return wrap(native.expand(this.handle, intsArg('expand', 'shape', shape.flat()))); }
  expandAs(o: Tensor): Tensor { return wrap(native.expandAs(this.handle, tensorArg('expandAs', 'other', o))); }
  repeat(...times: number[] | [readonly number[]]): Tensor { return wrap(native.repeat(this.handle, intsArg('repeat', 'repeats', times.flat()))); }
  repeatInterleave(n: number, dim?: number): Tensor { return wrap(native.repeatInterleave(this.handle, intArg('repeatInterleave', 'repeats', n), dim ?? null)); }
  flatten(start = 0, end = -1): Tensor { return wrap(native.flatten(this.handle, start, end)); }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.narrow(this.handle, intArg('narrow', 'dim', dim), intArg('narrow', 'start', start), intArg('narrow', 'length', length)));
  }
  /** Python's t[..., start:end:step] along `dim` (end null = to the end). */
  slice(dim: number, start: number | null, end: number | null = null, step = 1): Tensor { return wrap(native.slice(this.handle, dim, start, end, step)); }
  select(dim: number, index: number): Tensor { return wrap(native.select(this.handle, intArg('select', 'dim', dim), intArg('select', 'index', index))); }
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] { return wrapAll(native.split(this.handle, sizeOrSizes, dim)); }
  chunk(n: number, dim = 0): Tensor[] { return wrapAll(native.chunk(this.handle, n, dim)); }
  unbind(dim = 0): Tensor[] { return wrapAll(native.unbind(this.handle, dim)); }
  flip(dims: number | readonly number[]): Tensor { return wrap(native.flip(this.handle, intsArg('flip', 'dims', dims))); }
  roll(shifts: number | readonly number[], dims: number | readonly number[]): Tensor { return wrap(native.roll(this.handle, intsArg('roll', 'shifts', shifts), intsArg('roll', 'dims', dims))); }
  tril(diagonal = 0): Tensor { return wrap(native.tril(this.handle, diagonal)); }
  triu(diagonal = 0): Tensor { return wrap(native.triu(this.handle, diagonal)); }
  /** Constant padding, pairs from the last dim backwards (torch.nn.functional.pad). */
  pad(pads: readonly number[], value = 0): Tensor { return wrap(native.pad(this.handle, intsArg('pad', 'pad', pads), value)); }

  // ---- indexing -----------------------------------------------------------------------------
  indexSelect(dim: number, index: Tensor): Tensor { return wrap(native.indexSelect(this.handle, dim, tensorArg('indexSelect', 'index', index))); }
  gather(dim: number, index: Tensor): Tensor { return wrap(native.gather(this.handle, dim, tensorArg('gather', 'index', index))); }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    const i = tensorArg('scatter', 'index', index);
    return typeof src === 'number' ? wrap(native.scatterValue(this.handle, dim, i, src)) : wrap(native.scatter(this.handle, dim, i, tensorArg('scatter', 'src', src)));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.scatterAdd(this.handle, dim, tensorArg('scatterAdd', 'index', index), tensorArg('scatterAdd', 'src', src)));
  }
  maskedFill(mask: Tensor, value: Operand): Tensor {
    const [v, isScalar] = scalarOrHandle('maskedFill', 'value', value);
    return wrap(native.maskedFill(this.handle, tensorArg('maskedFill', 'mask', mask), v, isScalar));
  }
  /** Elements where the boolean `mask` is true, as a 1-D tensor (Python's t[mask]). */
  maskedSelect(mask: Tensor): Tensor { return wrap(native.maskedSelect(this.handle, tensorArg('maskedSelect', 'mask', mask))); }
  /** Advanced indexing: one index tensor (or null for `:`) per leading dimension. */
  index(indices: ReadonlyArray<Tensor | null>): Tensor { return wrap(native.index(this.handle, indices.map((t) => (t === null ? null : tensorArg('index', 'indices', t))))); }
  indexPut(indices: ReadonlyArray<Tensor | null>, values: Tensor, accumulate = false): Tensor {
    return wrap(native.indexPut(this.handle, indices.map((t) => (t === null ? null : tensorArg('indexPut', 'indices', t))), tensorArg('indexPut', 'values', values), accumulate));
  }
  nonzero(): Tensor { return wrap(native.nonzero(this.handle)); }

  // ---- elementwise --------------------------------------------------------------------------
  add(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.add(this.handle, o.handle) : native.add(this.handle, scalar('add', o), true)); }
  sub(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.sub(this.handle, o.handle) : native.sub(this.handle, scalar('sub', o), true)); }
  mul(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.mul(this.handle, o.handle) : native.mul(this.handle, scalar('mul', o), true)); }
  div(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.div(this.handle, o.handle) : native.div(this.handle, scalar('div', o), true)); }
  floorDivide(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.divFloor(this.handle, o.handle) : native.divFloor(this.handle, scalar('floorDivide', o), true)); }
  pow(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.pow(this.handle, o.handle) : native.pow(this.handle, scalar('pow', o), true)); }
  remainder(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.remainder(this.handle, o.handle) : native.remainder(this.handle, scalar('remainder', o), true)); }
  /** s - this, for a scalar s. */
  rsub(s: number): Tensor { return wrap(native.rsub(this.handle, s)); }
  eq(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.eq(this.handle, o.handle) : native.eq(this.handle, scalar('eq', o), true)); }
  ne(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.ne(this.handle, o.handle) : native.ne(this.handle, scalar('ne', o), true)); }
  lt(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.lt(this.handle, o.handle) : native.lt(this.handle, scalar('lt', o), true)); }
  le(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.le(this.handle, o.handle) : native.le(this.handle, scalar('le', o), true)); }
  gt(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.gt(this.handle, o.handle) : native.gt(this.handle, scalar('gt', o), true)); }
  ge(o: Operand): Tensor { return wrap(o instanceof Tensor ? native.ge(this.handle, o.handle) : native.ge(this.handle, scalar('ge', o), true)); }
  maximum(o: Tensor): Tensor { return wrap(native.maximum(this.handle, tensorArg('maximum', 'other', o))); }
  minimum(o: Tensor): Tensor { return wrap(native.minimum(this.handle, tensorArg('minimum', 'other', o))); }
  logicalAnd(o: Tensor): Tensor { return wrap(native.logicalAnd(this.handle, tensorArg('logicalAnd', 'other', o))); }
  logicalOr(o: Tensor): Tensor { return wrap(native.logicalOr(this.handle, tensorArg('logicalOr', 'other', o))); }
  logicalNot(): Tensor { return wrap(native.logicalNot(this.handle)); }
  neg(): Tensor { return wrap(native.neg(this.handle)); }
  exp(): Tensor { return wrap(native.exp(this.handle)); }
  log(): Tensor { return wrap(native.log(this.handle)); }
  log1p(): Tensor { return wrap(native.log1p(this.handle)); }
  expm1(): Tensor { return wrap(native.expm1(this.handle)); }
  sqrt(): Tensor { return wrap(native.sqrt(this.handle)); }
  rsqrt(): Tensor { return wrap(native.rsqrt(this.handle)); }
  abs(): Tensor { return wrap(native.abs(this.handle)); }
  sign(): Tensor { return wrap(native.sign(this.handle)); }
  square(): Tensor { return wrap(native.square(this.handle)); }
  reciprocal(): Tensor { return wrap(native.reciprocal(this.handle)); }
  sin(): Tensor { return wrap(native.sin(this.handle)); }
  cos(): Tensor { return wrap(native.cos(this.handle)); }
  tanh(): Tensor { return wrap(native.tanh(this.handle)); }
  sigmoid(): Tensor { return wrap(native.sigmoid(this.handle)); }
  logsigmoid(): Tensor { return wrap(native.logsigmoid(this.handle)); }
  relu(): Tensor { return wrap(native.relu(this.handle)); }
  silu(): Tensor { return wrap(native.silu(this.handle)); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor { return wrap(native.gelu(this.handle, approximate)); }
  floor(): Tensor { return wrap(native.floor(this.handle)); }
  ceil(): Tensor { return wrap(native.ceil(this.handle)); }
  round(): Tensor { return wrap(native.round(this.handle)); }
  isnan(): Tensor { return wrap(native.isnan(this.handle)); }
  isinf(): Tensor { return wrap(native.isinf(this.handle)); }
  isfinite(): Tensor { return wrap(native.isfinite(this.handle)); }
  /** Clamp to [min, max]; either bound may be null; bounds may be tensors. */
  clamp(min: number | Tensor | null, max: number | Tensor | null = null): Tensor {
    const tensors = min instanceof Tensor || max instanceof Tensor;
    if (tensors && ((min !== null && !(min instanceof Tensor)) || (max !== null && !(max instanceof Tensor)))) {
      throw new TypeError('clamp: bounds must be both numbers or both tensors (or null)');
    }
    const b = (v: number | Tensor | null) => (v instanceof Tensor ? v.handle : v);
    return wrap(native.clamp(this.handle, b(min), b(max), tensors));
  }
  nanToNum(nan = 0, posinf?: number, neginf?: number): Tensor { return wrap(native.nanToNum(this.handle, nan, posinf ?? null, neginf ?? null)); }
  lerp(end: Tensor, weight: number | Tensor): Tensor {
    const [w, isScalar] = scalarOrHandle('lerp', 'weight', weight);
    return wrap(native.lerp(this.handle, tensorArg('lerp', 'end', end), w, isScalar));
  }

  // ---- reductions ---------------------------------------------------------------------------
  sum(dim?: Dims, keepdim = false, dtype?: DType): Tensor { return wrap(native.sum(this.handle, dimsArg('sum', dim), keepdim, dtype ? dtypeCode(dtype) : null)); }
  mean(dim?: Dims, keepdim = false, dtype?: DType): Tensor { return wrap(native.mean(this.handle, dimsArg('mean', dim), keepdim, dtype ? dtypeCode(dtype) : null)); }
  prod(dim?: number, keepdim = false): Tensor { return wrap(native.prod(this.handle, dim ?? null, keepdim)); }
  /** Global max, or [values, indices] along `dim`. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? wrap(native.max(this.handle)) : (wrapAll(native.max(this.handle, dim, keepdim)) as [Tensor, Tensor]);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? wrap(native.min(this.handle)) : (wrapAll(native.min(this.handle, dim, keepdim)) as [Tensor, Tensor]);
  }
  amax(dim: number | readonly number[], keepdim = false): Tensor { return wrap(native.amax(this.handle, intsArg('amax', 'dim', dim), keepdim)); }
  amin(dim: number | readonly number[], keepdim = false): Tensor { return wrap(native.amin(this.handle, intsArg('amin', 'dim', dim), keepdim)); }
  argmax(dim?: number, keepdim = false): Tensor { return wrap(native.argmax(this.handle, dim ?? null, keepdim)); }
  argmin(dim?: number, keepdim = false): Tensor { return wrap(native.argmin(this.handle, dim ?? null, keepdim)); }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor { return wrap(native.logsumexp(this.handle, intsArg('logsumexp', 'dim', dim), keepdim)); }
  topk(k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] { return wrapAll(native.topk(this.handle, intArg('topk', 'k', k), dim, largest, sorted)) as [Tensor, Tensor]; }
  sort(dim = -1, descending = false, stable = false): [Tensor, Tensor] { return wrapAll(native.sort(this.handle, dim, descending, stable)) as [Tensor, Tensor]; }
  argsort(dim = -1, descending = false, stable = false): Tensor { return wrap(native.argsort(this.handle, dim, descending, stable)); }
  cumsum(dim: number, dtype?: DType): Tensor { return wrap(native.cumsum(this.handle, intArg('cumsum', 'dim', dim), dtype ? dtypeCode(dtype) : null)); }
  cumprod(dim: number): Tensor { return wrap(native.cumprod(this.handle, intArg('cumprod', 'dim', dim))); }
  /** Standard deviation; `unbiased` (default true, like torch) divides by n-1. */
  std(dim?: Dims, unbiased = true, keepdim = false): Tensor { return wrap(native.std(this.handle, dimsArg('std', dim), unbiased, keepdim)); }
  var(dim?: Dims, unbiased = true, keepdim = false): Tensor { return wrap(native.var(this.handle, dimsArg('var', dim), unbiased, keepdim)); }
  norm(p = 2, dim?: Dims, keepdim = false): Tensor { return wrap(native.norm(this.handle, p, dimsArg('norm', dim), keepdim)); }
  all(dim?: number, keepdim = false): Tensor { return wrap(native.all(this.handle, dim ?? null, keepdim)); }
  any(dim?: number, keepdim = false): Tensor { return wrap(native.any(this.handle, dim ?? null, keepdim)); }

  // ---- linear algebra and nn ------------------------------------------------------------------
  matmul(o: Tensor): Tensor { return wrap(native.matmul(this.handle, tensorArg('matmul', 'other', o))); }
  mm(o: Tensor): Tensor { return wrap(native.mm(this.handle, tensorArg('mm', 'other', o))); }
  bmm(o: Tensor): Tensor { return wrap(native.bmm(this.handle, tensorArg('bmm', 'other', o))); }
  softmax(dim: number, dtype?: DType): Tensor { return wrap(native.softmax(this.handle, intArg('softmax', 'dim', dim), dtype ? dtypeCode(dtype) : null)); }
  logSoftmax(dim: number, dtype?: DType): Tensor { return wrap(native.logSoftmax(this.handle, intArg('logSoftmax', 'dim', dim), dtype ? dtypeCode(dtype) : null)); }

  // ---- in place (return this) -------------------------------------------------------------------
  add_(o: Operand): this { if (o instanceof Tensor) native.add_(this.handle, o.handle); else native.add_(this.handle, scalar('add_', o), true); return this; }
  sub_(o: Operand): this { if (o instanceof Tensor) native.sub_(this.handle, o.handle); else native.sub_(this.handle, scalar('sub_', o), true); return this; }
  mul_(o: Operand): this { if (o instanceof Tensor) native.mul_(this.handle, o.handle); else native.mul_(this.handle, scalar('mul_', o), true); return this; }
  div_(o: Operand): this { if (o instanceof Tensor) native.div_(this.handle, o.handle); else native.div_(this.handle, scalar('div_', o), true); return this; }
  fill_(v: Operand): this { if (v instanceof Tensor) native.fill_(this.handle, v.handle); else native.fill_(this.handle, scalar('fill_', v), true); return this; }
  zero_(): this { native.zero_(this.handle); return this; }
  copy_(src: Tensor): this { native.copy_(this.handle, tensorArg('copy_', 'src', src)); return this; }
  clamp_(min: number | null, max: number | null = null): this { native.clamp_(this.handle, min, max); return this; }

  // ---- autograd ---------------------------------------------------------------------------------
  get requiresGrad(): boolean { return native.requiresGrad(this.handle); }
  requiresGrad_(on = true): this { native.requiresGrad_(this.handle, on); return this; }
  get isLeaf(): boolean { return native.isLeaf(this.handle); }
  retainGrad(): this { native.retainGrad(this.handle); return this; }
  /** Accumulated gradient (a new handle sharing its memory) or null. */
  get grad(): Tensor | null {
    const h = native.grad(this.handle);
    return h === null ? null : wrap(h);
  }
  set grad(g: Tensor | null) { native.setGrad(this.handle, g === null ? null : tensorArg('grad', 'grad', g)); }
  /** backward() on the addon's task thread, so the JS thread stays free while the gradients are computed. */
  async backwardAsync(gradient?: Tensor, retainGraph = false): Promise<void> {
    await native.backwardAsync(this.handle, optTensorArg('backward', 'gradient', gradient), retainGraph);
  }
  /** Backpropagates from this tensor; a non-scalar needs `gradient` of its shape. */
  backward(gradient?: Tensor, retainGraph = false): void {
    native.backward(this.handle, optTensorArg('backward', 'gradient', gradient), retainGraph);
  }
  detach(): Tensor { return wrap(native.detach(this.handle)); }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}
Object.defineProperty(Tensor.prototype, IS_TENSOR, { value: true });
