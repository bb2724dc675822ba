/**
 * safetensors files: an 8-byte little-endian header length, a JSON header
 * ({name: {dtype, shape, data_offsets}, __metadata__?}), then raw little-endian tensor bytes.
 * The header is parsed and written here; the addon moves the bytes (pread/write, no copies
 * through JS). Writes are atomic (temp file + rename). Byte-compatible with Python's
 * safetensors.torch.save_file (same tensor order, compact JSON, space padding to 8 bytes).
 */
import { closeSync, openSync, readFileSync, readSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { native } from '../native.js';
import type { SafetensorsSpan } from '../native_api.js';
import { type DType, dtypeBytes, dtypeCode } from './dtype.js';
import { Tensor, wrap } from './tensor.js';

const ST_TO_DTYPE: Record<string, DType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const DTYPE_TO_ST: Record<DType, string> = Object.fromEntries(Object.entries(ST_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;
// Python safetensors orders tensors by dtype (its enum order, largest first), then by name.
const ST_ORDER = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

export interface TensorEntry {
  dtype: DType;
  shape: number[];
  /** Byte offsets [begin, end) inside the data section. */
  offsets: [number, number];
}

/** An opened safetensors file: header parsed, tensors read on demand. */
export class SafetensorsFile {
  readonly entries = new Map<string, TensorEntry>();
  readonly metadata: Record<string, string>;
  readonly dataStart: number;

  private constructor(readonly path: string, header: Record<string, unknown>, headerLen: number) {
    this.dataStart = 8 + headerLen;
    this.metadata = (header.__metadata__ as Record<string, string>) ?? {};
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const e = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
      const dtype = e.dtype ? ST_TO_DTYPE[e.dtype] : undefined;
      if (!dtype) throw new Error(`${path}: tensor '${name}' has unsupported dtype '${e.dtype}' (supported: ${Object.keys(ST_TO_DTYPE).join(', ')})`);
      if (!Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
        throw new Error(`${path}: tensor '${name}' needs 'shape' and 'data_offsets' [begin, end] in the header`);
      }
      this.entries.set(name, { dtype, shape: e.shape, offsets: e.data_offsets });
    }
  }

  /** Reads and validates the header of `file`. */
  static open(file: string): SafetensorsFile {
    if (!existsSync(file)) throw new Error(`safetensors file not found: ${file}`);
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const lenBuf = Buffer.alloc(8);
      if (size < 8 || readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new Error(`${file}: not a safetensors file (shorter than 8 bytes)`);
      const len = Number(lenBuf.readBigUInt64LE(0));
      if (len <= 0 || 8 + len > size) throw new Error(`${file}: not a safetensors file (header length ${len} exceeds file size ${size})`);
      const hb = Buffer.alloc(len);
      readSync(fd, hb, 0, len, 8);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(hb.toString('utf8'));
      } catch (e) {
        throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`);
      }
      return new SafetensorsFile(file, header, len);
    } finally {
      closeSync(fd);
    }
  }

  keys(): string[] { return [...this.entries.keys()]; }
  has(name: string): boolean { return this.entries.has(name); }

  /** Reads one tensor (CPU). */
  get(name: string): Tensor {
    return this.getMany([name])[0];
  }
  /** Reads several tensors in one native call. */
  getMany(names: readonly string[]): Tensor[] {
    return (native.readSpans(this.path, this.dataStart, this.spans(names)) as number[]).map(wrap);
  }
  /** getMany off the JS thread. */
  async getManyAsync(names: readonly string[]): Promise<Tensor[]> {
    return ((await native.readSpansAsync(this.path, this.dataStart, this.spans(names))) as number[]).map(wrap);
  }
  private spans(names: readonly string[]): SafetensorsSpan[] {
    return names.map((n) => {
      const e = this.entries.get(n);
      if (!e) throw new Error(`${this.path}: no tensor named '${n}'`);
      return [dtypeCode(e.dtype), e.shape, e.offsets[0], e.offsets[1]];
    });
  }
}

/** Loads every tensor of a safetensors file. */
export function loadSafetensors(file: string): Map<string, Tensor> {
  const f = SafetensorsFile.open(file);
  const names = f.keys();
  const ts = f.getMany(names);
  return new Map(names.map((n, i) => [n, ts[i]]));
}

/** Writes `tensors` (name -> tensor) atomically; `metadata` values must be strings. */
export function saveSafetensors(file: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): void {
  const { json, handles } = describe(tensors, metadata);
  native.writeSafetensors(file, json, handles);
}

/** saveSafetensors off the JS thread; the tensors must not change until the Promise settles. */
export async function saveSafetensorsAsync(file: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  const { json, handles } = describe(tensors, metadata);
  await native.writeSafetensorsAsync(file, json, handles);
}

/** The file header (data offsets in the order written) and the tensors' handles in that order. */
function describe(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): { json: string; handles: number[] } {
  const items = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const described = items.map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new TypeError(`saveSafetensors: '${name}' is not a Tensor`);
    const st = DTYPE_TO_ST[t.dtype];
    return { name, t, st, shape: t.shape, bytes: t.numel() * dtypeBytes(t.dtype) };
  });
  described.sort((a, b) => ST_ORDER.indexOf(b.st) - ST_ORDER.indexOf(a.st) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`saveSafetensors: metadata '${k}' must be a string`);
    header.__metadata__ = metadata;
  }
  let off = 0;
  for (const d of described) {
    header[d.name] = { dtype: d.st, shape: d.shape, data_offsets: [off, off + d.bytes] };
    off += d.bytes;
  }
  let json = JSON.stringify(header);
  const padded = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (padded % 8)) % 8);
  return { json, handles: described.map((d) => d.t.handle) };
}


/**
 * A checkpoint folder's weights: model.safetensors, or model.safetensors.index.json with its
 * shards. Tensors are read lazily, one shard file opened once.
 */
export class ShardedCheckpoint {
  private files = new Map<string, SafetensorsFile>();
  readonly weightMap = new Map<string, string>();

  constructor(readonly dir: string) {
    const index = path.join(dir, 'model.safetensors.index.json');
    const single = path.join(dir, 'model.safetensors');
    if (existsSync(index)) {
      let j: { weight_map?: Record<string, string> };
      try {
        j = JSON.parse(readFileSync(index, 'utf8'));
      } catch (e) {
        throw new Error(`${index}: not valid JSON (${(e as Error).message})`);
      }
      if (!j.weight_map) throw new Error(`${index}: missing 'weight_map'`);
      for (const [k, f] of Object.entries(j.weight_map)) this.weightMap.set(k, f);
    } else if (existsSync(single)) {
      for (const k of this.file('model.safetensors').keys()) this.weightMap.set(k, 'model.safetensors');
    } else {
      throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json`);
    }
  }
  private file(name: string): SafetensorsFile {
    let f = this.files.get(name);
    if (!f) {
      f = SafetensorsFile.open(path.join(this.dir, name));
      this.files.set(name, f);
    }
    return f;
  }
  keys(): string[] { return [...this.weightMap.keys()]; }
  has(name: string): boolean { return this.weightMap.has(name); }
  entry(name: string): TensorEntry {
    const f = this.weightMap.get(name);
    if (!f) throw new Error(`${this.dir}: checkpoint has no tensor '${name}'`);
    const e = this.file(f).entries.get(name);
    if (!e) throw new Error(`${path.join(this.dir, f)}: index lists '${name}' but the shard does not contain it`);
    return e;
  }
  get(name: string): Tensor {
    return this.file(this.shardOf(name)).get(name);
  }
  /** get off the JS thread. */
  async getAsync(name: string): Promise<Tensor> {
    return (await this.file(this.shardOf(name)).getManyAsync([name]))[0];
  }
  private shardOf(name: string): string {
    const f = this.weightMap.get(name);
    if (!f) throw new Error(`${this.dir}: checkpoint has no tensor '${name}'`);
    return f;
  }
}
