/**
 * `vsr1 train`: Vision-SR1 GRPO (METHOD §16). Each RL step: pass-1 rollout (n samples per
 * prompt), pass-2 self-reward answers, rewards, group advantages, old/ref log-probs, then the
 * policy update over mini/micro-batches. Validation (greedy) every val_freq steps, atomic
 * checkpoints every save_freq steps (resumable to the exact step and data position), metrics to
 * JSONL and TensorBoard, sample generations, and the final policy exported in HF layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchPlan, checkpointRoot, type TrainConfig } from '../config/index.js';
import { cleanStaleTemp } from '../checkpoint/index.js';
import { DataLoader } from '../data/loader.js';
import { type Example, VisionDataset } from '../data/dataset.js';
import { type EvalResult, evaluate } from '../eval/evaluate.js';
import * as torch from '../torch/index.js';
import { MetricsLogger, PhaseTimer, SampleLogger, createProgress } from '../logging/index.js';
import { composeReward, type RewardResult, type RewardSpec } from '../rewards/index.js';
import { writeCurvesPng, readJsonlRows } from '../report/index.js';
import { responseLogProbs } from './experience.js';
import { resolveFormatPrompt } from './format_prompt.js';
import { grpoAdvantages } from './grpo/index.js';
import { grpoPlan } from './grpo_plan.js';
import { assertSameConfig, grpoConfigHash, grpoStoredConfig, pickCheckpoint } from './grpo_resume.js';
import { valGenerationLines, valSampling } from './grpo_validation.js';
import { multiRewardUpdate } from './multi_reward_channels.js';
import type { EncodedPrompt } from './collate.js';
import { DecodedImageCache } from './image_cache.js';
import { learningRate } from './lr_schedule.js';
import { MasterWeights } from './master_weights.js';
import { loadStack, type ModelStack } from './model_stack.js';
import { policyUpdate } from './policy_update.js';
import { withoutOverlongPrompts } from './prompt_filter.js';
import { rollout, type RolloutItem, type RolloutSettings } from './rollout.js';
import { resolveDevice, torchDtype } from './sft_setup.js';
import { MODEL_SUBDIR, restoreTrainState, saveTrainState } from './train_state.js';
import { trainableFilter } from './trainable.js';

export interface GrpoRunOptions {
  log?: (line: string) => void;
  /** Record a profiler trace of one step (`step` 1-based) to `tracePath`. */
  profile?: { step: number; tracePath: string } | null;
  /**
   * The training reward, replacing the composition of `algorithm.preset` (e.g. registered or
   * inline reward functions with weights, see lib/rewards/compose.ts). The preset still picks the
   * prompt; pass 2 runs when some component reads it. Validation keeps its own metrics.
   */
  reward?: RewardSpec;
}
export interface GrpoRunResult {
  runDir: string;
  finalModelDir: string;
  steps: number;
  valBefore: EvalResult | null;
  valAfter: EvalResult | null;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export async function runGrpo(cfg: TrainConfig, o: GrpoRunOptions = {}): Promise<GrpoRunResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const a = cfg.worker.actor, ro = cfg.worker.rollout, alg = cfg.algorithm, t = cfg.trainer;
  if (!(ro.temperature > 0)) throw new Error(`worker.rollout.temperature: GRPO samples n responses per prompt and scores them at this temperature, so it must be > 0 (got ${ro.temperature}); greedy validation is worker.rollout.val_override_config`);
  const device = resolveDevice(t.device);
  const dtype = torchDtype(a.model.compute_dtype);
  const runDir = checkpointRoot(cfg);
  mkdirSync(runDir, { recursive: true });
  await cleanStaleTemp(runDir);
  // Resolved before anything is loaded, so a missing template file stops the run at once.
  const fp = resolveFormatPrompt(cfg.data.format_prompt, alg.preset);
  const hash = grpoConfigHash(cfg);
  const resumeFrom = pickCheckpoint(t, runDir, log);
  if (resumeFrom) assertSameConfig(resumeFrom, cfg);
  const stackOpts = { frontDir: a.model.tokenizer_path ?? a.model.model_path, dtype, device, minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels };

  // Policy (from the latest checkpoint on resume) and the frozen reference (the initial model).
  const policy: ModelStack = await loadStack({ ...stackOpts, weightsDir: resumeFrom ? join(resumeFrom.dir, MODEL_SUBDIR) : a.model.model_path });
  const useKl = alg.use_kl_loss && !alg.disable_kl && alg.kl_coef > 0;
  const mr = alg.multi_reward;
  const channelKl = alg.preset === 'multi-reward' && !alg.disable_kl && (mr.ans_kl_coef > 0 || mr.vis_kl_coef > 0);
  const channelSettings = { weights: { ans: mr.ans_weight, vis: mr.vis_weight }, klCoefs: { ans: mr.ans_kl_coef, vis: mr.vis_kl_coef }, tokenMask: mr.token_mask, normByStd: alg.norm_adv_by_std_in_grpo };
  const ref = useKl || channelKl ? await loadStack({ ...stackOpts, weightsDir: a.model.model_path, dtype: torchDtype(cfg.worker.ref.dtype) }) : null;
  const params = policy.model.setTrainable(trainableFilter({ freezeVisionTower: a.model.freeze_vision_tower }));
  policy.model.setGradientCheckpointing(a.model.enable_gradient_checkpointing);
  const masters = a.model.dtype === 'fp32' && dtype !== 'float32' ? MasterWeights.create(params) : null;
  const optParams = masters ? masters.masters : params;
  const opt = new torch.AdamW(optParams, { lr: a.optim.lr, weightDecay: a.optim.weight_decay, betas: a.optim.betas as [number, number], eps: a.optim.eps });

  const images = new DecodedImageCache();
  const toItems = (es: readonly Example[]): Promise<RolloutItem[]> => Promise.all(es.map(async (e) => ({ problem: e.problem, answer: e.answer, images: await images.getAll(e.images, e.id), id: e.id })));
  const limits = { maxPromptLength: cfg.data.max_prompt_length, maxModelLen: ro.max_model_len };
  const dropOverlong = (ds: VisionDataset, what: string) => (cfg.data.filter_overlong_prompts ? withoutOverlongPrompts(ds, what, toItems, policy.encoder, fp.template, limits, log) : ds);
  const trainAll = await VisionDataset.load({ files: cfg.data.train_files, promptKey: cfg.data.prompt_key, answerKey: cfg.data.answer_key, imageKey: cfg.data.image_key, onBadRow: (b) => log(`data: skipped ${b.file}:${b.row}: ${b.reason}`) });
  const valAll = cfg.data.val_files ? await VisionDataset.load({ files: cfg.data.val_files, promptKey: cfg.data.prompt_key, answerKey: cfg.data.answer_key, imageKey: cfg.data.image_key }) : null;
  if (trainAll.badRows.length) log(`data: ${trainAll.badRows.length} bad training row(s) skipped`);
  const train = await dropOverlong(trainAll, 'training');
  const val = valAll ? await dropOverlong(valAll, 'validation') : null;
  const loader = new DataLoader(train, { batchSize: cfg.data.rollout_batch_size, shuffle: cfg.data.shuffle, seed: cfg.data.seed, dropLast: cfg.data.drop_last }, resumeFrom?.state.data ?? undefined);
  const totalSteps = loader.totalSteps(t.total_epochs, t.max_steps);
  const bp = batchPlan(cfg);
  log(`grpo: ${totalSteps} steps of ${bp.sequencesPerStep} samples, ${bp.optimizerStepsPerStep} optimizer step(s) each; the batch arithmetic of ${bp.worldSize} process(es) (trainer.nnodes × n_gpus_per_node) runs on one ${device} device, ${bp.gradAccumSteps} micro-batch(es) per process per optimizer step`);

  const reward = o.reward ? composeReward(o.reward) : composeReward(alg.preset, {
    formatWeight: alg.format_weight, onMissingDescription: alg.description_fallback,
    ...(alg.preset === 'multi-reward' ? { alpha: mr.ans_format_weight, visAlpha: mr.vis_format_weight, channelWeights: { ans: mr.ans_weight, vis: mr.vis_weight } } : {}),
  });
  const tok = policy.tokenizer;
  const logitBias: Record<number, number> = {};
  for (const [text, bias] of Object.entries(ro.logit_bias)) {
    const ids = tok.encode(text);
    if (ids.length !== 1) throw new Error(`worker.rollout.logit_bias: '${text}' is not a single token of this tokenizer`);
    logitBias[ids[0]] = bias;
  }
  // A sampled <|image_pad|> would be read as an image slot by every later forward pass (and
  // break it), so it stays banned whatever the config says (the method bans it with -100, §6).
  const imagePad = policy.model.config.imageTokenId;
  logitBias[imagePad] = Math.min(logitBias[imagePad] ?? 0, -100);
  const rolloutSettings = (seed: number): RolloutSettings => ({
    sampling: { n: ro.n, maxNewTokens: cfg.data.max_response_length, temperature: ro.temperature, topP: ro.top_p, topK: ro.top_k, logitBias, stopTokenIds: policy.model.config.eosTokenIds, seed },
    template: fp.template, pass2: reward.usesPass2, captionReasoner: fp.captionReasoner, onMissingDescription: alg.description_fallback, promptLimits: limits,
  });
  const valItems: RolloutItem[] = val ? await toItems(await val.getBatch([...Array(val.size).keys()])) : [];
  const validate = async (atStep: number): Promise<EvalResult | null> => {
    if (!valItems.length) return null;
    const settings = rolloutSettings(ro.seed);
    settings.pass2 = fp.format === 'see-think';
    settings.sampling = valSampling(settings.sampling, ro, ro.val_override_config);
    const r = await evaluate(policy.model, policy.encoder, valItems, { rollout: settings, keepSampling: true, format: fp.format, batchSize: cfg.data.val_batch_size > 0 ? cfg.data.val_batch_size : valItems.length });
    for (const line of valGenerationLines(r, t.val_generations_to_log, atStep)) log(line);
    return r;
  };

  const metricsLog = new MetricsLogger({ dir: runDir, loggers: t.logger, print: log });
  const samples = new SampleLogger(join(runDir, 'samples.jsonl'), t.log_samples);
  const timer = new PhaseTimer();
  const collateOpts = { padId: policy.model.config.padTokenId, imageTokenId: policy.model.config.imageTokenId, mergeSize: policy.model.config.vision.spatialMergeSize, device, maxResponseLength: cfg.data.max_response_length };
  const plan = grpoPlan(cfg);
  const valMetrics = (r: EvalResult) => ({
    'val/accuracy': r.accuracy, 'val/format': r.format, 'val/response_length': r.responseLength, 'val/description_rate': r.descriptionRate,
    ...(r.descriptionAccuracy !== null ? { 'val/description_accuracy': r.descriptionAccuracy, 'val/language_shortcut_rate': r.languageShortcutRate! } : {}),
  });

  let step = resumeFrom?.state.step ?? 0;
  if (resumeFrom) {
    restoreTrainState(resumeFrom, opt, masters);
    log(`resumed from ${resumeFrom.dir} at step ${step}`);
  }
  let valBefore: EvalResult | null = null;
  if (t.val_only) {
    // trainer.val_only: evaluate the starting policy and stop (EasyR1's val_only).
    valBefore = await validate(step);
    if (valBefore) metricsLog.log(step, valMetrics(valBefore));
    metricsLog.close();
    opt.dispose(); masters?.dispose(); ref?.model.dispose(); policy.model.dispose();
    return { runDir, finalModelDir: '', steps: step, valBefore, valAfter: null };
  }
  if (t.val_before_train && step === 0) {
    valBefore = await validate(0);
    if (valBefore) metricsLog.log(0, valMetrics(valBefore));
  }
  const bar = createProgress('grpo', totalSteps);
  bar.update(step);
  let valAfter: EvalResult | null = null;
  while (step < totalSteps) {
    step++;
    const lr = learningRate(a.optim, step - 1, totalSteps);
    opt.setLr(lr);
    const runStep = async () => {
      const batch = await loader.next();
      const items = await toItems(batch.examples);
      const r = await rollout(policy.model, policy.encoder, items, rolloutSettings(ro.seed + step * 7919));
      timer.add('rollout', r.seconds.rollout);
      timer.add('pass2', r.seconds.pass2);
      const results: RewardResult[] = await timer.time('rewards', () => reward.scoreBatch(r.texts.map((text, i) => ({
        response: text, pass2Response: r.pass2Texts?.[i], groundTruth: items[r.groupIds[i]].answer, question: r.questions[i],
      }))));
      // With one optimizer step per rollout (one mini-batch, one epoch) the update is exactly
      // on-policy: πold is the current policy, whose log-probs the update computes anyway.
      const onPolicy = r.responses.length <= plan.mini && a.ppo_epochs === 1;
      const overall = results.map((x) => x.overall);
      const multi = reward.channelNames.length ? multiRewardUpdate(results, reward.channelNames, r, channelSettings, (ids) => tok.decode(ids)) : null;
      const lps = (m: ModelStack, prompts: readonly EncodedPrompt[], responses: readonly number[][]) => responseLogProbs(m.model, prompts, responses, m === ref ? plan.refExp : plan.exp, { ...collateOpts, packed: a.padding_free, maxTokens: a.micro_batch_max_tokens }, ro.temperature);
      const { oldLp, refLp, pass2 } = await timer.time('logprobs', () => ({
        oldLp: onPolicy ? null : lps(policy, r.prompts, r.responses),
        refLp: ref ? lps(ref, r.prompts, r.responses) : null,
        pass2: multi?.pass2 ? {
          ...multi.pass2,
          oldLogProbs: onPolicy ? null : lps(policy, multi.pass2.prompts, multi.pass2.responses),
          refLogProbs: ref ? lps(ref, multi.pass2.prompts, multi.pass2.responses) : null,
        } : undefined,
      }));
      const advantages = multi ? null : grpoAdvantages(overall, r.groupIds, { normByStd: alg.norm_adv_by_std_in_grpo });
      const update = await timer.time('update', () => {
        const common = {
          prompts: r.prompts, responses: r.responses, oldLogProbs: oldLp, refLogProbs: refLp,
          ...(multi ? { channels: multi.channels, pass2 } : { advantages: advantages! }),
        };
        const m = policyUpdate(policy.model, masters ? masters.masters : params, opt, common, {
          epochs: a.ppo_epochs, miniBatch: plan.mini, microBatch: plan.micro, microBatchMaxTokens: a.micro_batch_max_tokens, packed: a.padding_free, clip: { low: a.clip_ratio_low, high: a.clip_ratio_high, dual: a.clip_ratio_dual },
          kl: useKl || channelKl ? { coef: useKl ? alg.kl_coef : 0, type: alg.kl_penalty as 'low_var_kl' } : null,
          aggregation: a.loss_avg_mode === 'seq' ? 'seq-mean-token-mean' : a.loss_avg_mode, maxGradNorm: a.max_grad_norm, collate: collateOpts, temperature: ro.temperature,
          beforeStep: masters ? () => masters.syncGrads() : undefined, afterStep: masters ? () => { masters.syncWeights(); masters.zeroModelGrads(); } : undefined,
        });
        return m;
      });
      const timing = timer.endStep(step);
      const comp: Record<string, number> = {};
      for (const k of Object.keys(results[0]?.components ?? {})) comp[`reward/${k}`] = mean(results.map((x) => x.components[k]));
      metricsLog.log(step, {
        'reward/overall': mean(overall), ...comp,
        'response_length/mean': mean(r.responses.map((x) => x.length)),
        'response_length/clip_ratio': mean(r.responses.map((x) => (x.length >= cfg.data.max_response_length ? 1 : 0))),
        ...(advantages ? advantageMetrics('critic/advantages', advantages) : {}),
        ...Object.fromEntries((multi?.channels ?? []).flatMap((c) => Object.entries(advantageMetrics(`critic/advantages_${c.name}`, c.advantages)))),
        ...update, 'actor/lr': lr,
        ...Object.fromEntries(Object.entries(timing.phases).map(([k, v]) => [`timing_s/${k}`, v])), 'timing_s/step': timing.total,
      });
      samples.log(step, r.texts.map((text, i) => ({
        prompt: r.questions[i], response: text, ground_truth: items[r.groupIds[i]].answer, pass2: r.pass2Texts?.[i] ?? null,
        reward: { overall: results[i].overall, ...results[i].components },
      })));
    };
    if (o.profile && o.profile.step === step) await torch.profile({ tracePath: o.profile.tracePath }, runStep);
    else await runStep();
    bar.update(step);
    const last = step === totalSteps;
    if (t.val_freq > 0 && (step % t.val_freq === 0 || last)) {
      valAfter = await validate(step);
      if (valAfter) metricsLog.log(step, valMetrics(valAfter));
    }
    if ((t.save_freq > 0 && step % t.save_freq === 0) || last) {
      await saveTrainState({ root: runDir, step, model: policy.model, optimizer: opt, masters, data: loader.state(), configHash: hash, keepLast: t.save_limit > 0 ? t.save_limit : undefined, extra: { config: grpoStoredConfig(cfg) } });
    }
  }
  bar.stop();
  const finalModelDir = join(runDir, 'final_model');
  policy.model.save(finalModelDir);
  metricsLog.close();
  try {
    await writeCurvesPng(join(runDir, 'curves.png'), readJsonlRows(join(runDir, 'metrics.jsonl')), {
      metrics: ['reward/overall', 'reward/accuracy', 'reward/description_accuracy', 'val/accuracy', 'val/description_accuracy', 'actor/kl_loss'],
    });
  } catch (e) {
    log(`report: could not draw curves.png (${(e as Error).message})`);
  }
  writeFileSync(join(runDir, 'summary.json'), JSON.stringify({ steps: step, valBefore: strip(valBefore), valAfter: strip(valAfter) }, null, 2));
  opt.dispose();
  masters?.dispose();
  ref?.model.dispose();
  policy.model.dispose();
  return { runDir, finalModelDir, steps: step, valBefore, valAfter };
}

/** Per-sample advantage statistics (verl's critic/advantages/*): their scale shows what std normalisation does. */
function advantageMetrics(prefix: string, adv: readonly number[]): Record<string, number> {
  if (adv.length === 0) return {};
  return { [`${prefix}/mean`]: mean(adv), [`${prefix}/max`]: Math.max(...adv), [`${prefix}/min`]: Math.min(...adv), [`${prefix}/abs_mean`]: mean(adv.map(Math.abs)) };
}

function strip(r: EvalResult | null) {
  if (!r) return null;
  const { samples: _s, ...rest } = r;
  return rest;
}
