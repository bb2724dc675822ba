/**
 * data.filter_overlong_prompts: dropping the rows whose pass-1 prompt is over the limits of
 * lib/rollout/prompt_limits.ts (data.max_prompt_length, worker.rollout.max_model_len) before training.
 */
import type { VisionDataset } from '../data/dataset.js';
import type { EncodedPrompt, PromptEncoder } from './collate.js';
import { encodePass1, type RolloutItem } from './rollout.js';
import type { ItemsOf } from './usable_items.js';
import type { PromptTemplate } from '../prompts/index.js';
import { promptProblem, type PromptLimits } from './prompt_limits.js';

/** Lengths of the encoded pass-1 prompts of `items`, in order. */
async function promptLengths(encoder: PromptEncoder, items: readonly RolloutItem[], template: PromptTemplate): Promise<number[]> {
  const enc: EncodedPrompt[] = await encodePass1(encoder, items, template);
  return enc.map((e) => e.ids.length);
}

export interface FilterResult {
  /** Positions of the rows that fit, in order. */
  keep: number[];
  dropped: Array<{ id: string; reason: string }>;
  /** Rows that could not be encoded at all (an image that does not decode): dropped too. */
  unusable?: Array<{ id: string; reason: string }>;
}

/**
 * Encodes every item's pass-1 prompt once and keeps those within the limits. This runs at load
 * (as EasyR1 filters its datasets before the first step) so that the loader's batches stay full
 * and the step count is right; it costs one prompt encoding per row at start-up.
 */
export async function filterItems(encoder: PromptEncoder, items: readonly RolloutItem[], template: PromptTemplate, limits: PromptLimits): Promise<FilterResult> {
  const lengths = await promptLengths(encoder, items, template);
  const keep: number[] = [];
  const dropped: FilterResult['dropped'] = [];
  lengths.forEach((len, i) => {
    const why = promptProblem(len, limits);
    if (why) dropped.push({ id: items[i].id ?? `item ${i}`, reason: why });
    else keep.push(i);
  });
  return { keep, dropped };
}

/** filterItems over a whole dataset, in chunks so only a chunk's images are decoded at once. */
export async function filterOverlongPrompts(
  dataset: VisionDataset, toItems: ItemsOf, encoder: PromptEncoder, template: PromptTemplate, limits: PromptLimits, chunk = 64,
): Promise<FilterResult> {
  const keep: number[] = [];
  const dropped: FilterResult['dropped'] = [];
  const unusable: FilterResult['dropped'] = [];
  for (let s = 0; s < dataset.size; s += chunk) {
    const idx = Array.from({ length: Math.min(chunk, dataset.size - s) }, (_, k) => s + k);
    const u = await toItems(await dataset.getBatch(idx));
    unusable.push(...u.bad.map((b) => ({ id: `${b.file}:${b.row}`, reason: b.reason })));
    const r = await filterItems(encoder, u.items, template, limits);
    keep.push(...r.keep.map((k) => u.examples[k].index));
    dropped.push(...r.dropped);
  }
  return { keep, dropped, unusable };
}

/** One log line about the dropped rows (count, and the first few with their reason). */
export function droppedSummary(what: string, total: number, r: FilterResult, show = 3): string {
  const head = `data: dropped ${r.dropped.length} of ${total} ${what} prompt(s) over the length limits (data.filter_overlong_prompts)`;
  return [head, ...r.dropped.slice(0, show).map((d) => `  ${d.id}: ${d.reason}`)].join('\n');
}

/**
 * data.filter_overlong_prompts for a training or validation dataset: the dataset without the rows
 * over the limits (the same one when none is), the count logged. Every row dropped is an error.
 */
export async function withoutOverlongPrompts(
  dataset: VisionDataset, what: string, toItems: ItemsOf, encoder: PromptEncoder, template: PromptTemplate, limits: PromptLimits, log: (line: string) => void,
): Promise<VisionDataset> {
  const r = await filterOverlongPrompts(dataset, toItems, encoder, template, limits);
  for (const u of r.unusable ?? []) log(`data: skipped ${what} row ${u.id}: ${u.reason}`);
  if (r.dropped.length === 0 && !r.unusable?.length) return dataset;
  if (r.dropped.length) log(droppedSummary(what, dataset.size, r));
  if (r.keep.length === 0) throw new Error(`data: every ${what} prompt is over the length limits (data.max_prompt_length ${limits.maxPromptLength}, worker.rollout.max_model_len ${limits.maxModelLen}); e.g. ${r.dropped[0].id}: ${r.dropped[0].reason}`);
  return dataset.subset(r.keep);
}
