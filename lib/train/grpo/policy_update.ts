/**
 * The GRPO policy update of one RL step (docs/method.md, "Policy update"): the rollout's samples are split
 * into mini-batches (one optimizer step each), each into micro-batches whose losses are
 * accumulated; then global grad-norm clipping and an AdamW step, skipped when the norm is
 * non-finite (gradients are cleared either way).
 */
import * as torch from '../../torch/index.js';
import type { QwenVLModel } from '../../models/qwen2_5_vl/model.js';
import type { CollateOptions, EncodedPrompt } from '../../rollout/collate.js';
import { padRows } from '../../rollout/experience.js';
import {
  type GrpoLossInput, type KlConfig, type LossAggregation, type MetricTensors, type RewardChannelLoss, grpoMicroBatchLossTensors, grpoMultiRewardMicroBatchLossTensors, readScalars,
} from '../../grpo/index.js';
import type { ClipConfig } from '../../grpo/policy_loss.js';
import { microBatchesByTokens, type TrainingBatch } from '../../rollout/pack.js';
import { trainingBatch } from '../../rollout/training_batch.js';
import { scoreResponsesAsync } from '../../rollout/score_responses.js';
import { asGradientStep, type GradientStep } from '../optim_step.js';

/** One reward channel of a multi-reward update (docs/method.md, "Channel token masks"). */
export interface UpdateChannel {
  name: string;
  /** Per-sample advantage of this channel. */
  advantages: readonly number[];
  /** λ_k on this channel's policy loss. */
  weight: number;
  /** β_k of a KL term over this channel's tokens (0 = none). */
  klCoef: number;
  /**
   * Which tokens the channel trains: 'pass1' (default) the pass-1 response, limited by `masks`
   * when given (option b); 'pass2' the pass-2 answer tokens of `UpdateBatch.pass2` (option c).
   */
  sequence?: 'pass1' | 'pass2';
  /** Per-sample 0/1 over the pass-1 response tokens (option b); default all of them. */
  masks?: readonly Float32Array[];
}

/** The pass-2 sequences (text-only prompt + answer), per sample, for channels with sequence 'pass2'. */
export interface Pass2Batch {
  /** Per sample; samples without a pass 2 carry any prompt and an empty response (no tokens train). */
  prompts: readonly EncodedPrompt[];
  responses: readonly number[][];
  oldLogProbs: readonly Float32Array[] | null;
  refLogProbs: readonly Float32Array[] | null;
}

export interface UpdateBatch {
  prompts: readonly EncodedPrompt[];
  responses: readonly number[][];
  /** Per-sample advantage (single reward) ... */
  advantages?: readonly number[];
  /** ... or per-channel advantages (multi-reward), with per-channel loss weight and KL β. */
  channels?: readonly UpdateChannel[];
  pass2?: Pass2Batch;
  /**
   * log πold per sample; null when the update is exactly on-policy (one mini-batch, one epoch):
   * πold is then the current policy, so its log-probs are the forward pass's own, detached.
   */
  oldLogProbs: readonly Float32Array[] | null;
  refLogProbs: readonly Float32Array[] | null;
}

export interface UpdateSettings {
  /** Passes over the rollout (ppo_epochs). */
  epochs?: number;
  miniBatch: number;  // sequences per optimizer step
  microBatch: number; // at most this many sequences per forward/backward
  /** At most this many prompt + response tokens per forward/backward (null = count only). */
  microBatchMaxTokens?: number | null;
  /** Padding-free micro-batches (default true); false = the left-padded layout. */
  packed?: boolean;
  /** Packed only: each prompt once per micro-batch, read by its samples as a shared prefix (default false). */
  sharePrompts?: boolean;
  clip: ClipConfig;
  kl: KlConfig | null;
  aggregation: LossAggregation;
  maxGradNorm: number;
  collate: CollateOptions;
  /** Logits are divided by the rollout temperature before log-softmax, as in the old/ref passes (default 1). */
  temperature?: number;
  /**
   * The micro-batch loss of a single-reward update (default grpoMicroBatchLossTensors: dual-clip
   * PPO + KL with `aggregation`). A hook gets the same inputs ([B, R] rows on the model's device,
   * per-sample advantages [B], the accumulation context) and returns the scalar to backpropagate
   * plus named scalar metrics (tensors; logged as actor/<name>). Not used with reward channels.
   */
  loss?: PolicyLossHook;
  /**
   * A data-parallel rank: its mini-batches are its share of each global one. 'token' aggregation
   * then normalises by the token count summed over the ranks (`sumOverRanks`).
   */
  dataParallel?: { worldSize: number; sumOverRanks: (x: number) => number };
}

/** A replacement for the GRPO micro-batch loss (see UpdateSettings.loss). */
export type PolicyLossHook = (input: GrpoLossInput) => { loss: torch.Tensor; named: MetricTensors };

export interface UpdateMetrics {
  [k: string]: number;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function checkBatch(b: UpdateBatch, s: UpdateSettings): void {
  const N = b.prompts.length, epochs = s.epochs ?? 1;
  if (s.loss && b.channels) throw new Error('policyUpdate: a custom loss (settings.loss) applies to single-reward updates; this batch has reward channels');
  if (!b.oldLogProbs && N > s.miniBatch) throw new Error('policyUpdate: old log-probs are required when the update takes more than one optimizer step');
  if (!b.oldLogProbs && epochs > 1) throw new Error('policyUpdate: old log-probs are required with more than one epoch');
  if (b.channels?.some((c) => c.sequence === 'pass2')) {
    if (!b.pass2) throw new Error("policyUpdate: a channel trains the pass-2 tokens but the batch has no pass2 sequences");
    if (b.pass2.prompts.length !== N || b.pass2.responses.length !== N) throw new Error(`policyUpdate: pass2 has ${b.pass2.prompts.length} prompts / ${b.pass2.responses.length} responses for ${N} samples`);
    if (!b.pass2.oldLogProbs && (N > s.miniBatch || epochs > 1)) throw new Error('policyUpdate: pass-2 old log-probs are required when the update is not exactly on-policy');
  }
}

/**
 * Runs every mini-batch of `b` (one clipped AdamW step of `opt`'s parameters each); returns
 * metrics averaged over micro-batches and steps.
 */
export async function policyUpdate(model: QwenVLModel, opt: torch.AdamW | GradientStep, b: UpdateBatch, s: UpdateSettings): Promise<UpdateMetrics> {
  checkBatch(b, s);
  const stepper = asGradientStep(opt);
  const N = b.prompts.length;
  const micro: Record<string, number[]> = {};
  const norms: number[] = [];
  let skipped = 0;
  const tokens = (i: number) => b.prompts[i].ids.length + b.responses[i].length;
  for (let epoch = 0; epoch < (s.epochs ?? 1); epoch++) for (let m0 = 0; m0 < N; m0 += s.miniBatch) {
    const mini = Array.from({ length: Math.min(s.miniBatch, N - m0) }, (_, k) => m0 + k);
    const micros = microBatchesByTokens(mini, tokens, s.microBatch, s.microBatchMaxTokens ?? null);
    const ranks = rankTokens(b, s, mini);
    for (const idx of micros) {
      const named = await microBatchStep(model, b, s, { idx, mini, gradAccum: micros.length, ...ranks });
      for (const [k, v] of Object.entries(readScalars(named))) (micro[k] ??= []).push(v);
      for (const [, t] of named) t.dispose();
    }
    const { norm, applied } = stepper.step(s.maxGradNorm);
    norms.push(norm);
    if (!applied) skipped++;
  }
  const out: UpdateMetrics = {};
  for (const [k, v] of Object.entries(micro)) out[`actor/${k}`] = mean(v);
  out['actor/grad_norm'] = mean(norms.filter(Number.isFinite));
  out['actor/skipped_steps'] = skipped;
  out['actor/optimizer_steps'] = norms.length;
  return out;
}

/** Which samples a micro-batch holds, within which mini-batch. */
export interface MicroBatchPlan {
  idx: readonly number[];
  mini: readonly number[];
  /** Micro-batches of the mini-batch (the accumulation count). */
  gradAccum: number;
  /** 'token' aggregation on a data-parallel rank: response tokens of the global mini-batch, and the ranks. */
  globalTokens?: number;
  worldSize?: number;
}

/** 'token' mode on a data-parallel rank: the mini-batch's response tokens over every rank. */
function rankTokens(b: UpdateBatch, s: UpdateSettings, mini: readonly number[]): { globalTokens?: number; worldSize?: number } {
  if (!s.dataParallel || s.aggregation !== 'token') return {};
  const local = mini.reduce((a, i) => a + Math.min(b.responses[i].length, s.collate.maxResponseLength ?? Infinity), 0);
  return { globalTokens: s.dataParallel.sumOverRanks(local), worldSize: s.dataParallel.worldSize };
}

/**
 * Forward, loss and backward of one micro-batch. Every tensor is made on the model's device.
 * Returns the loss metrics as scalar tensors still on that device (the caller reads them in one
 * transfer and frees them), so nothing here waits on the device.
 *
 * The forward and backward run on the addon's task thread, so the JS thread stays free; the loss
 * between them is a few small ops on the JS thread. (With two OpenMP thread teams in the process,
 * libgomp's default short spin made this 1.4x slower on 2 cores: lib/addon/openmp.ts.)
 */
export async function microBatchStep(model: QwenVLModel, b: UpdateBatch, s: UpdateSettings, plan: MicroBatchPlan): Promise<MetricTensors> {
  const { idx } = plan;
  const opts = { ...s.collate, device: model.device, packed: s.packed ?? true, sharePrompts: s.sharePrompts ?? false };
  const usesPass2 = b.channels?.some((c) => c.sequence === 'pass2') ?? false;
  const batch = trainingBatch(idx.map((i) => b.prompts[i]), idx.map((i) => b.responses[i]), opts);
  const batch2 = usesPass2 ? trainingBatch(idx.map((i) => b.pass2!.prompts[i]), idx.map((i) => b.pass2!.responses[i]), opts) : null;
  const scored: torch.Tensor[] = [];
  try {
    const t = s.temperature ?? 1;
    const lp1 = await scoreResponsesAsync(model, batch, { temperature: t, entropy: true });
    scored.push(lp1.logProbs, ...(lp1.entropy ? [lp1.entropy] : []));
    const lp2 = batch2 ? await scoreResponsesAsync(model, batch2, { temperature: t }) : null;
    if (lp2) scored.push(lp2.logProbs);
    const { loss, named } = torch.scope(() => microBatchLoss(b, s, plan, batch, lp1, batch2, lp2, model.device));
    try {
      await loss.backwardAsync();
    } finally {
      loss.dispose();
    }
    return named;
  } finally {
    for (const x of scored) x.dispose();
    batch.dispose();
    batch2?.dispose();
  }
}

/** The GRPO loss of a scored micro-batch (single reward or reward channels) and its metric tensors. */
function microBatchLoss(
  b: UpdateBatch, s: UpdateSettings, plan: MicroBatchPlan, batch: TrainingBatch, lp1: Scores, batch2: TrainingBatch | null, lp2: Scores | null, device: string,
): { loss: torch.Tensor; named: MetricTensors } {
  const { idx, mini, gradAccum } = plan;
  const p1 = withOldAndRef(lp1, batch, idx, b.oldLogProbs, b.refLogProbs, device);
  const microTokens = batch.responseTokens.reduce((a, n) => a + n, 0);
  const localTokens = () => mini.reduce((a, i) => a + Math.min(b.responses[i].length, s.collate.maxResponseLength ?? Infinity), 0);
  const context = { gradAccum, globalTokens: plan.globalTokens ?? localTokens(), microTokens, ...(plan.worldSize ? { worldSize: plan.worldSize } : {}) };
  const common = { logProbs: p1.logProbs, oldLogProbs: p1.oldLogProbs, refLogProbs: p1.refLogProbs, responseMask: p1.mask, clip: s.clip, aggregation: s.aggregation, context, entropy: p1.entropy };
  const p2 = batch2 && lp2 ? withOldAndRef(lp2, batch2, idx, b.pass2!.oldLogProbs, b.pass2!.refLogProbs, device) : null;
  return b.channels
    ? grpoMultiRewardMicroBatchLossTensors({ ...common, kl: s.kl, channels: b.channels.map((c) => channelLoss(c, b, plan, p1, p2, batch2, s.collate.maxResponseLength, device)) })
    : (s.loss ?? grpoMicroBatchLossTensors)({ ...common, kl: s.kl, advantages: torch.tensor(new Float32Array(idx.map((i) => b.advantages![i])), { device }) });
}

type Scores = { logProbs: torch.Tensor; entropy: torch.Tensor | null };

/** A micro-batch scored by the policy, with its old/ref log-probs as [B, R] rows on the model's device. */
interface ScoredMicroBatch { logProbs: torch.Tensor; entropy: torch.Tensor | null; oldLogProbs: torch.Tensor; refLogProbs: torch.Tensor | null; mask: torch.Tensor; R: number }

/**
 * A micro-batch's log πθ (logits / temperature) with πold from `old` (or, exactly on-policy, the
 * detached log πθ) and πref from `ref`, both padded to the batch's response columns.
 */
function withOldAndRef(
  lp: Scores, batch: TrainingBatch, idx: readonly number[], old: readonly Float32Array[] | null, ref: readonly Float32Array[] | null, device: string,
): ScoredMicroBatch {
  const R = batch.responseLength;
  return {
    logProbs: lp.logProbs, entropy: lp.entropy, R, mask: batch.responseMask!,
    oldLogProbs: old ? padRows(idx.map((i) => old[i]), R, device) : lp.logProbs.detach(),
    refLogProbs: ref ? padRows(idx.map((i) => ref[i]), R, device) : null,
  };
}

/**
 * One channel's loss inputs for a micro-batch: its advantages, and for options b/c its own token
 * mask (and pass-2 tensors). In 'token' aggregation the channel's mini-batch token count is its own.
 */
function channelLoss(
  c: UpdateChannel, b: UpdateBatch, plan: MicroBatchPlan, p1: ScoredMicroBatch, p2: ScoredMicroBatch | null, batch2: TrainingBatch | null,
  maxResponseLength: number | undefined, device: string,
): RewardChannelLoss {
  const { idx, mini, gradAccum } = plan;
  const base: RewardChannelLoss = { name: c.name, advantages: torch.tensor(new Float32Array(idx.map((i) => c.advantages[i])), { device }), weight: c.weight, klCoef: c.klCoef };
  const sum = (m: ArrayLike<number>) => { let n = 0; for (let j = 0; j < m.length; j++) n += m[j]; return n; };
  const count = (perSample: (i: number) => number) => Math.max(1, mini.reduce((a, i) => a + perSample(i), 0));
  const cut = (n: number) => Math.min(n, maxResponseLength ?? Infinity);
  if (c.sequence === 'pass2') {
    return {
      ...base, logProbs: p2!.logProbs, oldLogProbs: p2!.oldLogProbs, ...(p2!.refLogProbs ? { refLogProbs: p2!.refLogProbs } : {}), mask: p2!.mask,
      context: { gradAccum, globalTokens: count((i) => cut(b.pass2!.responses[i].length)), microTokens: batch2!.responseTokens.reduce((a, n) => a + n, 0) },
    };
  }
  if (!c.masks) return base;
  // Truncated responses are cut to R columns by collate; the mask follows.
  const masks = idx.map((i) => c.masks![i]);
  const mask = padRows(masks, p1.R, device).mul(p1.mask);
  const microTokens = masks.reduce((a, m) => a + sum(m.subarray(0, p1.R)), 0);
  return { ...base, mask, context: { gradAccum, globalTokens: count((i) => sum(c.masks![i].subarray(0, maxResponseLength))), microTokens } };
}
