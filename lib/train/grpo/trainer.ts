/**
 * `vsr1 train`: Vision-SR1 GRPO (docs/method.md, "Step pseudocode") as an object a script can hold. Each RL step runs
 * named phases: rollout (pass 1, n samples per prompt, then pass 2's self-reward answers),
 * rewards, experience (old and reference log-probs), advantages, update (the policy update over
 * mini/micro-batches); validate and save run on their schedule. `run()` is the whole job (what
 * runGrpo does); `step()` is one RL step. Disposing the trainer frees every model and the
 * optimizer (with its fp32 masters), also when a phase threw.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../../config/index.js';
import type { EvalResult } from '../../eval/evaluate.js';
import { evaluate } from '../../eval/evaluate.js';
import * as torch from '../../torch/index.js';
import { createProgress } from '../../logging/index.js';
import type { RewardResult, RewardSpec } from '../../rewards/index.js';
import { readJsonlRows, writeCurvesPng } from '../../report/index.js';
import type { EncodedPrompt } from '../../rollout/collate.js';
import { responseLogProbs } from '../../rollout/experience.js';
import type { ModelStack } from '../../rollout/model_stack.js';
import { type Rollout, rollout, type RolloutItem } from '../../rollout/rollout.js';
import { skippedLines } from '../../rollout/usable_items.js';
import type { Example } from '../../data/dataset.js';
import { grpoAdvantages } from '../../grpo/index.js';
import { learningRate } from '../lr_schedule.js';
import { restoreTrainState, saveTrainState } from '../train_state.js';
import { rankShare, reduceEvalResult, reduceStepMetrics } from '../data_parallel.js';
import type { DataParallelStep } from '../data_parallel_step.js';
import { saveRankedTrainState } from '../ranked_save.js';
import { shardRange } from '../../distributed/shard.js';
import { type MultiRewardUpdate, multiRewardUpdate } from './multi_reward_channels.js';
import { type Pass2Batch, type PolicyLossHook, policyUpdate, type UpdateMetrics } from './policy_update.js';
import { grpoStoredConfig } from './resume.js';
import { logRolloutSamples } from './sample_log.js';
import { type GrpoSession, openGrpoSession } from './session.js';
import { stepMetrics, valMetrics } from './step_metrics.js';
import { valGenerationLines, valSampling } from './validation.js';

/** Phases `profile.phase` can trace on their own. */
export const TRACED_PHASES = ['rollout', 'pass2', 'logprobs', 'update'] as const;
export type TracedPhase = (typeof TRACED_PHASES)[number];

/** Batches in a row with no usable row before the run stops: the data is broken, not one image. */
const MAX_UNUSABLE_BATCHES = 20;

export interface GrpoRunOptions {
  log?: (line: string) => void;
  /**
   * Record a profiler trace of one step (`step` 1-based) to `tracePath`: the whole step, or only
   * `phase` of it (rollout = pass 1's generation, pass2, logprobs, update).
   */
  profile?: { step: number; tracePath: string; phase?: TracedPhase | null } | null;
  /**
   * The training reward, replacing the composition of `algorithm.preset` (e.g. registered or
   * inline reward functions with weights, see lib/rewards/compose.ts). The preset still picks the
   * prompt; pass 2 runs when some component reads it. Validation keeps its own metrics.
   */
  reward?: RewardSpec;
  /** The policy loss of each micro-batch, replacing dual-clip PPO + KL (policy_update.ts PolicyLossHook). */
  loss?: PolicyLossHook;
}
export interface GrpoRunResult {
  runDir: string;
  finalModelDir: string;
  steps: number;
  valBefore: EvalResult | null;
  valAfter: EvalResult | null;
}

/** The old and reference log-probs of a rollout (per sample), and of its pass-2 sequences when trained. */
export interface Experience {
  oldLogProbs: Float32Array[] | null;
  refLogProbs: Float32Array[] | null;
  pass2?: Pass2Batch;
}

/** What the advantage phase gives the update: one advantage per sample, or reward channels. */
export type AdvantageSet = { advantages: number[]; multi: null } | { advantages: null; multi: MultiRewardUpdate };

export class GrpoTrainer {
  /** RL steps done (restored on resume). */
  stepCount: number;
  private disposed = false;
  /** The phase of the running step to trace (tracedStep), or null. */
  private traceTarget: { phase: TracedPhase; tracePath: string } | null = null;

  private constructor(readonly s: GrpoSession, private readonly o: GrpoRunOptions) {
    this.stepCount = s.resumeFrom?.state.step ?? 0;
    if (s.resumeFrom) {
      restoreTrainState(s.resumeFrom, s.opt, this.dpStep && this.dpStep.sharding !== 'none' ? this.dpStep.owned : null);
      s.log(`resumed from ${s.resumeFrom.dir} at step ${this.stepCount}`);
    }
  }

  /** Loads the models and data of `cfg`; nothing stays allocated when this throws. */
  static async create(cfg: TrainConfig, o: GrpoRunOptions = {}): Promise<GrpoTrainer> {
    const log = o.log ?? ((l: string) => console.log(l));
    const session = await openGrpoSession(cfg, { log, reward: o.reward });
    try {
      return new GrpoTrainer(session, { ...o, log });
    } catch (e) {
      session.dispose();
      throw e;
    }
  }

  get totalSteps(): number { return this.s.totalSteps; }

  /** The data-parallel optimizer step, or null in a single process. */
  private get dpStep(): DataParallelStep | null {
    return this.s.dp ? (this.s.gradientStep as DataParallelStep) : null;
  }

  /** How many of `count` the ranks before this one hold (all ranks call it together). */
  private ranksBefore(count: number, what: string): number {
    const dp = this.s.dp!;
    return dp.group.gather([count], what).slice(0, dp.group.rank).reduce((a, [c]) => a + c, 0);
  }

  /** Pass 1 (n samples per prompt) and, when the reward reads it, pass 2 on the descriptions. */
  async rolloutPhase(items: RolloutItem[], step: number, firstPrompt = 0): Promise<Rollout> {
    const settings = {
      ...this.s.rolloutSettings(this.s.cfg.worker.rollout.seed + step * 7919), aroundPass: <T>(pass: 'rollout' | 'pass2', run: () => Promise<T>) => this.traced(pass, run),
      ...(this.s.dp ? { sequenceOffsets: { firstPrompt, firstPass2: (asked: number) => this.ranksBefore(asked, 'pass-2 prompts per rank') } } : {}),
    };
    const r = await this.s.memory.measure('rollout', () => rollout(this.s.policy.model, this.s.policy.encoder, items, settings));
    this.s.timer.add('rollout', r.seconds.rollout);
    this.s.timer.add('pass2', r.seconds.pass2);
    return r;
  }

  rewardPhase(items: readonly RolloutItem[], r: Rollout): Promise<RewardResult[]> {
    return this.s.timer.time('rewards', () => this.s.reward.scoreBatch(r.texts.map((text, i) => ({
      response: text, pass2Response: r.pass2Texts?.[i], groundTruth: items[r.groupIds[i]].answer, question: r.questions[i],
    }))));
  }

  /** Group advantages of the overall reward, or the multi-reward channels (docs/method.md, "GRPO advantage" and "Channel advantages"). */
  advantagePhase(results: readonly RewardResult[], r: Rollout): AdvantageSet {
    const names = this.s.reward.channelNames;
    if (names.length) return { advantages: null, multi: multiRewardUpdate(results, names, r, this.s.channelSettings, (ids) => this.s.policy.tokenizer.decode(ids)) };
    return { advantages: grpoAdvantages(results.map((x) => x.overall), r.groupIds, { normByStd: this.s.cfg.algorithm.norm_adv_by_std_in_grpo }), multi: null };
  }

  /**
   * log πold (skipped when the update is exactly on-policy: one optimizer step, one epoch, so πold
   * is the current policy, whose log-probs the update computes anyway) and log πref.
   */
  experiencePhase(r: Rollout, adv: AdvantageSet): Promise<Experience> {
    const { cfg, plan, policy, ref } = this.s;
    const onPolicy = r.responses.length <= plan.mini / (this.s.dp?.group.worldSize ?? 1) && cfg.worker.actor.ppo_epochs === 1;
    const p2 = adv.multi?.pass2;
    const pass = (m: ModelStack | null, micro: number) => async (p: readonly EncodedPrompt[], x: readonly number[][]) => (m ? this.logProbs(m, p, x, micro) : null);
    const old = pass(onPolicy ? null : policy, plan.exp), refLp = pass(ref, plan.refExp);
    return this.timed('logprobs', () => this.s.memory.measure('logprobs', async () => {
      const oldLogProbs = await old(r.prompts, r.responses);
      const oldPass2 = p2 ? await old(p2.prompts, p2.responses) : null;
      const refs = await this.withReferenceOnDevice(async () => ({ main: await refLp(r.prompts, r.responses), pass2: p2 ? await refLp(p2.prompts, p2.responses) : null }));
      return { oldLogProbs, refLogProbs: refs.main, pass2: p2 ? { ...p2, oldLogProbs: oldPass2, refLogProbs: refs.pass2 } : undefined };
    }));
  }

  /** The policy update over the rollout (mini-batches, micro-batches, clip, AdamW). */
  updatePhase(r: Rollout, exp: Experience, adv: AdvantageSet, lr: number): Promise<UpdateMetrics> {
    const { cfg, plan, policy, opt, kl } = this.s;
    const a = cfg.worker.actor, alg = cfg.algorithm;
    opt.setLr(lr);
    const dp = this.s.dp, W = dp?.group.worldSize ?? 1;
    return this.timed('update', () => this.s.memory.measure('update', () => policyUpdate(policy.model, this.s.gradientStep, {
      prompts: r.prompts, responses: r.responses, oldLogProbs: exp.oldLogProbs, refLogProbs: exp.refLogProbs,
      ...(adv.multi ? { channels: adv.multi.channels, pass2: exp.pass2 } : { advantages: adv.advantages }),
    }, {
      epochs: a.ppo_epochs, miniBatch: plan.mini / W, microBatch: plan.micro, microBatchMaxTokens: a.micro_batch_max_tokens, packed: a.padding_free, sharePrompts: sharesPrompts(a),
      clip: { low: a.clip_ratio_low, high: a.clip_ratio_high, dual: a.clip_ratio_dual },
      kl: kl.shared || kl.channels ? { coef: kl.shared ? alg.kl_coef : 0, type: alg.kl_penalty } : null,
      aggregation: a.loss_avg_mode === 'seq' ? 'seq-mean-token-mean' : a.loss_avg_mode, maxGradNorm: a.max_grad_norm, collate: this.collateOptions(), temperature: cfg.worker.rollout.temperature,
      ...(this.o.loss ? { loss: this.o.loss } : {}),
      ...(dp ? { dataParallel: { worldSize: W, sumOverRanks: (x: number) => dp.group.sum([x], 'mini-batch response tokens')[0] } } : {}),
    })));
  }

  /**
   * Times `phase` (and traces it when `vsr1 profile --phase` asks). On CUDA the device is
   * synchronised before the clock stops, so the seconds include the phase's queued kernels.
   */
  private timed<T>(phase: TracedPhase, run: () => Promise<T>): Promise<T> {
    return this.s.timer.time(phase, () => this.traced(phase, async () => {
      const out = await run();
      if (this.s.device !== 'cpu') torch.cuda.synchronize();
      return out;
    }));
  }

  /**
   * Runs `run` as the named range `vsr1.<phase>` (so the phase shows in traces and, under
   * emitNvtx, as an NVTX range), inside a profiler trace when this step traces `phase`.
   */
  private traced<T>(phase: TracedPhase, run: () => Promise<T>): Promise<T> {
    const named = () => torch.range(`vsr1.${phase}`, run);
    const t = this.traceTarget;
    if (t?.phase !== phase) return named();
    this.traceTarget = null; // one trace per step (pass 1 and pass 2 each run once)
    return torch.profile({ tracePath: t.tracePath }, named);
  }

  /**
   * The next batch without its unusable rows (an image that does not decode), each one logged and
   * counted. A batch with nothing usable is passed over for the next one, a bounded number of times.
   */
  private async nextUsableBatch(): Promise<{ examples: Example[]; items: RolloutItem[]; skipped: number; firstPrompt: number }> {
    let skipped = 0;
    const dp = this.s.dp;
    for (let tries = 0; tries < MAX_UNUSABLE_BATCHES; tries++) {
      // A data-parallel rank takes its equal share of the global batch (every rank reads the same one).
      const all = (await this.s.loader.next()).examples;
      const [start, end] = dp ? shardRange(all.length, dp.group.rank, dp.group.worldSize, 'the prompts of a step') : [0, all.length];
      const u = await this.s.toItems(all.slice(start, end));
      for (const line of skippedLines('data', u.bad)) this.s.log(line);
      skipped += u.bad.length;
      // Ranks pass a batch over together: one with nothing left would miss the others' collectives.
      const usable = dp ? dp.group.reduce([u.items.length], 'min', 'usable rows per rank')[0] : u.items.length;
      if (usable > 0) return { examples: u.examples, items: u.items, skipped, firstPrompt: start };
    }
    throw new Error(`data: ${MAX_UNUSABLE_BATCHES} batches in a row had no usable row (${skipped} rows skipped, see the log); the training data is broken`);
  }

  /** One RL step: every phase, then metrics and samples logged. Returns the step's metrics. */
  async step(): Promise<Record<string, number>> {
    this.checkAlive();
    const step = ++this.stepCount;
    const lr = learningRate(this.s.cfg.worker.actor.optim, step - 1, this.s.totalSteps);
    const { examples, items, skipped, firstPrompt } = await this.nextUsableBatch();
    const r = await this.rolloutPhase(items, step, firstPrompt);
    const results = await this.rewardPhase(items, r);
    const adv = this.advantagePhase(results, r);
    const exp = await this.experiencePhase(r, adv);
    const update = await this.updatePhase(r, exp, adv, lr);
    let metrics = stepMetrics({ results, r, adv, update, lr, timing: this.s.timer.endStep(step), maxResponseLength: this.s.cfg.data.max_response_length });
    Object.assign(metrics, this.s.memory.take());
    metrics['data/skipped_samples'] = skipped;
    if (this.s.dp) {
      metrics = reduceStepMetrics(this.s.dp.group, metrics);
      metrics['dist/bytes_per_step'] = this.dpStep!.lastStepBytes;
    }
    this.s.metricsLog.log(step, metrics);
    if (this.s.samples) await logRolloutSamples({ step, runDir: this.s.runDir, examples, r, results, samples: this.s.samples, metrics: this.s.metricsLog, log: this.s.log });
    return metrics;
  }

  /** One step with a profiler trace at `tracePath` of the whole step, or of `phase` only. */
  async tracedStep(tracePath: string, phase: TracedPhase | null): Promise<Record<string, number>> {
    if (!phase) return torch.profile({ tracePath }, () => this.step());
    this.traceTarget = { phase, tracePath };
    try {
      return await this.step();
    } finally {
      this.traceTarget = null;
    }
  }

  /** Greedy (worker.rollout.val_override_config) evaluation on the validation set; null without one. */
  async validate(atStep = this.stepCount): Promise<EvalResult | null> {
    this.checkAlive();
    const { cfg, fp, policy, dp } = this.s;
    if (!this.s.valItems.length) return null;
    // Each rank evaluates its share; the metrics are weighted by each share's count.
    const valItems = dp ? rankShare(this.s.valItems, dp.group.rank, dp.group.worldSize) : this.s.valItems;
    const ro = cfg.worker.rollout;
    const settings = this.s.rolloutSettings(ro.seed);
    settings.pass2 = fp.format === 'see-think';
    settings.sampling = valSampling(settings.sampling, ro, ro.val_override_config);
    const local = valItems.length
      ? await evaluate(policy.model, policy.encoder, valItems, { rollout: settings, keepSampling: true, format: fp.format, batchSize: cfg.data.val_batch_size > 0 ? cfg.data.val_batch_size : valItems.length })
      : emptyEval(settings.pass2);
    const r = dp ? reduceEvalResult(dp.group, local) : local;
    if (!dp || dp.group.isMain) for (const line of valGenerationLines(r, cfg.trainer.val_generations_to_log, atStep)) this.s.log(line);
    this.s.metricsLog.log(atStep, valMetrics(r));
    return r;
  }

  /**
   * An atomic, resumable checkpoint of the current step (in a data-parallel run, written by rank 0
   * with every rank's optimizer shard: lib/train/ranked_save.ts).
   */
  save(): Promise<string> {
    const { runDir, policy, opt, loader, hash, cfg, dp } = this.s;
    const t = cfg.trainer;
    const o = {
      root: runDir, step: this.stepCount, model: policy.model, optimizer: opt, data: loader.state(), configHash: hash,
      keepLast: t.save_limit > 0 ? t.save_limit : undefined, extra: { config: grpoStoredConfig(cfg) },
    };
    return dp ? saveRankedTrainState(dp, this.dpStep!, o) : saveTrainState(o);
  }

  /** The whole job: validation before, every step with validation and checkpoints on schedule, the final model. */
  async run(): Promise<GrpoRunResult> {
    const t = this.s.cfg.trainer, runDir = this.s.runDir;
    if (t.val_only) {
      // trainer.val_only: evaluate the starting policy and stop (EasyR1's val_only).
      const valBefore = await this.validate();
      this.s.metricsLog.close();
      this.s.dp?.group.close();
      return { runDir, finalModelDir: '', steps: this.stepCount, valBefore, valAfter: null };
    }
    const valBefore = t.val_before_train && this.stepCount === 0 ? await this.validate(0) : null;
    const bar = createProgress('grpo', this.s.totalSteps);
    bar.update(this.stepCount);
    let valAfter: EvalResult | null = null;
    while (this.stepCount < this.s.totalSteps) {
      const next = this.stepCount + 1;
      const p = this.o.profile;
      if (p?.step === next) await this.tracedStep(p.tracePath, p.phase ?? null);
      else await this.step();
      bar.update(this.stepCount);
      const last = this.stepCount === this.s.totalSteps;
      if (t.val_freq > 0 && (this.stepCount % t.val_freq === 0 || last)) valAfter = await this.validate();
      if ((t.save_freq > 0 && this.stepCount % t.save_freq === 0) || last) await this.save();
    }
    bar.stop();
    return { runDir, finalModelDir: await this.finish(valBefore, valAfter), steps: this.stepCount, valBefore, valAfter };
  }

  /** Frees the models and the optimizer; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.s.dispose();
  }
  [Symbol.dispose](): void { this.dispose(); }

  private async finish(valBefore: EvalResult | null, valAfter: EvalResult | null): Promise<string> {
    const finalModelDir = join(this.s.runDir, 'final_model');
    const dp = this.s.dp;
    if (dp && !dp.group.isMain) {
      // Rank 0 writes the run's files; the others leave together with it.
      dp.group.close();
      return finalModelDir;
    }
    await this.s.policy.model.saveAsync(finalModelDir);
    this.s.metricsLog.close();
    try {
      await writeCurvesPng(join(this.s.runDir, 'curves.png'), readJsonlRows(join(this.s.runDir, 'metrics.jsonl')), {
        metrics: ['reward/overall', 'reward/accuracy', 'reward/description_accuracy', 'val/accuracy', 'val/description_accuracy', 'actor/kl_loss'],
      });
    } catch (e) {
      this.s.log(`report: could not draw curves.png (${(e as Error).message})`);
    }
    writeFileSync(join(this.s.runDir, 'summary.json'), JSON.stringify({ steps: this.stepCount, valBefore: strip(valBefore), valAfter: strip(valAfter) }, null, 2));
    dp?.group.close();
    return finalModelDir;
  }

  private collateOptions() {
    const c = this.s.policy.model.config;
    return { padId: c.padTokenId, imageTokenId: c.imageTokenId, mergeSize: c.vision.spatialMergeSize, device: this.s.device, maxResponseLength: this.s.cfg.data.max_response_length };
  }

  private logProbs(m: ModelStack, prompts: readonly EncodedPrompt[], responses: readonly number[][], microBatch: number): Promise<Float32Array[]> {
    const a = this.s.cfg.worker.actor;
    return responseLogProbs(m.model, prompts, responses, microBatch, { ...this.collateOptions(), packed: a.padding_free, sharePrompts: sharesPrompts(a), maxTokens: a.micro_batch_max_tokens }, this.s.cfg.worker.rollout.temperature);
  }

  /** worker.ref.offload: the reference is on the device only while `fn` runs. */
  private async withReferenceOnDevice<T>(fn: () => Promise<T>): Promise<T> {
    const ref = this.s.ref;
    if (!ref || !this.s.cfg.worker.ref.offload) return fn();
    ref.model.moveTo(this.s.device);
    try {
      return await fn();
    } finally {
      ref.model.moveTo('cpu');
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('GrpoTrainer: used after dispose()');
  }
}

/** Runs a whole GRPO job; the trainer is freed whether it finishes or throws. */
export async function runGrpo(cfg: TrainConfig, o: GrpoRunOptions = {}): Promise<GrpoRunResult> {
  const trainer = await GrpoTrainer.create(cfg, o);
  try {
    return await trainer.run();
  } finally {
    trainer.dispose();
  }
}

/** The evaluation of a rank whose share of the validation set is empty (it still joins the reduction). */
function emptyEval(pass2: boolean): EvalResult {
  return { n: 0, accuracy: 0, format: 0, descriptionAccuracy: pass2 ? 0 : null, languageShortcutRate: pass2 ? 0 : null, descriptionRate: 0, responseLength: 0, samples: [] };
}

function strip(r: EvalResult | null) {
  if (!r) return null;
  const { samples: _s, ...rest } = r;
  return rest;
}

/** Whether the update and log-prob passes share prompts (worker.actor.share_prompts; null = with padding_free). */
function sharesPrompts(a: TrainConfig['worker']['actor']): boolean {
  return a.padding_free && a.share_prompts !== false;
}
