/** Tensor element types and their codes (libtorch's c10::ScalarType numbering). */

export type DType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64' | 'bool' | 'bfloat16';

export const DTYPE_CODE: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};
const CODE_DTYPE = new Map<number, DType>(Object.entries(DTYPE_CODE).map(([k, v]) => [v, k as DType]));

/** Also accepts the Python spellings (float, long, half, double, int). */
const ALIASES: Record<string, DType> = { float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', byte: 'uint8', bf16: 'bfloat16', fp16: 'float16', fp32: 'float32' };

export function dtypeCode(d: DType | string, what = 'dtype'): number {
  const name = (ALIASES[d] ?? d) as DType;
  const c = DTYPE_CODE[name];
  if (c === undefined) throw new TypeError(`${what}: unknown dtype '${d}', expected one of ${Object.keys(DTYPE_CODE).join(', ')}`);
  return c;
}

export function dtypeName(code: number): DType {
  const n = CODE_DTYPE.get(code);
  if (!n) throw new Error(`unsupported tensor dtype code ${code}`);
  return n;
}

export function isFloating(d: DType): boolean {
  return d === 'float16' || d === 'float32' || d === 'float64' || d === 'bfloat16';
}

/** The TypedArray a dtype reads back into (half types read back as Float32Array). */
export type TypedArrayFor<D extends DType> = D extends 'float64' ? Float64Array
  : D extends 'int64' ? BigInt64Array
  : D extends 'int32' ? Int32Array
  : D extends 'int16' ? Int16Array
  : D extends 'int8' ? Int8Array
  : D extends 'uint8' | 'bool' ? Uint8Array
  : Float32Array;

export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** dtype of the data in a TypedArray (the source type of a copy into a tensor). */
export function dtypeOfArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TypeError(`unsupported TypedArray ${(a as object).constructor?.name}`);
}

/** Wraps an ArrayBuffer returned by the addon in the TypedArray matching `code`. */
export function viewBuffer(buf: ArrayBuffer, code: number): AnyTypedArray {
  switch (dtypeName(code)) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
    default: throw new Error(`cannot read back dtype code ${code}`);
  }
}

/** Bytes per element. */
export function dtypeBytes(d: DType): number {
  return { float64: 8, int64: 8, float32: 4, int32: 4, float16: 2, bfloat16: 2, int16: 2, int8: 1, uint8: 1, bool: 1 }[d];
}
