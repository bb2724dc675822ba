/**
 * The GRPO policy update of one RL step (METHOD §9.4-9.7, §16): the rollout's samples are split
 * into mini-batches (one optimizer step each), each into micro-batches whose losses are
 * accumulated; then global grad-norm clipping and an AdamW step, skipped when the norm is
 * non-finite (gradients are cleared either way).
 */
import { torch } from '../index.js';
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { collate, type CollateOptions, type EncodedPrompt } from './collate.js';
import { padRows } from './experience.js';
import { type KlConfig, type LossAggregation, grpoMicroBatchLoss, grpoMultiRewardMicroBatchLoss } from './grpo/index.js';
import type { ClipConfig } from './grpo/policy_loss.js';

export interface UpdateBatch {
  prompts: readonly EncodedPrompt[];
  responses: readonly number[][];
  /** Per-sample advantage (single reward) ... */
  advantages?: readonly number[];
  /** ... or per-channel advantages (multi-reward), with per-channel loss weight and KL β. */
  channels?: ReadonlyArray<{ name: string; advantages: readonly number[]; weight: number; klCoef: number }>;
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
  microBatch: number; // sequences per forward/backward
  clip: ClipConfig;
  kl: KlConfig | null;
  aggregation: LossAggregation;
  maxGradNorm: number;
  collate: CollateOptions;
  /** Logits are divided by the rollout temperature before log-softmax, as in the old/ref passes (default 1). */
  temperature?: number;
  /** Called after backward, before clipping (e.g. copy low-precision grads to fp32 masters). */
  beforeStep?: () => void;
  /** Called after the optimizer step (e.g. write fp32 masters back into the model). */
  afterStep?: () => void;
}

export interface UpdateMetrics {
  [k: string]: number;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Runs every mini-batch of `b`; returns metrics averaged over micro-batches and steps. */
export function policyUpdate(model: QwenVLModel, params: torch.Tensor[], opt: torch.AdamW, b: UpdateBatch, s: UpdateSettings): UpdateMetrics {
  const N = b.prompts.length;
  if (!b.oldLogProbs && N > s.miniBatch) throw new Error('policyUpdate: old log-probs are required when the update takes more than one optimizer step');
  const micro: Record<string, number[]> = {};
  const norms: number[] = [];
  let skipped = 0;
  const epochs = s.epochs ?? 1;
  if (!b.oldLogProbs && epochs > 1) throw new Error('policyUpdate: old log-probs are required with more than one epoch');
  for (let epoch = 0; epoch < epochs; epoch++) for (let m0 = 0; m0 < N; m0 += s.miniBatch) {
    const mini = Array.from({ length: Math.min(s.miniBatch, N - m0) }, (_, k) => m0 + k);
    const gradAccum = Math.ceil(mini.length / s.microBatch);
    const globalTokens = mini.reduce((a, i) => a + b.responses[i].length, 0);
    for (let u0 = 0; u0 < mini.length; u0 += s.microBatch) {
      const idx = mini.slice(u0, u0 + s.microBatch);
      const batch = collate(idx.map((i) => b.prompts[i]), idx.map((i) => b.responses[i]), s.collate);
      try {
        const metrics = torch.scope(() => {
          const R = batch.responseLength;
          const { logProbs, entropy } = model.logProbs(batch, batch.responseIds!, batch.promptLength, { temperature: s.temperature ?? 1, entropy: true });
          const old = b.oldLogProbs ? padRows(idx.map((i) => b.oldLogProbs![i]), R) : logProbs.detach();
          const ref = b.refLogProbs ? padRows(idx.map((i) => b.refLogProbs![i]), R) : null;
          const context = { gradAccum, globalTokens };
          const common = { logProbs, oldLogProbs: old, refLogProbs: ref, responseMask: batch.responseMask!, clip: s.clip, aggregation: s.aggregation, context, entropy };
          const r = b.channels
            ? grpoMultiRewardMicroBatchLoss({
              ...common, kl: s.kl,
              channels: b.channels.map((c) => ({ name: c.name, advantages: torch.tensor(new Float32Array(idx.map((i) => c.advantages[i]))), weight: c.weight, klCoef: c.klCoef })),
            })
            : grpoMicroBatchLoss({ ...common, kl: s.kl, advantages: torch.tensor(new Float32Array(idx.map((i) => b.advantages![i]))) });
          r.loss.backward();
          return r.metrics as unknown as Record<string, number>;
        });
        for (const [k, v] of Object.entries(metrics)) (micro[k] ??= []).push(v);
      } finally {
        batch.dispose();
      }
    }
    s.beforeStep?.();
    const { norm, finite } = torch.clipGradNorm(params, s.maxGradNorm);
    norms.push(norm);
    if (finite) opt.step();
    else skipped++;
    opt.zeroGrad();
    s.afterStep?.();
  }
  const out: UpdateMetrics = {};
  for (const [k, v] of Object.entries(micro)) out[`actor/${k}`] = mean(v);
  out['actor/grad_norm'] = mean(norms.filter(Number.isFinite));
  out['actor/skipped_steps'] = skipped;
  out['actor/optimizer_steps'] = norms.length;
  return out;
}
