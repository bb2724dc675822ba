/**
 * Rollout samples as TensorBoard summaries: per logged sample one text summary (question, the
 * parsed answer, the pass-2 answer, the gold answer, each reward, the full response and pass-2
 * text) and, when the caller has it, one image summary of the prompt image. Tags name the
 * sample's slot in the step (`samples/train/3`), so TensorBoard's step slider walks one slot
 * through training.
 */
import { formatNumber } from '../report/table.js';
import type { SampleRecord } from './samples.js';
import type { SummaryImage } from './tb_summaries.js';
import type { TensorBoardWriter } from './tensorboard.js';

/** A logged sample and, optionally, its first prompt image encoded for TensorBoard. */
export interface TensorBoardSample {
  record: SampleRecord;
  /** Index in the step's batch (shown in the text). */
  index?: number;
  image?: SummaryImage | null;
}

// Model output goes into indented code blocks: markdown in a response stays literal text.
const block = (text: string) => text.split('\n').map((l) => `    ${l}`).join('\n');
const opt = (v: unknown) => (v === null || v === undefined ? '-' : String(v));

/** The markdown body of a sample's text summary. */
export function sampleMarkdown(r: SampleRecord, index?: number): string {
  const rewards = typeof r.reward === 'number' ? { overall: r.reward } : r.reward;
  const parts = [
    `**sample ${index ?? '-'}**${typeof r.id === 'string' ? ` (${r.id.replace(/[\\`*_[\]<>]/g, '\\$&')})` : ''}`,
    '#### question', block(r.prompt),
    '#### answers', block([`answer         ${opt(r.answer)}`, `pass-2 answer  ${opt(r.pass2_answer)}`, `gold           ${opt(r.ground_truth)}`].join('\n')),
    '#### reward', Object.entries(rewards).map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · '),
    '#### response', block(r.response),
  ];
  if (typeof r.pass2 === 'string') parts.push('#### pass 2 (from the description alone)', block(r.pass2));
  return parts.join('\n\n');
}

/** Writes the text (and image) summaries of one step's logged samples. */
export function writeSampleSummaries(tb: TensorBoardWriter, step: number, samples: readonly TensorBoardSample[], split: 'train' | 'val' = 'train', wallTime = Date.now() / 1000): void {
  samples.forEach((s, slot) => {
    tb.addText(`samples/${split}/${slot}`, sampleMarkdown(s.record, s.index), step, wallTime);
    if (s.image) tb.addImage(`samples/${split}/${slot}/image`, s.image, step, wallTime);
  });
}
