/**
 * `vision-sr1/rl`: the GRPO building blocks below the trainer, for scripts that change a piece of
 * the method rather than a config key. The math (advantages, the PPO policy loss, KL estimators,
 * loss aggregation, masked reductions), the rollout (sampling with pass 2, prompt encoding,
 * micro-batch layout, scoring of responses, old/ref log-probs), and the update loop with its loss
 * hook (policyUpdate's `loss`, also runGrpo's `loss` option). docs/scripting.md walks through it.
 */
export * from './grpo/index.js';
export { rollout, encodePass1, type Rollout, type RolloutItem, type RolloutSettings, type SamplingSettings } from './rollout/rollout.js';
export { PromptEncoder, collate, type CollateOptions, type CollatedBatch, type EncodedPrompt } from './rollout/collate.js';
export { packBatch, microBatchesByTokens, isPacked, type PackedBatch, type TrainingBatch } from './rollout/pack.js';
export { packSharedPrompts, promptGroups } from './rollout/pack_shared.js';
export { trainingBatch, type BatchLayout } from './rollout/training_batch.js';
export { scoreResponses, scoreResponsesAsync, type ScoreOptions } from './rollout/score_responses.js';
export { responseLogProbs, padRows } from './rollout/experience.js';
export { loadStack, type ModelStack } from './rollout/model_stack.js';
export {
  policyUpdate, microBatchStep, type PolicyLossHook, type UpdateBatch, type UpdateSettings, type UpdateChannel, type UpdateMetrics, type MicroBatchPlan,
} from './train/grpo/policy_update.js';
export { clippedStep } from './train/optim_step.js';
export { GrpoTrainer, runGrpo, type GrpoRunOptions, type GrpoRunResult } from './train/grpo/trainer.js';
