/**
 * Named reward functions. The built-ins are the Vision-SR1 rewards; users register their own
 * (sync or async) and refer to them by name in a composition (see compose.ts).
 */
import { accuracyReward } from './accuracy.js';
import { cotFormatReward } from './format_cot.js';
import { seeThinkFormatReward } from './format_see_think.js';
import { findDescription } from '../text/response.js';
import { normalizeResponse } from './normalize_response.js';
import { visualFormatReward, visualReward } from './self_visual.js';
import type { RewardFn, RewardSample } from './types.js';

/** A registered reward and whether it reads the pass-2 answer. */
export interface RewardDefinition {
  readonly name: string;
  readonly fn: RewardFn;
  readonly usesPass2: boolean;
  readonly description: string;
}

const registry = new Map<string, RewardDefinition>();

/** The pass-2 text of `sample`, or a clear error naming the reward that needed it. */
export function requirePass2(sample: RewardSample, reward: string): string {
  if (typeof sample.pass2Response !== 'string') {
    throw new Error(`reward '${reward}' needs sample.pass2Response (the caption-reasoner answer), got ${sample.pass2Response === undefined ? 'undefined' : typeof sample.pass2Response}`);
  }
  return sample.pass2Response;
}

/**
 * Registers `fn` under `name`. Throws if the name is taken unless `replace` is set.
 * Set `usesPass2` when the function reads `sample.pass2Response`, so trainers run pass 2.
 */
export function registerReward(
  name: string,
  fn: RewardFn,
  options: { usesPass2?: boolean; description?: string; replace?: boolean } = {},
): void {
  if (typeof name !== 'string' || name.length === 0) throw new Error(`registerReward: name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (typeof fn !== 'function') throw new Error(`registerReward('${name}'): fn must be a function, got ${typeof fn}`);
  if (registry.has(name) && !options.replace) throw new Error(`registerReward: a reward named '${name}' is already registered (pass { replace: true } to override)`);
  registry.set(name, { name, fn, usesPass2: options.usesPass2 ?? false, description: options.description ?? '' });
}

/** Removes a registered reward; returns whether it existed. */
export function unregisterReward(name: string): boolean {
  return registry.delete(name);
}

/** Looks a reward up by name; the error lists the known names. */
export function getReward(name: string): RewardDefinition {
  const def = registry.get(name);
  if (!def) throw new Error(`unknown reward '${name}'; registered rewards: ${[...registry.keys()].join(', ')}`);
  return def;
}

/** Names of all registered rewards. */
export function listRewards(): string[] {
  return [...registry.keys()];
}

registerReward('accuracy', (s) => accuracyReward(normalizeResponse(s.response), s.groundTruth), {
  description: 'MathRuler grade of the last \\boxed{} of the whitespace-normalised pass-1 response',
});
registerReward('see_think_format', (s) => seeThinkFormatReward(normalizeResponse(s.response)), {
  description: '<description>…</description> <think>…</think> \\boxed{…} fullmatch on the normalised pass-1 response',
});
registerReward('cot_format', (s) => cotFormatReward(normalizeResponse(s.response)), {
  description: '<think>…</think> \\boxed{…} fullmatch on the normalised pass-1 response (Vision-R1 baseline)',
});
registerReward('description_accuracy', (s) => (findDescription(s.response) === null ? 0 : visualReward(requirePass2(s, 'description_accuracy'), s.groundTruth)), {
  usesPass2: true,
  description: 'MathRuler grade of the pass-2 answer (visual self-reward); 0 when pass 1 has no <description> (docs/method.md, "Missing description")',
});
registerReward('description_accuracy_reference', (s) => visualReward(requirePass2(s, 'description_accuracy_reference'), s.groundTruth), {
  usesPass2: true,
  description: 'MathRuler grade of the pass-2 answer whatever pass 1 looked like (CODE-MAIN, where pass 2 then sees the whole response)',
});
registerReward('description_format', (s) => (s.pass2Response === undefined && findDescription(s.response) === null ? 0 : visualFormatReward(requirePass2(s, 'description_format'))), {
  usesPass2: true,
  description: 'see-think format on the pass-2 answer (logged only by the reference)',
});
