/**
 * The learning rate of each optimizer step from the optim config: linear warm-up, then
 * constant, cosine or linear decay to min_lr_ratio (HF Trainer's schedulers, docs/method.md, "Optimizer and schedule" and "Cold-start SFT").
 */
import { constantWithWarmup, cosineWithWarmup } from '../torch/optim.js';

export interface LrScheduleConfig {
  lr: number;
  lr_warmup_ratio: number;
  lr_warmup_steps: number | null;
  min_lr_ratio: number | null;
  lr_scheduler_type: 'constant' | 'cosine' | 'linear';
}

/** Warm-up steps: lr_warmup_steps when set, else ceil(ratio · total) (HF get_warmup_steps). */
export function warmupSteps(c: LrScheduleConfig, totalSteps: number): number {
  return c.lr_warmup_steps ?? Math.ceil(c.lr_warmup_ratio * totalSteps);
}

/** Learning rate for optimizer step `step` (0-based) of `totalSteps`. */
export function learningRate(c: LrScheduleConfig, step: number, totalSteps: number): number {
  const warm = warmupSteps(c, totalSteps);
  const minRatio = c.min_lr_ratio ?? 0;
  if (c.lr_scheduler_type === 'constant') return c.lr * constantWithWarmup(step, warm);
  if (c.lr_scheduler_type === 'cosine') return c.lr * cosineWithWarmup(step, totalSteps, warm, minRatio);
  if (warm > 0 && step < warm) return c.lr * ((step + 1) / warm);
  const progress = Math.min(1, (step - warm) / Math.max(1, totalSteps - warm));
  return c.lr * (minRatio + (1 - minRatio) * (1 - progress));
}
