/**
 * TensorBoard text and image summaries (Summary.Value protobufs), the two kinds rollout samples
 * are logged as. Field numbers (tensorflow/core/framework/summary.proto, tensor.proto,
 * tensor_shape.proto, types.proto):
 *   Summary.Value   { string tag = 1; Image image = 4; TensorProto tensor = 8; SummaryMetadata metadata = 9; }
 *   Summary.Image   { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
 *   SummaryMetadata { PluginData plugin_data = 1; }   PluginData { string plugin_name = 1; bytes content = 2; }
 *   TensorProto     { DataType dtype = 1; TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }
 * The text plugin reads a value whose metadata names plugin "text" and whose tensor is a DT_STRING
 * scalar (what tf.summary.text writes); the image plugin reads Summary.Image directly.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorFlow's DataType enum value of DT_STRING. */
const DT_STRING = 7;

/** An encoded image for an image summary. */
export interface SummaryImage {
  /** Encoded image bytes (PNG for the trainer's samples; TensorBoard shows what a browser decodes). */
  encoded: Uint8Array;
  width: number;
  height: number;
  /** Channels: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (Summary.Image colorspace). */
  channels: number;
}

/** One Summary.Value holding `text` for the text plugin (rendered there as markdown). */
export function encodeTextValue(tag: string, text: string): Uint8Array {
  const pluginData = new ProtoWriter().string(1, 'text').finish();
  const metadata = new ProtoWriter().bytes(1, pluginData).finish();
  // An empty TensorShapeProto is a scalar; the field is written so readers see a shape of [].
  const tensor = new ProtoWriter().int(1, DT_STRING).bytes(2, new Uint8Array(0)).string(8, text).finish();
  return new ProtoWriter().string(1, tag).bytes(8, tensor).bytes(9, metadata).finish();
}

/** One Summary.Value holding an encoded image. */
export function encodeImageValue(tag: string, img: SummaryImage): Uint8Array {
  for (const k of ['width', 'height', 'channels'] as const) {
    if (!Number.isInteger(img[k]) || img[k] <= 0) throw new Error(`image summary "${tag}": ${k} must be a positive integer, got ${img[k]}`);
  }
  const image = new ProtoWriter().int(1, img.height).int(2, img.width).int(3, img.channels).bytes(4, img.encoded).finish();
  return new ProtoWriter().string(1, tag).bytes(4, image).finish();
}

/** An Event { wall_time, step, summary { value... } } from encoded Summary.Values. */
export function encodeSummaryEvent(step: number, wallTime: number, values: readonly Uint8Array[]): Uint8Array {
  const summary = new ProtoWriter();
  for (const v of values) summary.bytes(1, v);
  return new ProtoWriter().double(1, wallTime).int(2, step).bytes(5, summary.finish()).finish();
}
