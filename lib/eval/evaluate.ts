/**
 * Evaluation of a policy on held-out items (docs/method.md, "Evaluation": greedy, the pass-1 format prompt):
 * answer accuracy and format of pass 1, and (with the self-reward pass) description accuracy:
 * whether the policy's own description, given without the image to the same policy, leads to
 * the right answer. Also the language-shortcut rate (docs/method.md, "Language-shortcut rate"): right answers whose description
 * does not support them (lower is better).
 */
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { accuracyReward, cotFormatReward, normalizeResponse, seeThinkFormatReward, visualReward } from '../rewards/index.js';
import { findDescription } from '../prompts/index.js';
import type { PromptEncoder } from '../rollout/collate.js';
import { type RolloutItem, type RolloutSettings, rollout } from '../rollout/rollout.js';

export interface EvalSample {
  id: string;
  question: string;
  answer: string;
  response: string;
  pass2: string | null;
  accuracy: number;
  format: number;
  descriptionAccuracy: number | null;
}

export interface EvalResult {
  n: number;
  accuracy: number;
  format: number;
  /** Share of items whose description alone lets the policy answer right (null without pass 2). */
  descriptionAccuracy: number | null;
  /** Share of items answered right from a description that does not support the answer. */
  languageShortcutRate: number | null;
  /** Share of responses with a <description> block. */
  descriptionRate: number;
  responseLength: number;
  samples: EvalSample[];
}

export interface EvalOptions {
  /** Rollout settings; sampling is forced to greedy, n = 1 unless `keepSampling`. */
  rollout: RolloutSettings;
  /**
   * Sample as rollout.sampling says (n samples per item, its temperature and top-p/k; greedy when
   * it says so): the GRPO trainer's worker.rollout.val_override_config. Metrics then average over
   * all n samples of every item (mean@n); `n` counts samples.
   */
  keepSampling?: boolean;
  /** 'see-think' grades the see-think format, 'cot' the CoT format. */
  format: 'see-think' | 'cot';
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Re-grades the samples before the means (sets each `accuracy`; lib/eval/grading.ts sampleGrader). */
  regrade?: (samples: EvalSample[]) => Promise<void>;
}

/** Greedy (or, with keepSampling, sampled) pass 1 (+ pass 2) over `items` in batches. */
export async function evaluate(model: QwenVLModel, encoder: PromptEncoder, items: readonly RolloutItem[], o: EvalOptions): Promise<EvalResult> {
  const settings: RolloutSettings = o.keepSampling ? o.rollout : { ...o.rollout, sampling: { ...o.rollout.sampling, n: 1, greedy: true, temperature: 0 } };
  const bs = o.batchSize ?? 32;
  const samples: EvalSample[] = [];
  let tokens = 0;
  for (let s = 0; s < items.length; s += bs) {
    const chunk = items.slice(s, s + bs);
    const r = await rollout(model, encoder, chunk, settings);
    r.texts.forEach((text, i) => {
      const norm = normalizeResponse(text);
      const pass2 = r.pass2Texts ? r.pass2Texts[i] : null;
      const hasDesc = findDescription(text) !== null;
      const item = chunk[r.groupIds[i]];
      samples.push({
        id: item.id ?? `item ${s + r.groupIds[i]}`,
        question: r.questions[i],
        answer: item.answer,
        response: text,
        pass2,
        accuracy: accuracyReward(norm, item.answer),
        format: o.format === 'cot' ? cotFormatReward(norm) : seeThinkFormatReward(norm),
        descriptionAccuracy: pass2 === null ? null : hasDesc || settings.onMissingDescription === 'whole-response' ? visualReward(pass2, item.answer) : 0,
      });
      tokens += r.responses[i].length;
    });
    o.onProgress?.(Math.min(s + bs, items.length), items.length);
  }
  if (o.regrade) await o.regrade(samples);
  const n = samples.length;
  const avg = (f: (x: EvalSample) => number) => (n ? samples.reduce((a, x) => a + f(x), 0) / n : 0);
  const withPass2 = samples.every((x) => x.descriptionAccuracy !== null);
  return {
    n,
    accuracy: avg((x) => x.accuracy),
    format: avg((x) => x.format),
    descriptionAccuracy: withPass2 ? avg((x) => x.descriptionAccuracy!) : null,
    languageShortcutRate: withPass2 ? avg((x) => (x.accuracy === 1 && x.descriptionAccuracy === 0 ? 1 : 0)) : null,
    descriptionRate: avg((x) => (findDescription(x.response) !== null ? 1 : 0)),
    responseLength: n ? tokens / n : 0,
    samples,
  };
}
