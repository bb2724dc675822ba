/**
 * Rollout samples as TensorBoard text and image summaries: the event file decoded by a reader
 * written here from the proto definitions, and, when the `tensorboard` package is installed, by
 * TensorBoard's own EventAccumulator (scripts/oracle/tb_summaries.py).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MetricsLogger, sampleMarkdown, TensorBoardWriter } from '../../lib/logging/index.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { PNG_MAGIC, readEvents } from './tb_read.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'vsr1-tb-samples-'));

async function png(width: number, height: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3, 0);
  for (let i = 0; i < raw.length; i += 3) raw[i] = 200; // red
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

const record = {
  prompt: 'which shape is purple?<image>', response: '<description> a purple circle </description> <think> it is round </think> \\boxed{circle} <script>x</script>',
  ground_truth: 'circle', pass2: '<think> round </think> \\boxed{square}', reward: { overall: 1.1, accuracy: 1, format: 1, description_accuracy: 0 },
  answer: 'circle', pass2_answer: 'square', id: 'rl.jsonl:7',
};

async function writeSamples() {
  const dir = tmp();
  const m = new MetricsLogger({ dir, loggers: ['tensorboard'] });
  const image = { encoded: await png(6, 4), width: 6, height: 4, channels: 3 };
  m.log(3, { 'reward/overall': 0.5 });
  m.logSamples(3, [{ record, index: 5, image }, { record: { ...record, response: 'no image here' }, index: 9 }]);
  m.close();
  return { path: m.tensorboard!.path, image };
}

describe('TensorBoard sample summaries', () => {
  it('writes a text summary per sample (plugin "text", DT_STRING scalar) and a PNG image summary', async () => {
    const { path: file, image } = await writeSamples();
    const events = readEvents(file);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    const values = events.flatMap((e) => e.values.map((v) => ({ step: e.step, ...v })));
    const texts = values.filter((v) => v.plugin === 'text');
    expect(texts.map((v) => v.tag)).toEqual(['samples/train/0', 'samples/train/1']);
    for (const t of texts) {
      expect(t.step).toBe(3);
      expect(t.dtype).toBe(7); // DT_STRING
      expect(t.shapeDims).toBe(0); // a scalar
      expect(t.strings).toHaveLength(1);
    }
    expect(texts[0].strings![0]).toBe(sampleMarkdown(record, 5));
    for (const s of ['which shape is purple?', 'answer         circle', 'pass-2 answer  square', 'gold           circle', 'accuracy 1', 'description_accuracy 0', '\\boxed{square}']) {
      expect(texts[0].strings![0]).toContain(s);
    }
    // Model output sits in indented code blocks, so TensorBoard shows it as text.
    expect(texts[0].strings![0]).toContain('\n    <description> a purple circle');
    const images = values.filter((v) => v.image);
    expect(images.map((v) => v.tag)).toEqual(['samples/train/0/image']); // the second sample had no image
    const img = images[0].image!;
    expect({ w: img.width, h: img.height, c: img.colorspace }).toEqual({ w: 6, h: 4, c: 3 });
    expect(Array.from(img.encoded.subarray(0, 8))).toEqual(PNG_MAGIC);
    expect(Buffer.from(img.encoded).equals(Buffer.from(image.encoded))).toBe(true);
    expect(values.find((v) => v.tag === 'reward/overall')).toBeDefined();
  });

  it('rejects an image summary without a size', () => {
    const w = new TensorBoardWriter(tmp());
    expect(() => w.addImage('x', { encoded: new Uint8Array(8), width: 0, height: 4, channels: 3 }, 1)).toThrow(/image summary "x": width must be a positive integer/);
    w.close();
  });
});

describe.runIf(oracleAvailable(['tensorboard']))('TensorBoard reads the sample summaries (Python oracle)', () => {
  it('EventAccumulator: text plugin tags with the markdown, images with size and PNG bytes', async () => {
    const { path: file } = await writeSamples();
    const out = runOracle<{ text: Record<string, { plugin: string; steps: number[]; values: string[] }>; images: Record<string, { steps: number[]; width: number[]; height: number[]; head: string[] }> }>(
      'scripts/oracle/tb_summaries.py', { path: file });
    expect(Object.keys(out.text).sort()).toEqual(['samples/train/0', 'samples/train/1']);
    expect(out.text['samples/train/0']).toEqual({ plugin: 'text', steps: [3], values: [sampleMarkdown(record, 5)] });
    expect(out.text['samples/train/1'].values[0]).toContain('no image here');
    expect(out.images).toEqual({ 'samples/train/0/image': { steps: [3], width: [6], height: [4], head: [Buffer.from(PNG_MAGIC).toString('hex')] } });
  });
});
