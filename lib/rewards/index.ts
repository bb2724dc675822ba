/**
 * Vision-SR1 rewards: the MathRuler grader port, one reward per file, and their composition.
 */
export * from './grader/index.js';
export { accuracyReward } from './accuracy.js';
export { cotFormatReward } from './format_cot.js';
export { seeThinkFormatReward } from './format_see_think.js';
export { normalizeResponse } from './normalize_response.js';
export { visualFormatReward, visualReward } from './self_visual.js';
export { getReward, listRewards, registerReward, unregisterReward, requirePass2, type RewardDefinition } from './registry.js';
export { composeReward, type ComposedReward, type RewardComponent, type RewardResult, type RewardSpec } from './compose.js';
export { presetSpec, PRESET_NAMES, type PresetName, type PresetOptions } from './presets.js';
export type { RewardFn, RewardSample } from './types.js';
