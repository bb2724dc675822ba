/**
 * A TensorBoard event-file writer for scalars, text and images (tb_summaries.ts). No maintained writer exists on npm,
 * and the format is small: TFRecord-framed `Event` protobufs, the first one
 * carrying file_version "brain.Event:2".
 *
 * Field numbers (tensorflow/core/util/event.proto, framework/summary.proto):
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ProtoWriter } from './protobuf.js';
import { encodeImageValue, encodeSummaryEvent, encodeTextValue, type SummaryImage } from './tb_summaries.js';
import { tfRecord } from './tfrecord.js';

let fileCounter = 0;

/** Encodes an Event with scalar summaries (exported for tests). */
export function encodeScalarEvent(step: number, wallTime: number, scalars: Record<string, number>): Uint8Array {
  const summary = new ProtoWriter();
  for (const [tag, value] of Object.entries(scalars)) {
    summary.bytes(1, new ProtoWriter().string(1, tag).float(2, value).finish());
  }
  return new ProtoWriter().double(1, wallTime).int(2, step).bytes(5, summary.finish()).finish();
}

/** Writes `events.out.tfevents.*` files that TensorBoard reads as one run. */
export class TensorBoardWriter {
  private fd: number | null;
  /** Full path of the event file. */
  readonly path: string;

  /**
   * Creates a new event file in `logdir` (made if missing). TensorBoard picks up every
   * `*tfevents*` file in the folder, so a resumed run simply adds a second file.
   */
  constructor(readonly logdir: string) {
    mkdirSync(logdir, { recursive: true });
    const now = Date.now() / 1000;
    this.path = join(logdir, `events.out.tfevents.${Math.floor(now)}.${hostname()}.${process.pid}.${fileCounter++}`);
    this.fd = openSync(this.path, 'wx');
    this.writeRecord(new ProtoWriter().double(1, now).int(2, 0).string(3, 'brain.Event:2').finish());
  }

  private writeRecord(event: Uint8Array): void {
    if (this.fd === null) throw new Error(`TensorBoardWriter ${this.path}: write after close`);
    writeSync(this.fd, tfRecord(event));
  }

  /** One scalar. Prefer addScalars for several values of the same step (one record). */
  addScalar(tag: string, value: number, step: number, wallTime = Date.now() / 1000): void {
    this.addScalars({ [tag]: value }, step, wallTime);
  }

  /** Several scalars of one step in one Event. Non-number entries are skipped. */
  addScalars(scalars: Record<string, number>, step: number, wallTime = Date.now() / 1000): void {
    const numeric: Record<string, number> = {};
    for (const [k, v] of Object.entries(scalars)) if (typeof v === 'number') numeric[k] = v;
    if (Object.keys(numeric).length === 0) return;
    this.writeRecord(encodeScalarEvent(step, wallTime, numeric));
  }

  /** A text summary (TensorBoard's Text tab renders it as markdown). */
  addText(tag: string, text: string, step: number, wallTime = Date.now() / 1000): void {
    this.writeRecord(encodeSummaryEvent(step, wallTime, [encodeTextValue(tag, text)]));
  }

  /** An image summary from encoded bytes (e.g. a PNG). */
  addImage(tag: string, image: SummaryImage, step: number, wallTime = Date.now() / 1000): void {
    this.writeRecord(encodeSummaryEvent(step, wallTime, [encodeImageValue(tag, image)]));
  }

  /** Forces written events to disk. */
  flush(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
