/**
 * Everything a GRPO run holds, built from its config: the policy and the frozen reference (with
 * their tokenizer, processor and chat template), the trainable parameters and AdamW (with fp32
 * masters when computing in bf16), the datasets and loader, the reward, the rollout's sampling settings, loggers and the
 * batch plan. Built in one place so that a failure half-way frees what was already loaded.
 */
import { join } from 'node:path';
import { batchPlan, checkpointRoot, type TrainConfig } from '../../config/index.js';
import { configHash } from '../../config/hash.js';
import { recoverRunFolder, RunLock, type CheckpointInfo } from '../../checkpoint/index.js';
import { DataLoader } from '../../data/loader.js';
import { type Example, VisionDataset } from '../../data/dataset.js';
import * as torch from '../../torch/index.js';
import { RUN_LOGS, rewindRunLogs } from '../../logging/truncate.js';
import { MetricsLogger, PhaseTimer, SampleLogger } from '../../logging/index.js';
import { PhaseMemory } from '../phase_memory.js';
import { countElements, estimateMemory, memoryEstimateLines } from '../memory_estimate.js';
import { composeReward, type RewardSpec } from '../../rewards/index.js';
import { type FormatPrompt, resolveFormatPrompt } from '../../rollout/format_prompt.js';
import { DecodedImageCache } from '../../rollout/image_cache.js';
import { skippedLines, usableItems, type ItemsOf } from '../../rollout/usable_items.js';
import { waveLimits } from '../../rollout/waves.js';
import { cudaIndexOf, type DeviceMemoryStats } from '../../torch/device.js';
import { loadStack, type ModelStack } from '../../rollout/model_stack.js';
import type { PromptLimits } from '../../rollout/prompt_limits.js';
import { withoutOverlongPrompts } from '../../rollout/prompt_filter.js';
import type { RolloutItem, RolloutSettings } from '../../rollout/rollout.js';
import { resolveDevice, torchDtype } from '../sft/setup.js';
import { MODEL_SUBDIR } from '../train_state.js';
import { trainableFilter } from '../trainable.js';
import { type DataParallel, startDataParallel } from '../data_parallel.js';
import { DataParallelStep } from '../data_parallel_step.js';
import { asGradientStep, type GradientStep } from '../optim_step.js';
import type { ChannelSettings } from './multi_reward_channels.js';
import { grpoPlan, type GrpoPlan } from './plan.js';
import { assertSameConfig, grpoConfigHash, pickCheckpoint } from './resume.js';

export interface GrpoSessionOptions {
  log: (line: string) => void;
  /** A reward replacing the preset's composition (see GrpoRunOptions.reward). */
  reward?: RewardSpec;
}

export interface GrpoSession {
  cfg: TrainConfig;
  log: (line: string) => void;
  device: string;
  runDir: string;
  hash: string;
  resumeFrom: CheckpointInfo | null;
  fp: FormatPrompt;
  policy: ModelStack;
  /** The frozen start model, when a KL term needs it. */
  ref: ModelStack | null;
  params: torch.Tensor[];
  /** This rank's AdamW (over the parameters it owns when the optimizer state is sharded). */
  opt: torch.AdamW;
  /** Clip and update after the gradients of an optimizer step (exchanging them first across ranks). */
  gradientStep: GradientStep;
  /** The data-parallel group and this rank's device, or null in a single process. */
  dp: DataParallel | null;
  loader: DataLoader;
  totalSteps: number;
  valItems: RolloutItem[];
  /** Rollout items of a batch; rows whose image does not decode come back as bad rows, to skip and count. */
  toItems: ItemsOf;
  reward: ReturnType<typeof composeReward>;
  rolloutSettings: (seed: number) => RolloutSettings;
  channelSettings: ChannelSettings;
  /** Shared KL β > 0 (algorithm.kl_coef) and per-channel β > 0 (multi-reward). */
  kl: { shared: boolean; channels: boolean };
  plan: GrpoPlan;
  limits: PromptLimits;
  metricsLog: MetricsLogger;
  /** Rollout samples (rank 0 only; null on the other ranks of a data-parallel run). */
  samples: SampleLogger | null;
  timer: PhaseTimer;
  /** Peak memory per phase (allocator statistics on CUDA, tracked bytes on CPU). */
  memory: PhaseMemory;
  /** Frees the models and the optimizer (idempotent). */
  dispose(): void;
}

/** Disposers run in reverse order of acquisition, once. */
class Owned {
  private items: Array<() => void> = [];
  add<T>(x: T, free: (x: T) => void): T { this.items.push(() => free(x)); return x; }
  dispose(): void { for (const f of this.items.splice(0).reverse()) f(); }
}

export async function openGrpoSession(cfg: TrainConfig, o: GrpoSessionOptions): Promise<GrpoSession> {
  const owned = new Owned();
  try {
    return await build(cfg, o, owned);
  } catch (e) {
    owned.dispose();
    throw e;
  }
}

async function build(cfg: TrainConfig, o: GrpoSessionOptions, owned: Owned): Promise<GrpoSession> {
  const { log } = o;
  const a = cfg.worker.actor, ro = cfg.worker.rollout, alg = cfg.algorithm, t = cfg.trainer;
  if (!(ro.temperature > 0)) throw new Error(`worker.rollout.temperature: GRPO samples n responses per prompt and scores them at this temperature, so it must be > 0 (got ${ro.temperature}); greedy validation is worker.rollout.val_override_config`);
  const dp = owned.add(startDataParallel(t, resolveDevice(t.device), log), (d) => d?.group.close({ barrier: false }));
  const device = dp?.device ?? resolveDevice(t.device);
  const isMain = !dp || dp.group.isMain;
  const dtype = torchDtype(a.model.compute_dtype);
  const runDir = checkpointRoot(cfg);
  // Before anything touches the folder: a second run on it must not clean the first one's temp files.
  // Rank 0 owns the run folder; the others read it once rank 0 has recovered it.
  if (isMain) {
    owned.add(RunLock.acquire(runDir, log), (l) => l.release());
    await recoverRunFolder(runDir, log);
  }
  if (dp) {
    dp.group.assertSame('config hash', configHash(cfg));
    checkDataParallelBatch(cfg, dp);
  }
  // Resolved before anything is loaded, so a missing template file stops the run at once.
  const fp = resolveFormatPrompt(cfg.data.format_prompt, alg.preset);
  const resumeFrom = pickCheckpoint(t, runDir, log);
  if (resumeFrom) assertSameConfig(resumeFrom, cfg);
  const stackOpts = { frontDir: a.model.tokenizer_path ?? a.model.model_path, dtype, device, minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels };

  const freeStack = (s: ModelStack) => s.model.dispose();
  // Policy (from the latest checkpoint on resume) and the frozen reference (the initial model).
  const policy = owned.add(await loadStack({ ...stackOpts, weightsDir: resumeFrom ? join(resumeFrom.dir, MODEL_SUBDIR) : a.model.model_path }), freeStack);
  const mr = alg.multi_reward;
  const kl = { shared: alg.use_kl_loss && !alg.disable_kl && alg.kl_coef > 0, channels: alg.preset === 'multi-reward' && !alg.disable_kl && (mr.ans_kl_coef > 0 || mr.vis_kl_coef > 0) };
  const ref = kl.shared || kl.channels ? owned.add(await loadStack({ ...stackOpts, weightsDir: a.model.model_path, dtype: torchDtype(cfg.worker.ref.dtype) }), freeStack) : null;
  // worker.ref.offload: the reference waits on the CPU and visits the device for its log-prob pass.
  if (ref && cfg.worker.ref.offload) ref.model.moveTo('cpu');
  const params = policy.model.setTrainable(trainableFilter({ freezeVisionTower: a.model.freeze_vision_tower }));
  // Every rank starts from rank 0's weights (as DDP does), whatever each loaded or initialised.
  if (dp) dp.group.broadcastParameters(params, dp.bucketBytes);
  policy.model.setGradientCheckpointing(a.model.enable_gradient_checkpointing);
  // bf16 compute with fp32 model.dtype (docs/method.md, "Optimizer and schedule"): the optimizer keeps fp32 masters and moments.
  const masterWeights = a.model.dtype === 'fp32' && dtype !== 'float32';
  const makeOpt = (ps: torch.Tensor[]) => new torch.AdamW(ps, { lr: a.optim.lr, weightDecay: a.optim.weight_decay, betas: a.optim.betas as [number, number], eps: a.optim.eps, masterWeights });
  const dpStep = dp ? new DataParallelStep(dp.group, params, t.distributed.sharding, dp.bucketBytes, makeOpt) : null;
  const opt = owned.add(dpStep?.optimizer ?? makeOpt(params), (x) => x.dispose());

  const images = new DecodedImageCache({ pixelLimit: cfg.data.image_pixel_limit });
  const toItems: ItemsOf = (es) => usableItems(es, images);
  const limits = { maxPromptLength: cfg.data.max_prompt_length, maxModelLen: ro.max_model_len };
  const { loader, valItems } = await loadData(cfg, policy, fp, limits, toItems, resumeFrom, log);
  const totalSteps = loader.totalSteps(t.total_epochs, t.max_steps);
  const bp = batchPlan(cfg);
  log(dp
    ? `grpo: ${totalSteps} steps of ${bp.sequencesPerStep} samples over ${bp.worldSize} ranks (${bp.sequencesPerStep / bp.worldSize} each), ${bp.optimizerStepsPerStep} optimizer step(s) each, ${bp.gradAccumSteps} micro-batch(es) per rank per optimizer step`
    : `grpo: ${totalSteps} steps of ${bp.sequencesPerStep} samples, ${bp.optimizerStepsPerStep} optimizer step(s) each; the batch arithmetic of ${bp.worldSize} process(es) (trainer.nnodes × n_gpus_per_node) runs on one ${device} device, ${bp.gradAccumSteps} micro-batch(es) per process per optimizer step`);

  for (const line of startupMemory(cfg, policy, params, masterWeights, ref !== null)) log(line);

  const reward = o.reward ? composeReward(o.reward) : composeReward(alg.preset, {
    formatWeight: alg.format_weight, onMissingDescription: alg.description_fallback,
    ...(alg.preset === 'multi-reward' ? { alpha: mr.ans_format_weight, visAlpha: mr.vis_format_weight, channelWeights: { ans: mr.ans_weight, vis: mr.vis_weight } } : {}),
  });
  const logitBias = rolloutLogitBias(cfg, policy);
  const rolloutSettings = (seed: number): RolloutSettings => ({
    sampling: { n: ro.n, maxNewTokens: cfg.data.max_response_length, temperature: ro.temperature, topP: ro.top_p, topK: ro.top_k, logitBias, stopTokenIds: policy.model.config.eosTokenIds, seed },
    template: fp.template, pass2: reward.usesPass2, captionReasoner: fp.captionReasoner, onMissingDescription: alg.description_fallback, promptLimits: limits,
    waves: () => waveLimits({ gpuMemoryUtilization: ro.gpu_memory_utilization, kvCacheGib: ro.kv_cache_gib, maxNumSeqs: ro.max_num_seqs, continuousBatching: ro.continuous_batching }, cudaStats(device)),
  });
  // Steps after the checkpoint run again: their old log lines go first, so each step is logged once.
  if (isMain) rewindRunLogs(runDir, RUN_LOGS, resumeFrom?.step ?? -1, log);
  const metricsLog = new MetricsLogger({ dir: runDir, loggers: isMain ? t.logger : [], print: log });
  owned.add(metricsLog, (m) => m.close());
  return {
    cfg, log, device, runDir, hash: grpoConfigHash(cfg), resumeFrom, fp, policy, ref, params, opt, gradientStep: dpStep ?? asGradientStep(opt), dp, loader, totalSteps, valItems, toItems, reward, rolloutSettings,
    channelSettings: { weights: { ans: mr.ans_weight, vis: mr.vis_weight }, klCoefs: { ans: mr.ans_kl_coef, vis: mr.vis_kl_coef }, tokenMask: mr.token_mask, normByStd: alg.norm_adv_by_std_in_grpo },
    kl, plan: grpoPlan(cfg), limits, metricsLog, samples: isMain ? new SampleLogger(join(runDir, 'samples.jsonl'), t.log_samples) : null, timer: new PhaseTimer(), memory: new PhaseMemory(device),
    dispose: () => owned.dispose(),
  };
}

/**
 * A rank takes an equal share of each step's prompts, so the prompt batch must split evenly; the
 * multi-reward 'token' mode would need its channel token counts summed over ranks, which the
 * update does not do yet.
 */
function checkDataParallelBatch(cfg: TrainConfig, dp: DataParallel): void {
  const W = dp.group.worldSize;
  if (cfg.data.rollout_batch_size % W !== 0) throw new Error(`distributed: data.rollout_batch_size (${cfg.data.rollout_batch_size}) must be divisible by the world size ${W}: each rank takes an equal share of a step's prompts`);
  if (cfg.worker.actor.global_batch_size % W !== 0) throw new Error(`distributed: worker.actor.global_batch_size (${cfg.worker.actor.global_batch_size}) must be divisible by the world size ${W}: a prompt's n samples stay on one rank`);
  if (cfg.algorithm.preset === 'multi-reward' && cfg.worker.actor.loss_avg_mode === 'token') throw new Error("distributed: the multi-reward preset with worker.actor.loss_avg_mode 'token' runs in one process only for now; use micro-token-mean or a sequence mode");
}

/** Training and validation data, with overlong prompts dropped when data.filter_overlong_prompts. */
async function loadData(
  cfg: TrainConfig, policy: ModelStack, fp: FormatPrompt, limits: PromptLimits, toItems: GrpoSession['toItems'], resumeFrom: CheckpointInfo | null, log: (l: string) => void,
): Promise<{ loader: DataLoader; valItems: RolloutItem[] }> {
  const d = cfg.data;
  const dropOverlong = (ds: VisionDataset, what: string) => (d.filter_overlong_prompts ? withoutOverlongPrompts(ds, what, toItems, policy.encoder, fp.template, limits, log) : ds);
  const keys = { promptKey: d.prompt_key, answerKey: d.answer_key, imageKey: d.image_key, imagePixelLimit: d.image_pixel_limit };
  const trainAll = await VisionDataset.load({ files: d.train_files, ...keys, onBadRow: (b) => log(`data: skipped ${b.file}:${b.row}: ${b.reason}`) });
  const valAll = d.val_files ? await VisionDataset.load({ files: d.val_files, ...keys, onBadRow: (b) => log(`data: skipped validation row ${b.file}:${b.row}: ${b.reason}`) }) : null;
  if (trainAll.badRows.length) log(`data: ${trainAll.badRows.length} bad training row(s) skipped`);
  if (valAll?.badRows.length) log(`data: ${valAll.badRows.length} bad validation row(s) skipped`);
  const train = await dropOverlong(trainAll, 'training');
  const val = valAll ? await dropOverlong(valAll, 'validation') : null;
  const loader = new DataLoader(train, { batchSize: d.rollout_batch_size, shuffle: d.shuffle, seed: d.seed, dropLast: d.drop_last }, resumeFrom?.state.data ?? undefined);
  const valUsable = val ? await toItems(await val.getBatch([...Array(val.size).keys()])) : null;
  for (const line of skippedLines('data: validation', valUsable?.bad ?? [])) log(line);
  const valItems = valUsable?.items ?? [];
  return { loader, valItems };
}

/** worker.rollout.logit_bias by token id, with <|image_pad|> always banned. */
function rolloutLogitBias(cfg: TrainConfig, policy: ModelStack): Record<number, number> {
  const logitBias: Record<number, number> = {};
  for (const [text, bias] of Object.entries(cfg.worker.rollout.logit_bias)) {
    const ids = policy.tokenizer.encode(text);
    if (ids.length !== 1) throw new Error(`worker.rollout.logit_bias: '${text}' is not a single token of this tokenizer`);
    logitBias[ids[0]] = bias;
  }
  // A sampled <|image_pad|> would be read as an image slot by every later forward pass (and
  // break it), so it stays banned whatever the config says (the method bans it with -100, docs/method.md, "Rollout settings").
  const imagePad = policy.model.config.imageTokenId;
  logitBias[imagePad] = Math.min(logitBias[imagePad] ?? 0, -100);
  return logitBias;
}

/** The start-up memory estimate of this config on its device. */
function startupMemory(cfg: TrainConfig, policy: ModelStack, params: torch.Tensor[], masterWeights: boolean, withRef: boolean): string[] {
  const a = cfg.worker.actor, d = cfg.data;
  const seqLen = Math.min(d.max_prompt_length + d.max_response_length, cfg.worker.rollout.max_model_len ?? Infinity);
  const microTokens = Math.min(a.micro_batch_size_per_device_for_update * seqLen, a.micro_batch_max_tokens ?? Infinity);
  const e = estimateMemory({
    config: policy.model.config, params: countElements(policy.model.parameters()), trainable: countElements(params), computeDtype: policy.model.dtype,
    refDtype: withRef ? torchDtype(cfg.worker.ref.dtype) : null, refOffload: cfg.worker.ref.offload, masterWeights, checkpointing: a.model.enable_gradient_checkpointing,
    microBatchTokens: microTokens, rolloutRows: d.rollout_batch_size * cfg.worker.rollout.n, rolloutLength: seqLen,
  });
  return memoryEstimateLines(e, resolveDevice(cfg.trainer.device), a.model.enable_gradient_checkpointing);
}

/** Allocator statistics of a CUDA device name, null for the CPU. */
function cudaStats(device: string): DeviceMemoryStats | null {
  const i = cudaIndexOf(device);
  return i === null ? null : torch.cuda.memoryStats(i);
}
