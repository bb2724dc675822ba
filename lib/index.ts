/**
 * vision-sr1: Vision-SR1 training of vision-language models in TypeScript on libtorch.
 *
 * The package entry point. Everything the CLI does is reachable from here, so a training run can be
 * scripted in TypeScript (the CLI commands in lib/cli/ are thin layers over these functions).
 */
export * as torch from './torch/index.js';

// Configs: YAML files or objects, with key.path=value overrides, validated against the schemas.
export {
  loadTrainConfig, loadSftConfig, TrainConfigSchema, SftConfigSchema, ConfigError,
  type TrainConfig, type TrainConfigInput, type SftConfig, type SftConfigInput,
} from './config/index.js';

// The stages of the method: cold-start SFT, Vision-SR1 GRPO, greedy evaluation of a dataset file,
// and the main job that chains them on the built-in world.
export { runSft, type SftHooks, type SftResult } from './train/sft/sft.js';
export { GrpoTrainer, runGrpo, type GrpoRunOptions, type GrpoRunResult } from './train/grpo/trainer.js';
export { runPipeline, type PipelineOptions, type PipelineResult } from './jobs/pipeline.js';
export { evaluateFile, type FileEvalOptions, type FileEvalResult } from './eval/evaluate_file.js';
export { loadStack, type ModelStack } from './rollout/model_stack.js';

// Rewards: the method's components and presets, MathRuler-compatible grading, and the registry
// for rewards of one's own (pass a RewardSpec to runGrpo's `reward` option).
export {
  registerReward, unregisterReward, getReward, listRewards, composeReward, presetSpec, PRESET_NAMES,
  type RewardFn, type RewardSample, type RewardSpec, type RewardComponent, type RewardResult, type ComposedReward,
} from './rewards/index.js';
export * as rewards from './rewards/index.js';

// Data: Vision-SR1-47K-schema datasets (JSONL or parquet) and the built-in synthetic world.
export { VisionDataset, type Example, type DatasetOptions } from './data/dataset.js';
export * as world from './world/index.js';

// Models: Qwen2.5-VL in Hugging Face folder layout, and a tiny random one for CPU runs and tests.
export { QwenVLModel } from './models/qwen2_5_vl/model.js';
export { createTinyCheckpoint } from './world/tiny_checkpoint.js';
