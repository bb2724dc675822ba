/**
 * The rollout samples a GRPO step logs: to samples.jsonl (what `vsr1 report` shows in its
 * gallery) and, with the tensorboard logger, as text and image summaries. Each record carries
 * the prompt image (a file path; dataset images held as bytes are written once under
 * `<run>/sample_images/`), the question, the full response and its parsed parts (description,
 * think, answer), the pass-2 answer, every reward component and the gold answer.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Example } from '../../data/dataset.js';
import { type ImageSource, sniffImageFormat } from '../../data/image_source.js';
import type { MetricsLogger, SampleLogger, SampleRecord, SummaryImage, TensorBoardSample } from '../../logging/index.js';
import { findDescription } from '../../prompts/index.js';
import { extractBoxedContent, normalizeResponse, type RewardResult } from '../../rewards/index.js';
import type { Rollout } from '../../rollout/rollout.js';

/** Folder (under the run folder) for prompt images that came as bytes. */
export const SAMPLE_IMAGES_DIR = 'sample_images';

/** The parts of a response the gallery shows; null where the response has no such part. */
export interface ResponseParts {
  description: string | null;
  think: string | null;
  /** Content of the last `\boxed{}` of the normalised response (what the accuracy reward grades). */
  answer: string | null;
  /** Content of the last `\boxed{}` of the pass-2 text, graded as generated. */
  pass2_answer: string | null;
}

const THINK = /<think>([\s\S]*?)<\/think>/;
const boxed = (text: string): string | null => (text.includes('\\boxed{') ? extractBoxedContent(text) : null);

/** Parses a pass-1 response (and its pass-2 text) the way the rewards read them. */
export function responseParts(response: string, pass2: string | null | undefined): ResponseParts {
  const think = THINK.exec(response);
  return {
    description: findDescription(response),
    think: think ? think[1]!.trim() : null,
    answer: boxed(normalizeResponse(response)),
    pass2_answer: typeof pass2 === 'string' ? boxed(pass2) : null,
  };
}

/** The path a record names for an image: the file, or a content-addressed copy of the bytes. */
function imageRef(src: ImageSource, runDir: string): string {
  if (src.kind === 'file') return src.path;
  const ext = sniffImageFormat(src.bytes.subarray(0, 16)) ?? 'bin';
  const rel = join(SAMPLE_IMAGES_DIR, `${createHash('sha256').update(src.bytes).digest('hex').slice(0, 20)}.${ext}`);
  const abs = join(runDir, rel);
  if (!existsSync(abs)) {
    mkdirSync(join(runDir, SAMPLE_IMAGES_DIR), { recursive: true });
    writeFileSync(abs, src.bytes);
  }
  return rel;
}

/** A PNG of the image for TensorBoard (PNG sources as they are, others re-encoded). */
async function summaryImage(src: ImageSource): Promise<SummaryImage> {
  const bytes = src.kind === 'file' ? new Uint8Array(await readFile(src.path)) : src.bytes;
  if (sniffImageFormat(bytes.subarray(0, 16)) === 'png') {
    const m = await sharp(bytes).metadata();
    return { encoded: bytes, width: m.width!, height: m.height!, channels: m.channels ?? 3 };
  }
  const { data, info } = await sharp(bytes).png().toBuffer({ resolveWithObject: true });
  return { encoded: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

export interface RolloutSampleLog {
  step: number;
  runDir: string;
  /** The step's dataset rows, in the order of the rollout's items (group ids index them). */
  examples: readonly Example[];
  r: Rollout;
  results: readonly RewardResult[];
  samples: SampleLogger;
  metrics: MetricsLogger;
  log: (line: string) => void;
}

/** Logs the step's picked samples (trainer.log_samples of them) to samples.jsonl and TensorBoard. */
export async function logRolloutSamples(o: RolloutSampleLog): Promise<void> {
  const { r, results } = o;
  const picked = o.samples.pick(r.texts.length).map((i) => {
    const ex = o.examples[r.groupIds[i]];
    const pass2 = r.pass2Texts?.[i] ?? null;
    const record: SampleRecord = {
      prompt: r.questions[i], response: r.texts[i], ground_truth: ex.answer, pass2,
      reward: { overall: results[i].overall, ...results[i].components },
      id: ex.id, group: r.groupIds[i], images: ex.images.map((s) => imageRef(s, o.runDir)), ...responseParts(r.texts[i], pass2),
    };
    return [i, record] as const;
  });
  o.samples.logPicked(o.step, picked);
  if (!o.metrics.tensorboard) return;
  const encoded = new Map<number, Promise<SummaryImage | null>>();
  const imageOf = (group: number): Promise<SummaryImage | null> => {
    const src = o.examples[group].images[0];
    if (!src) return Promise.resolve(null);
    if (!encoded.has(group)) {
      encoded.set(group, summaryImage(src).catch((e: Error) => {
        o.log(`samples: image of ${o.examples[group].id} not logged to TensorBoard (${e.message})`);
        return null;
      }));
    }
    return encoded.get(group)!;
  };
  const tb: TensorBoardSample[] = await Promise.all(picked.map(async ([index, record]) => ({ record, index, image: await imageOf(r.groupIds[index]) })));
  o.metrics.logSamples(o.step, tb);
}
