/**
 * Cold-start SFT (docs/method.md, "Cold-start SFT"): chat-format supervised fine-tuning with the loss on the
 * assistant tokens only, over a mix of the three Cold-9K styles (see-think, CoT only, caption
 * reasoner), with micro-batching and gradient accumulation, AdamW, warm-up + decay, gradient
 * clipping (a step whose gradient norm is not finite is skipped), freezing of the vision tower
 * and merger, fp32 or low-precision weights with fp32 masters, periodic greedy validation,
 * atomic checkpoints and exact resume (weights, AdamW state, data position, RNG).
 */
import { join } from 'node:path';
import { recoverRunFolder, findLatestCheckpoint, RunLock, readCheckpoint, type CheckpointInfo } from '../../checkpoint/index.js';
import { checkpointRoot } from '../../config/load.js';
import { configHash } from '../../config/hash.js';
import { sftEffectiveBatch, type SftConfig } from '../../config/sft.js';
import { EpochSampler } from '../../data/sampler.js';
import * as torch from '../../torch/index.js';
import { createProgress, MetricsLogger, SampleLogger } from '../../logging/index.js';
import { RUN_LOGS, rewindRunLogs } from '../../logging/truncate.js';
import { DecodedImageCache } from '../../rollout/image_cache.js';
import { learningRate, warmupSteps } from '../lr_schedule.js';
import { type PreparedSftBatch, prepareSftBatch, sftTrainPrepared, type SftStepContext, type SftStepResult } from './step.js';
import { loadModelStack, loadSftData, prepareBuiltins, resolveDevice, torchDtype, worldBaseline } from './setup.js';
import { validateSft, type ValidationResult } from './validate.js';
import { reduceSftValidation } from './validate_ranks.js';
import type { SftRecord } from './data.js';
import { MODEL_SUBDIR, restoreTrainState, saveTrainState } from '../train_state.js';
import { trainableFilter } from '../trainable.js';
import { type DataParallel, rankShare, startDataParallel } from '../data_parallel.js';
import { DataParallelStep } from '../data_parallel_step.js';
import { asGradientStep } from '../optim_step.js';
import { saveRankedTrainState } from '../ranked_save.js';

/** Keys a resumed run may change without a config-change warning. */
const RESUME_MUTABLE = ['trainer.max_steps', 'trainer.total_epochs', 'trainer.val_freq', 'trainer.save_freq', 'trainer.logger', 'trainer.log_freq', 'trainer.resume'];

export interface SftHooks {
  /** Console lines (default console.log). */
  log?: (line: string) => void;
  /**
   * Asked after every step: 'save' saves a checkpoint and returns (a graceful stop, e.g. on
   * SIGINT); 'kill' returns at once without saving (a simulated crash, for tests).
   */
  shouldStop?: (step: number) => 'save' | 'kill' | false;
  /** Force the progress bar off (true) or on (false); default: on when stderr is a TTY. */
  quietProgress?: boolean;
  /** Record a profiler trace (Chrome/Perfetto JSON) of step `step` (1-based) to `tracePath`. */
  profile?: { step: number; tracePath: string } | null;
}

export interface SftResult {
  /** Steps completed (including those of earlier runs when resumed). */
  step: number;
  totalSteps: number;
  resumedFrom: number | null;
  stopped: boolean;
  /** Mean token loss of the last step. */
  lastLoss: number;
  /** Per-step losses of this run, in step order. */
  losses: Array<{ step: number; loss: number }>;
  validation: ValidationResult | null;
  checkpointDir: string | null;
  /** The final model as a Hugging Face folder (`<root>/latest_model`), when the run finished. */
  modelDir: string | null;
  /** Majority-answer (text-only) baseline of the world's val split, when the world is built in. */
  textOnlyBaseline: number | null;
  seconds: number;
}

/**
 * Runs (or resumes) an SFT job described by a validated config, holding its run folder's lock
 * (a second run on the same folder is refused) until it ends.
 */
export async function runSft(cfg: SftConfig, hooks: SftHooks = {}): Promise<SftResult> {
  const log = hooks.log ?? ((l: string) => console.log(l));
  // A data-parallel launch (docs/distributed.md): rank 0 holds the folder and writes every file.
  const dp = startDataParallel(cfg.trainer, resolveDevice(cfg.trainer.device), log);
  try {
    const lock = !dp || dp.group.isMain ? RunLock.acquire(checkpointRoot(cfg), log) : null;
    try {
      const r = await runLockedSft(cfg, hooks, dp);
      dp?.group.close();
      return r;
    } finally {
      lock?.release();
    }
  } finally {
    dp?.group.close({ barrier: false });
  }
}

/** The built-in world and model and the recovered run folder, made by rank 0 while the others wait. */
async function prepareRunFolder(cfg: SftConfig, dp: DataParallel | null, log: (l: string) => void): Promise<Record<string, unknown> | null> {
  if (dp && !dp.group.isMain) {
    dp.group.barrier('rank 0 prepares the run folder');
    return prepareBuiltins(cfg, log);
  }
  const manifest = await prepareBuiltins(cfg, log);
  await recoverRunFolder(checkpointRoot(cfg), log);
  dp?.group.barrier('rank 0 prepares the run folder');
  return manifest;
}

async function runLockedSft(cfg: SftConfig, hooks: SftHooks, dp: DataParallel | null): Promise<SftResult> {
  const t0 = performance.now();
  const log = hooks.log ?? ((l: string) => console.log(l));
  const tr = cfg.trainer;
  if (tr.num_threads) torch.setNumThreads(tr.num_threads);
  const manifest = await prepareRunFolder(cfg, dp, log);
  const isMain = !dp || dp.group.isMain;
  const root = checkpointRoot(cfg);
  const hash = configHash(cfg, RESUME_MUTABLE);
  dp?.group.assertSame('config hash', hash);
  let ck: CheckpointInfo | null = tr.load_checkpoint_path ? readCheckpoint(tr.load_checkpoint_path) : null;
  if (!ck && tr.resume) ck = findLatestCheckpoint(root, (dir, why) => log(`resume: skipping ${dir}: ${why}`));
  if (ck && ck.state.config_hash !== hash) log(`resume: warning: the config changed since ${ck.dir} was saved`);

  const { model, encoder, optimizer, dpStep, trainable, device, compute, release } = await openSftModel(cfg, ck, dp);
  const o = cfg.optim;
  let data: Awaited<ReturnType<typeof loadSftData>>;
  try {
    data = await loadSftData(cfg, log);
  } catch (e) {
    release();
    throw e;
  }
  const images = new DecodedImageCache({ pixelLimit: cfg.data.image_pixel_limit });
  const stepCtx: SftStepContext = { cfg, model, encoder, images, gradientStep: dpStep ?? asGradientStep(optimizer), group: dp?.group ?? null, device, compute, log };
  const batchSize = sftEffectiveBatch(cfg);
  const sampler = new EpochSampler(data.train.length, { batchSize, shuffle: cfg.data.shuffle, seed: cfg.data.seed, dropLast: cfg.data.drop_last }, ck?.state.data ?? undefined);
  const totalSteps = Math.min(tr.max_steps ?? Infinity, sampler.batchesPerEpoch * tr.total_epochs);
  let step = 0;
  if (ck) {
    restoreTrainState(ck, optimizer, dpStep && dpStep.sharding !== 'none' ? dpStep.owned : null);
    step = ck.step;
    log(`resume: continuing from ${ck.dir} (step ${step}, epoch ${ck.state.data?.epoch ?? 0})`);
  }
  const nParams = trainable.reduce((a, p) => a + p.numel(), 0);
  log(`sft: ${totalSteps} steps of ${batchSize} sequences (micro ${tr.micro_batch_size_per_device} x ${tr.gradient_accumulation_steps}), ${nParams} trainable parameters, ${device}, lr ${o.lr} ${o.lr_scheduler_type} (${warmupSteps(o, totalSteps)} warm-up)`);

  // Steps after the checkpoint run again: their old log lines go first, so each step is logged once.
  if (isMain) rewindRunLogs(root, RUN_LOGS, ck?.step ?? -1, log);
  const metrics = new MetricsLogger({ dir: root, loggers: isMain ? tr.logger.filter((l) => l !== 'console') : [] });
  const sampleLog = isMain && tr.log_samples > 0 ? new SampleLogger(join(root, 'samples.jsonl'), tr.log_samples) : null;
  const baseline = worldBaseline(manifest, cfg.data.world?.dir ?? null, cfg.data.val_files[0]?.path ?? null);
  let validation: ValidationResult | null = null;
  const validate = async (atStep: number) => {
    if (data.val.length === 0) return;
    // A data-parallel rank validates its share; the results are summed over the ranks.
    const mine = dp ? rankShare(data.val, dp.group.rank, dp.group.worldSize) : data.val;
    const local = await validateSft(model, encoder, images, mine, { batchSize: tr.val_batch_size, maxNewTokens: tr.val_max_new_tokens, onSkip: (r, why) => log(`data: skipped validation record ${r.id}: ${why}`) });
    const v = dp ? reduceSftValidation(dp.group, local, valFamilies(data.val)) : local;
    validation = v;
    if (!isMain) return;
    const m: Record<string, number> = { 'val/format': v.format, 'val/accuracy': v.accuracy, 'val/response_length': v.responseLength, 'val/seconds': v.seconds, 'val/skipped_samples': v.skipped };
    for (const [f, r] of Object.entries(v.byFamily)) m[`val/accuracy/${f}`] = r.accuracy;
    metrics.log(atStep, m);
    sampleLog?.log(atStep, v.samples.map((s) => ({ ...s, ground_truth: s.ground_truth ?? undefined, reward: { format: s.format, accuracy: s.accuracy ?? 0 } })), 'val');
    log(`val @ step ${atStep}: format ${(100 * v.format).toFixed(1)}%, accuracy ${(100 * v.accuracy).toFixed(1)}% on ${v.n} items (${v.seconds.toFixed(1)} s)` +
      (baseline !== null ? `; text-only baseline ${(100 * baseline).toFixed(1)}%` : ''));
  };
  const save = (s: number) => {
    const so = {
      root, step: s, model, optimizer, data: sampler.state(), configHash: hash, keepLast: tr.save_limit,
      extra: { validation: validation ? { format: (validation as ValidationResult).format, accuracy: (validation as ValidationResult).accuracy } : null },
    };
    return dp ? saveRankedTrainState(dp, dpStep!, so) : saveTrainState(so);
  };

  const progress = createProgress('sft', totalSteps, { unit: 'steps', quiet: hooks.quietProgress });
  progress.update(step);
  const losses: SftResult['losses'] = [];
  let lastLoss = NaN;
  let lastSaved: string | null = null;
  let savedAt = -1;
  let stopped = false;
  try {
    if (tr.val_before_train && step === 0) await validate(0);
    const recordsOf = (b: { indices: number[] }) => rankRecords(b.indices, dp).map((i) => data.train[i]);
    let ahead: Promise<PreparedSftBatch> | null = null;  // the batch of the next step, being prepared
    while (step < totalSteps) {
      const tStep = performance.now();
      const lr = learningRate(o, step, totalSteps);
      optimizer.setLr(lr);
      const records = recordsOf(sampler.next());
      const current = ahead ?? prepareSftBatch(stepCtx, records, step + 1);
      // The next step's batch is decoded and encoded while this one computes: the forward and
      // backward run on the addon's thread, image decoding on libuv's (about 5% of a world step).
      ahead = step + 1 < totalSteps ? prepareSftBatch(stepCtx, recordsOf(sampler.peek()), step + 2) : null;
      ahead?.catch(() => {}); // a failure surfaces when that step awaits it, not as an unhandled rejection
      const traced = hooks.profile?.step === step + 1 ? hooks.profile : null;
      const train = async () => sftTrainPrepared(stepCtx, await current, step + 1);
      const r = traced ? await torch.profile({ tracePath: traced.tracePath }, train) : await train();
      step++;
      lastLoss = r.loss;
      losses.push({ step, loss: lastLoss });
      logSftStep({ metrics, progress, log }, r, { step, totalSteps, lr, secs: (performance.now() - tStep) / 1000, epoch: sampler.state().epoch, logEvery: tr.log_freq });
      if (tr.val_freq > 0 && step % tr.val_freq === 0 && step < totalSteps) await validate(step);
      if (tr.save_freq > 0 && step % tr.save_freq === 0) { lastSaved = await save(step); savedAt = step; }
      const stop = hooks.shouldStop?.(step) ?? false;
      if (stop === 'kill') return finish(true, null);
      if (stop === 'save') {
        if (savedAt !== step) { lastSaved = await save(step); savedAt = step; }
        return finish(true, null);
      }
    }
    if (tr.val_freq !== -1 || tr.val_before_train) await validate(step);
    if (savedAt !== step) { lastSaved = await save(step); savedAt = step; }
    const modelDir = join(root, 'latest_model');
    if (isMain) model.save(modelDir);
    return finish(false, modelDir);
  } finally {
    progress.stop();
    metrics.close();
    sampleLog?.close();
    release();
  }

  function finish(isStopped: boolean, modelDir: string | null): SftResult {
    stopped = isStopped;
    return {
      step, totalSteps, resumedFrom: ck?.step ?? null, stopped, lastLoss, losses, validation, checkpointDir: lastSaved, modelDir,
      textOnlyBaseline: baseline, seconds: (performance.now() - t0) / 1000,
    };
  }
}

/** One step's metrics (metrics.jsonl, TensorBoard), progress bar and, every `logEvery` steps without a bar, console line. */
function logSftStep(
  out: { metrics: MetricsLogger; progress: ReturnType<typeof createProgress>; log: (l: string) => void },
  r: SftStepResult, at: { step: number; totalSteps: number; lr: number; secs: number; epoch: number; logEvery: number },
): void {
  const { step, secs, lr } = at;
  const tps = r.allTokens / secs;
  out.metrics.log(step, {
    loss: r.loss, grad_norm: r.gradNorm, lr, skipped: r.applied ? 0 : 1, tokens_per_s: tps, response_tokens: r.responseTokens,
    truncated: r.truncated, 'data/skipped_samples': r.skippedSamples, epoch: at.epoch, 'timing/data': r.dataSeconds, 'timing/step': secs,
  });
  out.progress.increment(1, `loss ${r.loss.toFixed(4)} | ${Math.round(tps)} tok/s`);
  if (!out.progress.active && (step % at.logEvery === 0 || step === at.totalSteps)) {
    out.log(`step ${step}/${at.totalSteps} | loss ${r.loss.toFixed(4)} | grad_norm ${r.gradNorm.toFixed(3)} | lr ${lr.toExponential(2)} | ${Math.round(tps)} tok/s | ${secs.toFixed(2)} s/step`);
  }
}

/**
 * The model (from the checkpoint when resuming, else `model.model_path`) with its trainable
 * parameters (freeze_* options), gradient checkpointing, the same weights on every rank, and its
 * optimizer (sharded when data-parallel). `release` frees both; nothing stays allocated on a throw.
 */
async function openSftModel(cfg: SftConfig, ck: CheckpointInfo | null, dp: DataParallel | null) {
  const device = dp?.device ?? resolveDevice(cfg.trainer.device);
  const master = torchDtype(cfg.model.dtype);
  const compute = torchDtype(cfg.model.compute_dtype);
  const { model, encoder } = await loadModelStack(cfg, ck ? join(ck.dir, MODEL_SUBDIR) : cfg.model.model_path, compute, device);
  try {
    const trainable = model.setTrainable(trainableFilter({
      freezeVisionTower: cfg.model.freeze_vision_tower, freezeMultiModalProjector: cfg.model.freeze_multi_modal_projector, freezeLanguageModel: cfg.model.freeze_language_model,
    }));
    if (trainable.length === 0) throw new Error('model: every parameter is frozen (freeze_* options)');
    model.setGradientCheckpointing(cfg.model.enable_gradient_checkpointing);
    if (dp) dp.group.broadcastParameters(trainable, dp.bucketBytes);
    const o = cfg.optim;
    // Low-precision compute with fp32 model.dtype: the optimizer keeps fp32 masters of the weights.
    const makeOpt = (ps: torch.Tensor[]) => new torch.AdamW(ps, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay, masterWeights: master !== compute });
    const dpStep = dp ? new DataParallelStep(dp.group, trainable, cfg.trainer.distributed.sharding, dp.bucketBytes, makeOpt) : null;
    const optimizer = dpStep?.optimizer ?? makeOpt(trainable);
    const release = () => {
      optimizer.dispose();
      model.dispose();
    };
    return { model, encoder, optimizer, dpStep, trainable, device, compute, release };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * This rank's share of a step's record indices (all of them in one process). Shares may differ
 * by one (a last partial batch): the loss is normalised by the global token count either way.
 */
function rankRecords(indices: readonly number[], dp: DataParallel | null): readonly number[] {
  return dp ? rankShare(indices, dp.group.rank, dp.group.worldSize) : indices;
}

/** The question families of the val records, sorted (the same list on every rank). */
function valFamilies(records: readonly SftRecord[]): string[] {
  return [...new Set(records.flatMap((r) => (r.family === null ? [] : [r.family])))].sort();
}
