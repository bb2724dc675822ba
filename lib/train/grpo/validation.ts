/**
 * Validation settings and logging of the GRPO trainer: worker.rollout.val_override_config
 * (sampling for validation, EasyR1's val_override_config) and trainer.val_generations_to_log
 * (validation generations echoed to the log).
 */
import type { EvalResult } from '../../eval/evaluate.js';
import type { SamplingSettings } from '../../rollout/rollout.js';

export interface ValOverride {
  n?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
}

/**
 * The rollout's sampling with the validation overrides applied; a key left out keeps the rollout
 * value. Temperature 0 means greedy decoding (the method's validation, docs/method.md, "Evaluation").
 */
export function valSampling(train: SamplingSettings, rollout: { n: number; temperature: number; top_p: number; top_k: number }, vo: ValOverride): SamplingSettings {
  const temperature = vo.temperature ?? rollout.temperature;
  return {
    ...train,
    n: vo.n ?? rollout.n,
    temperature,
    greedy: temperature === 0,
    topP: vo.top_p ?? rollout.top_p,
    topK: vo.top_k ?? rollout.top_k,
  };
}

const clip = (s: string, max = 400) => (s.length > max ? `${s.slice(0, max - 3)}...` : s);

/** Log lines for the first `count` validation generations: prompt, response, ground truth. */
export function valGenerationLines(r: EvalResult, count: number, step: number): string[] {
  const shown = r.samples.slice(0, count);
  return shown.flatMap((s, i) => [
    `val generation ${i + 1}/${shown.length} @ step ${step} (${s.id})`,
    `  prompt: ${JSON.stringify(clip(s.question))}`,
    `  response: ${JSON.stringify(clip(s.response))}`,
    ...(s.pass2 !== null ? [`  pass 2: ${JSON.stringify(clip(s.pass2))}`] : []),
    `  ground truth: ${JSON.stringify(s.answer)}`,
  ]);
}
