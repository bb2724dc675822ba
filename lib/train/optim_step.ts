/**
 * One optimizer update after the gradients of a batch are accumulated (METHOD §9.4, §15.13):
 * clip the global gradient norm, and step only when that norm is finite; a step whose gradient
 * holds NaN or Inf is skipped so one bad batch cannot destroy the weights. Gradients are
 * cleared either way.
 */
import type * as torch from '../torch/index.js';
import { clipGradNorm } from '../torch/optim.js';
import type { MasterWeights } from './master_weights.js';

/** Result of {@link clippedStep}: the pre-clip norm and whether the update was applied. */
export interface StepOutcome {
  norm: number;
  applied: boolean;
}

/**
 * Clips, steps (when finite) and zeroes. With `masters` (low-precision weights), the model's
 * gradients are moved to the fp32 masters first and the updated masters copied back after.
 */
export function clippedStep(optimizer: torch.AdamW, maxNorm: number, masters: MasterWeights | null = null): StepOutcome {
  masters?.syncGrads();
  const params = masters ? masters.masters : optimizer.params;
  const { norm, finite } = clipGradNorm(params, maxNorm);
  if (finite) {
    optimizer.step();
    masters?.syncWeights();
  }
  optimizer.zeroGrad();
  masters?.zeroModelGrads();
  return { norm, applied: finite };
}
