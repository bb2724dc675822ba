/**
 * The tensor runtime: `import { torch } from 'vision-sr1'`.
 * Tensors live in libtorch; JS holds handles (see lifetime.ts for memory rules).
 */
export { Tensor } from './tensor.js';
export type { Shape, Operand } from './tensor.js';
export type { DType } from './dtype.js';
export * from './create.js';
export * from './functional.js';
export { noGrad, noGradTask, enableGrad, inferenceMode, isGradEnabled, grad } from './autograd.js';
export { scope, memoryStats } from './lifetime.js';
export { manualSeed, Generator } from './random.js';
export { AdamW, clipGradNorm, cosineWithWarmup, constantWithWarmup } from './optim.js';
export type { ParamGroup, AdamWOptions } from './optim.js';
export { SafetensorsFile, ShardedCheckpoint, loadSafetensors, saveSafetensors, saveSafetensorsAsync } from './safetensors.js';
export type { TensorEntry } from './safetensors.js';
export { range, profile, emitNvtx } from './profiler.js';
export type { ProfileOptions } from './profiler.js';
export { cpuMemory, cuda, lazyDevice, setNumThreads, getNumThreads, setWeightPacking, weightPacking, buildInfo } from './device.js';
