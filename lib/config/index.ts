/** Configs for `vsr1 train` and `vsr1 sft`: schemas, types, loading, overrides, hashing. */
export { TrainConfigSchema, batchPlan, type TrainConfig, type TrainConfigInput, type BatchPlan } from './train.js';
export { SftConfigSchema, SftStyle, sftEffectiveBatch, type SftConfig, type SftConfigInput, type SftSource } from './sft.js';
export { LoggerName, Dtype, DeviceName, LrSchedulerType } from './common.js';
export { loadTrainConfig, loadSftConfig, validateConfig, readYamlFile, checkpointRoot } from './load.js';
export { ConfigError, suggestKey, formatPath } from './errors.js';
export { parseOverride, applyOverride, withOverrides, type Override } from './overrides.js';
export { configHash, canonicalJson, rawConfig, RAW_CONFIG } from './hash.js';
