/**
 * One optimizer update after the gradients of a batch are accumulated (docs/method.md, "Total loss" and "Non-finite gradients"):
 * clip the global gradient norm, and step only when that norm is finite; a step whose gradient
 * holds NaN or Inf is skipped so one bad batch cannot destroy the weights. Gradients are
 * cleared either way.
 */
import * as torch from '../torch/index.js';
import { clipGradNorm } from '../torch/optim.js';

/** Result of {@link clippedStep}: the pre-clip norm and whether the update was applied. */
export interface StepOutcome {
  norm: number;
  applied: boolean;
}

/**
 * Clips, steps (when finite) and zeroes. Low-precision weights keep their fp32 masters inside
 * the optimizer (AdamW masterWeights), so this is the same for every precision.
 */
export function clippedStep(optimizer: torch.AdamW, maxNorm: number): StepOutcome {
  const { norm, finite } = clipGradNorm(optimizer.params, maxNorm);
  if (finite) optimizer.step();
  optimizer.zeroGrad();
  return { norm, applied: finite };
}

/**
 * What a trainer calls once the gradients of an optimizer step are accumulated: clipping and the
 * update. A single process uses {@link clippedStep} on its AdamW; a data-parallel run first
 * exchanges gradients (lib/train/data_parallel_step.ts).
 */
export interface GradientStep {
  step(maxNorm: number): StepOutcome;
}

/** An AdamW as a GradientStep (a data-parallel step passes through unchanged). */
export function asGradientStep(o: torch.AdamW | GradientStep): GradientStep {
  return o instanceof torch.AdamW ? { step: (maxNorm) => clippedStep(o, maxNorm) } : o;
}
