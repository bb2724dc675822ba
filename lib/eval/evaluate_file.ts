/**
 * Greedy evaluation of a checkpoint folder on a dataset file (pass 1 with the config's format
 * prompt, plus the self-reward pass for see-think), with an optional breakdown by a column of the
 * rows (e.g. the built-in world's `family`). Shared by `vsr1 pipeline` and `vsr1 eval`.
 */
import type { TrainConfig } from '../config/index.js';
import { VisionDataset, type BadRow } from '../data/dataset.js';
import { resolveFormatPrompt } from '../rollout/format_prompt.js';
import { DecodedImageCache } from '../rollout/image_cache.js';
import type { ModelStack } from '../rollout/model_stack.js';
import type { RolloutItem } from '../rollout/rollout.js';
import { type EvalResult, evaluate } from './evaluate.js';
import { usableItems } from '../rollout/usable_items.js';
import { type EvalExtras, evalExtras, type GradingOptions } from './eval_extras.js';
import { sampleGrader } from './grading.js';
import { type WorldBreakdown, type WorldEvalSample, checkWorldRows, worldBreakdown } from './family_breakdown.js';

export interface FileEvalOptions extends GradingOptions {
  /** Evaluate the first `limit` usable rows (default all). */
  limit?: number;
  /** A dataset column to break accuracy down by (e.g. 'family'). */
  groupBy?: string;
  batchSize?: number;
}

export interface GroupScore { n: number; accuracy: number; descriptionAccuracy: number | null }
/** `hallucination` and `families` come from world rows (`scene`, `family` columns; family_breakdown.ts), null otherwise. */
export type FileEvalResult = EvalResult & { groups: Record<string, GroupScore> | null; samples: WorldEvalSample[] } & Pick<WorldBreakdown, 'hallucination' | 'families'> & EvalExtras;

/** Evaluates `stack` on `file` with the prompts, response length and description fallback of `cfg`. */
export async function evaluateFile(stack: ModelStack, file: string, cfg: TrainConfig, o: FileEvalOptions = {}, images = new DecodedImageCache({ pixelLimit: cfg.data.image_pixel_limit })): Promise<FileEvalResult> {
  const fp = resolveFormatPrompt(cfg.data.format_prompt, cfg.algorithm.preset);
  const keepColumns = [...new Set([...(o.groupBy === undefined ? [] : [o.groupBy]), 'family', 'scene'])];
  const ds = await VisionDataset.load({ files: file, promptKey: cfg.data.prompt_key, answerKey: cfg.data.answer_key, imageKey: cfg.data.image_key, keepColumns, imagePixelLimit: cfg.data.image_pixel_limit });
  const n = Math.min(ds.size, o.limit ?? ds.size);
  // Rows whose image does not decode or whose answer is empty are reported with the load's bad rows.
  const usable = await usableItems(await ds.getBatch([...Array(n).keys()]), images);
  if (usable.items.length === 0) throw new Error(noUsableRows(file, n, [...ds.badRows, ...usable.bad]));
  const examples = usable.examples;
  // Checked before any generation, so a wrong column name costs nothing.
  const keys = o.groupBy === undefined ? null : examples.map((e) => {
    const v = e.columns[o.groupBy!];
    if (v === undefined) throw new Error(`eval --by ${o.groupBy}: row ${e.id} has no '${o.groupBy}' column`);
    return v;
  });
  checkWorldRows(examples);
  const items: RolloutItem[] = usable.items;
  const result = await evaluate(stack.model, stack.encoder, items, {
    format: fp.format, batchSize: o.batchSize ?? 64, regrade: sampleGrader(o.grade ?? 'auto', o.judge),
    rollout: {
      sampling: { n: 1, maxNewTokens: cfg.data.max_response_length, temperature: 0, topP: 1, topK: -1, greedy: true, logitBias: { [stack.model.config.imageTokenId]: -100 }, stopTokenIds: stack.model.config.eosTokenIds, seed: 0 },
      template: fp.template, pass2: fp.format === 'see-think', captionReasoner: fp.captionReasoner, onMissingDescription: cfg.algorithm.description_fallback,
    },
  });
  // Before the world breakdown, which copies the samples: the judge's verdicts travel with them.
  const extras = await evalExtras(result.samples, o, fp.format === 'see-think', cfg.algorithm.description_fallback, ds.badRows, usable.bad);
  const world = worldBreakdown(result.samples, examples.map((e) => e.columns), examples.map((e) => e.id));
  if (!keys) return { ...result, ...world, ...extras, groups: null };
  const acc: Record<string, { n: number; a: number; d: number; hasD: boolean }> = {};
  result.samples.forEach((s, i) => {
    const g = (acc[keys[i]] ??= { n: 0, a: 0, d: 0, hasD: false });
    g.n++;
    g.a += s.accuracy;
    if (s.descriptionAccuracy !== null) { g.d += s.descriptionAccuracy; g.hasD = true; }
  });
  const groups = Object.fromEntries(Object.entries(acc).sort(([x], [y]) => x.localeCompare(y)).map(([k, g]) => [k, { n: g.n, accuracy: g.a / g.n, descriptionAccuracy: g.hasD ? g.d / g.n : null }]));
  return { ...result, ...world, ...extras, groups };
}

/** The error of an evaluation with nothing to evaluate: an empty file, or every row bad. */
function noUsableRows(file: string, tried: number, bad: readonly BadRow[]): string {
  if (tried === 0 && bad.length === 0) return `eval: ${file} has no rows to evaluate`;
  const shown = bad.slice(0, 3).map((b) => `${b.file}:${b.row}: ${b.reason}`).join('; ');
  return `eval: ${file}: no usable row (${bad.length} bad row(s)${shown ? `, e.g. ${shown}` : ''})`;
}
