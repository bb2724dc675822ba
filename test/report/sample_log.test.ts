/**
 * What a GRPO step logs per sample (lib/train/grpo/sample_log.ts), on a hand-built rollout:
 * the parsed response parts, images held as bytes written once under sample_images/, the
 * trainer.log_samples pick, and the TensorBoard image as PNG also for a JPEG source.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Example } from '../../lib/data/dataset.js';
import { MetricsLogger, SampleLogger } from '../../lib/logging/index.js';
import type { RewardResult } from '../../lib/rewards/index.js';
import type { Rollout } from '../../lib/rollout/rollout.js';
import { logRolloutSamples, responseParts } from '../../lib/train/grpo/sample_log.js';
import { PNG_MAGIC, readEvents } from './tb_read.js';

const image = (format: 'png' | 'jpeg') => sharp(Buffer.alloc(5 * 3 * 3, 90), { raw: { width: 5, height: 3, channels: 3 } })[format]().toBuffer().then((b) => new Uint8Array(b));

describe('GRPO sample records', () => {
  it('parses description, think, the graded answer and the pass-2 answer', () => {
    expect(responseParts('<description> a red  star </description> <think> so </think> \\boxed{ star }', '<think> x </think> \\boxed{circle}')).toEqual({
      description: 'a red  star', think: 'so', answer: 'star', pass2_answer: 'circle',
    });
    expect(responseParts('no tags', null)).toEqual({ description: null, think: null, answer: null, pass2_answer: null });
    expect(responseParts('\\boxed{1 / 2}', '')).toMatchObject({ answer: '1/2', pass2_answer: null }); // the normalised text, as accuracy grades it
  });

  it('writes byte images once under sample_images/, logs the picked samples, and PNG image summaries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-sample-log-'));
    const png = await image('png'), jpeg = await image('jpeg');
    const examples = [
      { id: 'a.parquet:0', index: 0, problem: 'q0<image>', answer: 'star', images: [{ kind: 'bytes', bytes: png }] },
      { id: 'a.parquet:1', index: 1, problem: 'q1<image>', answer: '2', images: [{ kind: 'bytes', bytes: jpeg }] },
    ] as unknown as Example[];
    const texts = ['<description> d0 </description> \\boxed{star}', 'x', '<think> t </think> \\boxed{2}', 'y'];
    const r = { texts, questions: ['q0', 'q0', 'q1', 'q1'], groupIds: [0, 0, 1, 1], pass2Texts: ['\\boxed{moon}', '', '\\boxed{2}', ''] } as unknown as Rollout;
    const results = texts.map((_, i) => ({ overall: i, components: { accuracy: i % 2, description_accuracy: 0 } })) as unknown as RewardResult[];
    const samples = new SampleLogger(path.join(dir, 'samples.jsonl'), 2);
    const metrics = new MetricsLogger({ dir, loggers: ['tensorboard'] });
    await logRolloutSamples({ step: 4, runDir: dir, examples, r, results, samples, metrics, log: () => {} });
    samples.close();
    metrics.close();
    const rows = readFileSync(path.join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.index)).toEqual([0, 2]);
    expect(rows[0]).toMatchObject({ step: 4, split: 'train', prompt: 'q0', ground_truth: 'star', pass2: '\\boxed{moon}', id: 'a.parquet:0', group: 0,
      description: 'd0', think: null, answer: 'star', pass2_answer: 'moon', reward: { overall: 0, accuracy: 0, description_accuracy: 0 } });
    expect(rows[1]).toMatchObject({ think: 't', answer: '2', pass2_answer: '2', group: 1 });
    expect(rows[0].images[0]).toMatch(/^sample_images\/[0-9a-f]{20}\.png$/);
    expect(rows[1].images[0]).toMatch(/^sample_images\/[0-9a-f]{20}\.jpeg$/);
    expect(new Uint8Array(readFileSync(path.join(dir, rows[0].images[0])))).toEqual(png);
    expect(readdirSync(path.join(dir, 'sample_images'))).toHaveLength(2);
    const tb = readdirSync(path.join(dir, 'tensorboard'));
    const imgs = readEvents(path.join(dir, 'tensorboard', tb[0])).flatMap((e) => e.values).filter((v) => v.image);
    expect(imgs.map((v) => v.tag)).toEqual(['samples/train/0/image', 'samples/train/1/image']);
    for (const v of imgs) {
      expect(Array.from(v.image!.encoded.subarray(0, 8))).toEqual(PNG_MAGIC); // the JPEG re-encoded
      expect([v.image!.width, v.image!.height]).toEqual([5, 3]);
    }
  });
});
