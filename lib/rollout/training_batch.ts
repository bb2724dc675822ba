/**
 * The layout of a training micro-batch, chosen by the trainer's keys: left-padded (collate.ts),
 * packed one sequence per sample (pack.ts), or packed with each prompt once (pack_shared.ts).
 */
import { type CollateOptions, type EncodedPrompt, collate } from './collate.js';
import { packBatch, type ScoredSpan, type TrainingBatch } from './pack.js';
import { packSharedPrompts } from './pack_shared.js';

/** How a training micro-batch is laid out. */
export interface BatchLayout {
  /** Padding-free (one packed row) or left-padded. */
  packed: boolean;
  /** Packed only: each distinct prompt once, its responses reading it as a shared prefix (pack_shared.ts). */
  sharePrompts?: boolean;
  span?: ScoredSpan;
}

/** A training micro-batch in the chosen layout. */
export function trainingBatch(prompts: readonly EncodedPrompt[], responses: readonly (readonly number[])[], o: CollateOptions & BatchLayout): TrainingBatch {
  if (o.span === 'sequence' && !o.packed) throw new Error("trainingBatch: span 'sequence' is for packed batches (padded ones score prompts through sft/prompt_loss.ts)");
  if (o.sharePrompts && (!o.packed || o.span === 'sequence')) throw new Error("trainingBatch: shared prompts need the packed layout and span 'response'");
  if (o.sharePrompts) return packSharedPrompts(prompts, responses, o);
  return o.packed ? packBatch(prompts, responses, o) : collate(prompts, responses, o);
}
