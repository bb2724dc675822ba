/**
 * The metrics one GRPO step logs (EasyR1/verl names): rewards and their components, response
 * lengths, advantage statistics, the update's actor/* metrics, the learning rate and the
 * seconds of each phase; and the validation metrics.
 */
import type { EvalResult } from '../../eval/evaluate.js';
import type { StepTiming } from '../../logging/index.js';
import type { RewardResult } from '../../rewards/index.js';
import type { Rollout } from '../../rollout/rollout.js';
import type { UpdateMetrics } from './policy_update.js';
import type { AdvantageSet } from './trainer.js';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => (xs.length ? sum(xs) / xs.length : 0);

export interface StepMetricsInput {
  results: readonly RewardResult[];
  r: Rollout;
  adv: AdvantageSet;
  update: UpdateMetrics;
  lr: number;
  timing: StepTiming;
  maxResponseLength: number;
}

export function stepMetrics(x: StepMetricsInput): Record<string, number> {
  const { results, r, adv } = x;
  const comp: Record<string, number> = {};
  for (const k of Object.keys(results[0]?.components ?? {})) comp[`reward/${k}`] = mean(results.map((y) => y.components[k]));
  return {
    'reward/overall': mean(results.map((y) => y.overall)), ...comp,
    'response_length/mean': mean(r.responses.map((y) => y.length)),
    'response_length/clip_ratio': mean(r.responses.map((y) => (y.length >= x.maxResponseLength ? 1 : 0))),
    // Tokens each phase handled: generated in pass 1 and pass 2, and scored (prompt + response) by log-probs and the update.
    'tokens/pass1': sum(r.responses.map((y) => y.length)),
    'tokens/pass2': sum((r.pass2Sequences ?? []).map((s) => s?.response.length ?? 0)),
    'tokens/scored': sum(r.responses.map((y, i) => y.length + r.prompts[i].ids.length)),
    ...(adv.advantages ? advantageMetrics('critic/advantages', adv.advantages) : {}),
    ...Object.fromEntries((adv.multi?.channels ?? []).flatMap((c) => Object.entries(advantageMetrics(`critic/advantages_${c.name}`, c.advantages)))),
    ...x.update, 'actor/lr': x.lr,
    ...Object.fromEntries(Object.entries(x.timing.phases).map(([k, v]) => [`timing_s/${k}`, v])), 'timing_s/step': x.timing.total,
  };
}

/** Per-sample advantage statistics (verl's critic/advantages/*): their scale shows what std normalisation does. */
export function advantageMetrics(prefix: string, adv: readonly number[]): Record<string, number> {
  if (adv.length === 0) return {};
  return { [`${prefix}/mean`]: mean(adv), [`${prefix}/max`]: Math.max(...adv), [`${prefix}/min`]: Math.min(...adv), [`${prefix}/abs_mean`]: mean(adv.map(Math.abs)) };
}

export function valMetrics(r: EvalResult): Record<string, number> {
  return {
    'val/accuracy': r.accuracy, 'val/format': r.format, 'val/response_length': r.responseLength, 'val/description_rate': r.descriptionRate,
    ...(r.descriptionAccuracy !== null ? { 'val/description_accuracy': r.descriptionAccuracy, 'val/language_shortcut_rate': r.languageShortcutRate! } : {}),
  };
}
