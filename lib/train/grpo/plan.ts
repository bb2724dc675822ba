/**
 * The GRPO trainer's batch sizes from its config: sequences per optimizer step, the update's
 * micro-batch, and the micro-batches of the two log-prob passes (the policy's old log-probs and
 * the frozen reference's, which worker.ref may size on its own, e.g. smaller when it sits in a
 * lower precision or on another device).
 */
import type { TrainConfig } from '../../config/train.js';

export interface GrpoPlan {
  /** Sequences per optimizer step (global_batch_size × n). */
  mini: number;
  /** worker.actor.micro_batch_size_per_device_for_update. */
  micro: number;
  /** worker.actor.micro_batch_size_per_device_for_experience: the old log-prob pass. */
  exp: number;
  /** worker.ref.micro_batch_size_per_device_for_experience, null = the actor's. */
  refExp: number;
}

export function grpoPlan(cfg: TrainConfig): GrpoPlan {
  const a = cfg.worker.actor;
  return {
    mini: a.global_batch_size * cfg.worker.rollout.n,
    micro: a.micro_batch_size_per_device_for_update,
    exp: a.micro_batch_size_per_device_for_experience,
    refExp: cfg.worker.ref.micro_batch_size_per_device_for_experience ?? a.micro_batch_size_per_device_for_experience,
  };
}
