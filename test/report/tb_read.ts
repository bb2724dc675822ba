/**
 * A test-side reader of TensorBoard event files, written from the proto definitions rather than
 * from lib/logging: TFRecord frames (CRCs checked with lib's crc, whose own test pins it to the
 * standard check value), then Event -> Summary -> Value decoded by wire type.
 */
import { readFileSync } from 'node:fs';
import { maskedCrc32c } from '../../lib/logging/tfrecord.js';

type Field = { num: number; wire: number; int?: bigint; bytes?: Uint8Array; f64?: number };

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let shift = 0n, v = 0n;
    for (;;) {
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const num = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ num, wire, int: varint() });
    else if (wire === 1) { out.push({ num, wire, f64: new DataView(buf.buffer, buf.byteOffset + i, 8).getFloat64(0, true) }); i += 8; }
    else if (wire === 2) { const n = Number(varint()); out.push({ num, wire, bytes: buf.subarray(i, i + n) }); i += n; }
    else if (wire === 5) { out.push({ num, wire, bytes: buf.subarray(i, i + 4) }); i += 4; }
    else throw new Error(`wire type ${wire} at byte ${i}`);
  }
  return out;
}

const one = (fs: Field[], num: number) => fs.find((f) => f.num === num);
const text = (b?: Uint8Array) => (b ? new TextDecoder().decode(b) : undefined);

export interface TbValue {
  tag: string;
  plugin?: string;
  /** Tensor dtype, shape dims and string_val entries (text summaries). */
  dtype?: number;
  shapeDims?: number;
  strings?: string[];
  image?: { height: number; width: number; colorspace: number; encoded: Uint8Array };
}
export interface TbEvent { step: number; wallTime: number; fileVersion?: string; values: TbValue[] }

/** Every event of an event file. */
export function readEvents(path: string): TbEvent[] {
  const data = new Uint8Array(readFileSync(path));
  const view = new DataView(data.buffer, data.byteOffset);
  const out: TbEvent[] = [];
  for (let i = 0; i < data.length;) {
    const len = Number(view.getBigUint64(i, true));
    if (view.getUint32(i + 8, true) !== maskedCrc32c(data.subarray(i, i + 8))) throw new Error(`length crc at byte ${i}`);
    const body = data.subarray(i + 12, i + 12 + len);
    if (view.getUint32(i + 12 + len, true) !== maskedCrc32c(body)) throw new Error(`data crc at byte ${i}`);
    i += 16 + len;
    const ev = fields(body);
    const values: TbValue[] = [];
    const summary = one(ev, 5)?.bytes;
    for (const v of summary ? fields(summary).filter((f) => f.num === 1) : []) {
      const vf = fields(v.bytes!);
      const value: TbValue = { tag: text(one(vf, 1)?.bytes) ?? '' };
      const meta = one(vf, 9)?.bytes;
      if (meta) {
        const pd = one(fields(meta), 1)?.bytes;
        value.plugin = pd ? text(one(fields(pd), 1)?.bytes) : undefined;
      }
      const tensor = one(vf, 8)?.bytes;
      if (tensor) {
        const tf = fields(tensor);
        value.dtype = Number(one(tf, 1)?.int ?? -1);
        const shape = one(tf, 2)?.bytes;
        value.shapeDims = shape ? fields(shape).filter((f) => f.num === 2).length : -1;
        value.strings = tf.filter((f) => f.num === 8).map((f) => text(f.bytes)!);
      }
      const img = one(vf, 4)?.bytes;
      if (img) {
        const f = fields(img);
        value.image = { height: Number(one(f, 1)?.int), width: Number(one(f, 2)?.int), colorspace: Number(one(f, 3)?.int), encoded: one(f, 4)!.bytes! };
      }
      values.push(value);
    }
    out.push({ step: Number(one(ev, 2)?.int ?? 0n), wallTime: one(ev, 1)?.f64 ?? 0, fileVersion: text(one(ev, 3)?.bytes), values });
  }
  return out;
}

export const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
