/**
 * The PPO clipped surrogate with asymmetric clip and dual clip, per token (docs/method.md, "PPO loss"; EasyR1
 * `compute_policy_loss`, loss_type 'default').
 */
import * as torch from '../torch/index.js';
import { expectShape, maskedMean, zeroPadding } from './masked.js';

type Tensor = torch.Tensor;

export interface ClipConfig {
  /** ε_low: ρ̂ ≥ 1 − ε_low (0.2 in SR1). */
  low: number;
  /** ε_high: ρ̂ ≤ 1 + ε_high (0.3 in SR1). */
  high: number;
  /** C_dual (3.0 in SR1): bound on the loss of negative-advantage tokens; null = no dual clip. */
  dual: number | null;
  /**
   * Clamp Δ to [−c, c] before ρ = exp(Δ). null (default) = no clamp, as in the Vision-SR1 fork
   * (so Δ > ~88 overflows fp32 and gives NaN gradients); upstream EasyR1 uses 20.
   */
  clampLogRatio?: number | null;
}

/** The SR1 settings (verl/workers/actor/config.py defaults). */
export const SR1_CLIP: Readonly<ClipConfig> = Object.freeze({ low: 0.2, high: 0.3, dual: 3.0, clampLogRatio: null });

/** Scalar diagnostics, masked means over the valid tokens. */
export interface PolicyLossMetrics {
  /** EasyR1's name: fraction of tokens where the ratio clip binds (L1 < L2), either side. */
  pg_clipfrac_higher: number;
  /** EasyR1's name: fraction of tokens where the dual clip binds (A < 0 and max(L1, L2) > L3). */
  pg_clipfrac_lower: number;
  /** Tokens with A > 0 and ρ > 1 + ε_high (the upper bound of the clip binds). */
  ratio_clipfrac_high: number;
  /** Tokens with A < 0 and ρ < 1 − ε_low (the lower bound of the clip binds). */
  ratio_clipfrac_low: number;
  /** Masked mean of −Δ = logπold − logπθ. */
  ppo_kl: number;
}

export interface PolicyLossInput {
  /** [B, T] logπθ (with grad). */
  logProbs: Tensor;
  /** [B, T] logπold, no grad. */
  oldLogProbs: Tensor;
  /** [B, T] per-token advantages (already × mask), or [B] per-sequence advantages. */
  advantages: Tensor;
  /** [B, T] 0/1, the tokens that count. */
  responseMask: Tensor;
  clip: ClipConfig;
}

export interface PolicyLossTensors {
  /** [B, T] per-token loss L (padding entries are finite and meaningless; mask them). */
  losses: Tensor;
  /** Scalar metric tensors in PolicyLossMetrics order (detached), for one batched readback. */
  metricTensors: Tensor[];
}

export const POLICY_METRIC_NAMES = ['pg_clipfrac_higher', 'pg_clipfrac_lower', 'ratio_clipfrac_high', 'ratio_clipfrac_low', 'ppo_kl'] as const;

/**
 * Per-token PPO loss and metric tensors (no device sync). With Δ = logπθ − logπold:
 * ρ = exp(Δ), ρ̂ = exp(clamp(Δ, ln(1−ε_low), ln(1+ε_high))), L1 = −Aρ, L2 = −Aρ̂, L3 = −A·C_dual,
 * L = max(L1, L2), and for A < 0, L = min(L, L3).
 * Padding positions get Δ = 0 before exp, so garbage there cannot make NaNs.
 * @returns losses [B, T] and the metric scalars, owned by the caller
 */
export function ppoClipLossTensors(input: PolicyLossInput): PolicyLossTensors {
  const { logProbs, oldLogProbs, responseMask, clip } = input;
  const shape = logProbs.shape;
  if (shape.length !== 2) throw new Error(`ppoClipLoss: expected logProbs of shape [B, T], got [${shape.join(', ')}]`);
  expectShape(oldLogProbs, shape, 'ppoClipLoss: oldLogProbs');
  expectShape(responseMask, shape, 'ppoClipLoss: responseMask');
  const advShape = input.advantages.shape;
  if (!(advShape.length === 1 && advShape[0] === shape[0])) expectShape(input.advantages, shape, 'ppoClipLoss: advantages ([B] or [B, T])');
  if (!(clip.low >= 0 && clip.low < 1)) throw new Error(`ppoClipLoss: clip.low (ε_low) must be in [0, 1), got ${clip.low}`);
  if (!(clip.high >= 0)) throw new Error(`ppoClipLoss: clip.high (ε_high) must be >= 0, got ${clip.high}`);
  if (clip.dual !== null && !(clip.dual > 1)) throw new Error(`ppoClipLoss: clip.dual (C_dual) must be > 1 or null, got ${clip.dual}`);
  const c = clip.clampLogRatio;
  if (c !== undefined && c !== null && !(c > 0)) throw new Error(`ppoClipLoss: clip.clampLogRatio must be > 0 or null, got ${c}`);

  return torch.scope(() => {
    const A = advShape.length === 1 ? input.advantages.unsqueeze(-1) : input.advantages;
    const delta = zeroPadding(logProbs.sub(oldLogProbs), responseMask);
    const ratio = (c === undefined || c === null ? delta : delta.clamp(-c, c)).exp();
    const clippedRatio = delta.clamp(Math.log(1 - clip.low), Math.log(1 + clip.high)).exp();
    const negA = A.neg();
    const l1 = negA.mul(ratio);
    const l2 = negA.mul(clippedRatio);
    const lClip = l1.maximum(l2);
    let losses = lClip;
    let l3: Tensor | null = null;
    if (clip.dual !== null) {
      l3 = negA.mul(clip.dual);
      losses = torch.where(A.lt(0), lClip.minimum(l3), lClip);
    }
    const metricTensors = torch.noGrad(() => {
      const frac = (b: Tensor) => maskedMean(b.to(delta.dtype), responseMask);
      const zero = torch.zerosLike(delta);
      return [
        frac(l1.lt(l2)),
        l3 === null ? zero.sum() : frac(lClip.gt(l3).logicalAnd(A.lt(0))),
        frac(A.gt(0).logicalAnd(delta.gt(Math.log(1 + clip.high)))),
        frac(A.lt(0).logicalAnd(delta.lt(Math.log(1 - clip.low)))),
        maskedMean(delta.neg(), responseMask),
      ];
    });
    return { losses, metricTensors };
  });
}

/** Reads the metric tensors of ppoClipLossTensors in one transfer. */
export function readPolicyMetrics(metricTensors: readonly Tensor[]): PolicyLossMetrics {
  const v = torch.scope(() => torch.stack(metricTensors.map((t) => t.to({ dtype: 'float64', device: 'cpu' }))).toFlatArray());
  return Object.fromEntries(POLICY_METRIC_NAMES.map((k, i) => [k, v[i]])) as unknown as PolicyLossMetrics;
}

/**
 * Per-token PPO loss with its metrics as numbers (one device sync).
 * @returns losses [B, T] (owned by the caller) and the metrics
 */
export function ppoClipLoss(input: PolicyLossInput): { losses: Tensor; metrics: PolicyLossMetrics } {
  const { losses, metricTensors } = ppoClipLossTensors(input);
  const metrics = readPolicyMetrics(metricTensors);
  for (const t of metricTensors) t.dispose();
  return { losses, metrics };
}
