/**
 * Config of `vsr1 train` (GRPO with the Vision-SR1 self-reward). Key names follow EasyR1
 * (data.*, algorithm.*, worker.actor.*, worker.rollout.*, worker.ref.*, trainer.*) where the
 * concept is the same. Defaults are the method's values; each line cites its source:
 *   yaml = Vision-SR1 train_examples/selfReward_config.yaml
 *   sh   = Vision-SR1 train_examples/2-7b_selfReward_train.sh (overrides yaml)
 *   docs/method.md and a quoted heading = where the method notes explain the value
 * vLLM/FSDP/Ray-only keys of the reference (tensor_parallel_size, fsdp.*, offload.*,
 * max_num_batched_tokens) have no meaning here and are rejected; gpu_memory_utilization sizes
 * the rollout's waves here (lib/rollout/waves.ts), as it sizes vLLM's KV cache there.
 */
import { z } from 'zod';
import {
  Dtype, Files, nonNeg, nonNegInt, optimSchema, posInt, modelPathFields, trainerCommonFields, TrainDtype,
} from './common.js';

/** Built-in format prompts (lib/rollout/format_prompt.ts); any other value must be a .jinja template path. */
export const FORMAT_PROMPT_NAMES = ['see_think', 'cot', 'world_see_think', 'world_cot'] as const;

/**
 * data.format_prompt: a built-in name or a path ending in .jinja. Checked here so a typo fails at
 * load rather than after the model is loaded; the file's existence is checked at start-up.
 */
export const FormatPromptName = z.string().min(1).superRefine((v, ctx) => {
  if ((FORMAT_PROMPT_NAMES as readonly string[]).includes(v) || v.endsWith('.jinja')) return;
  const near = FORMAT_PROMPT_NAMES.find((n) => n === v.replace(/-/g, '_'));
  ctx.addIssue({
    code: 'custom',
    message: `expected one of ${FORMAT_PROMPT_NAMES.join(', ')} or a path ending in .jinja, received ${JSON.stringify(v)}${near ? `; did you mean ${near}?` : ''}`,
  });
}).describe('A built-in format prompt (see_think, cot, world_see_think, world_cot) or the path of a .jinja template.');

/** KL estimators that lib/grpo/kl.ts klPenalty computes from sampled-token log-probs ('full' needs whole distributions). */
export const KL_PENALTIES = ['low_var_kl', 'kl', 'abs', 'mse'] as const;

export const TrainData = z.strictObject({
  train_files: Files, // required; sh: LMMs-Lab-Turtle/Vision-SR1-47K@train
  val_files: Files.nullable().default(null), // sh: zli12321/mmstar@test; null = no validation set
  prompt_key: z.string().min(1).default('problem'), // sh
  answer_key: z.string().min(1).default('answer'), // sh
  image_key: z.string().min(1).default('images'), // sh
  max_prompt_length: posInt().default(12800), // yaml: tokens of the templated prompt, image pads expanded (lib/rollout/prompt_limits.ts)
  max_response_length: posInt().default(2048), // yaml; docs/method.md, "Rollout settings"
  rollout_batch_size: posInt().default(512), // yaml; docs/method.md, "Batch arithmetic": prompts per RL step
  val_batch_size: z.number().int().min(-1).default(1024), // yaml; -1 = whole val set at once
  format_prompt: FormatPromptName.nullable().default(null), // null = the preset's prompt (see_think, or cot for vision-r1)
  shuffle: z.boolean().default(true), // yaml; docs/method.md, "Batch arithmetic"
  seed: z.number().int().default(1), // yaml; docs/method.md, "Batch arithmetic"
  drop_last: z.boolean().default(true), // EasyR1 dataloader; docs/method.md, "Batch arithmetic"
  min_pixels: posInt().default(262144), // yaml; docs/method.md, "Pre-resize" (512²)
  max_pixels: posInt().default(4194304), // yaml; docs/method.md, "Pre-resize" (2048²)
  // Images with more pixels are refused at load and skipped at first use: PIL's decompression-bomb threshold,
  // DEFAULT_IMAGE_PIXEL_LIMIT of lib/data/image_limit.ts (config sits below data, so the number is repeated; a test holds them equal).
  image_pixel_limit: posInt().default(178_956_970),
  filter_overlong_prompts: z.boolean().default(true), // yaml; docs/method.md, "Prompt limits": drop rows over max_prompt_length / max_model_len at load; false = such a row is an error
});

/** Per-channel settings of the multi-reward mode (docs/method.md, "Multi-reward variant"). Defaults follow CODE-MR. */
export const MultiReward = z.strictObject({
  ans_weight: nonNeg().default(1.0), // λ_ans: CODE-MR 1.0 (PAPER-v2 says 0.5)
  vis_weight: nonNeg().default(1.0), // λ_vis: CODE-MR 1.0 (PAPER-v2 says 0.5)
  ans_format_weight: nonNeg().default(0.0), // α on r_ans: CODE-MR drops the format term (docs/method.md, "Multi-reward variant")
  vis_format_weight: nonNeg().default(0.0), // α on r_visual: CODE-MR drops the format term
  // β_k: a KL term over each channel's own tokens, on top of algorithm.kl_coef's shared one over the
  // pass-1 tokens. CODE-MR has only the shared term (so 0 here); the paper names β_ans, β_vis, no values.
  ans_kl_coef: nonNeg().default(0),
  vis_kl_coef: nonNeg().default(0),
  // Which tokens carry each channel's advantage (docs/method.md, "Channel token masks"): pass1 = all pass-1 tokens for both
  // (CODE-MR); spans = description span for vis, think+answer for ans; pass2 = vis on pass-2 tokens.
  token_mask: z.enum(['pass1', 'spans', 'pass2']).default('pass1'),
});

export const TrainAlgorithm = z.strictObject({
  adv_estimator: z.enum(['grpo']).default('grpo'), // yaml; docs/method.md, "GRPO advantage"
  disable_kl: z.boolean().default(false), // yaml
  use_kl_loss: z.boolean().default(true), // yaml; docs/method.md, "GRPO advantage": KL is a loss, not a reward penalty
  kl_penalty: z.enum(KL_PENALTIES).default('low_var_kl'), // yaml; docs/method.md, "KL loss" (k3)
  kl_coef: nonNeg().default(1e-2), // yaml; docs/method.md, "KL loss"
  // docs/method.md, "GRPO advantage": true divides each group's centred scores by its std (CODE-MAIN's z-score); false keeps them
  // mean-centred only (PAPER-v2 eq. 1; verl's norm_adv_by_std_in_grpo=false, as in Dr. GRPO), which
  // does not inflate the rare successes of nearly all-wrong groups.
  norm_adv_by_std_in_grpo: z.boolean().default(true),
  preset: z.enum(['vision-sr1', 'vision-r1', 'no-self-reward', 'multi-reward']).default('vision-sr1'), // docs/method.md, "Reward presets"
  format_weight: z.number().min(0).max(1).default(0.1), // docs/method.md, "Reward presets": overall = (1-w)·acc + w·fmt (+ vis)
  // docs/method.md, "Missing description": 'empty' (default) gives no visual reward without a <description>; the reference
  // ('whole-response', CODE-MAIN) feeds the whole response to pass 2, which leaks the answer.
  description_fallback: z.enum(['whole-response', 'empty']).default('empty'),
  multi_reward: MultiReward.prefault({}),
});

export const ActorModel = z.strictObject({
  ...modelPathFields, // sh: LMMs-Lab-Turtle/Qwen-2.5VL-7B-Cold-Start
  dtype: TrainDtype.default('fp32'), // docs/method.md, "Optimizer and schedule": fp32 master weights
  compute_dtype: TrainDtype.default('bf16'), // docs/method.md, "Optimizer and schedule": bf16 mixed-precision compute
  freeze_vision_tower: z.boolean().default(false), // yaml; docs/method.md, "Trainable parameters": the vision tower trains in RL
});

export const TrainActor = z.strictObject({
  global_batch_size: posInt().default(128), // yaml; docs/method.md, "Batch arithmetic": prompts per optimizer step (× n sequences)
  micro_batch_size_per_device_for_update: posInt().default(8), // sh (yaml 4); docs/method.md, "Batch arithmetic"
  micro_batch_size_per_device_for_experience: posInt().default(16), // sh (yaml 8); docs/method.md, "Log-probs"
  max_grad_norm: z.number().positive().default(1.0), // yaml; docs/method.md, "Total loss"
  clip_ratio_low: z.number().min(0).max(1).default(0.2), // EasyR1 ActorConfig default; docs/method.md, "PPO loss"
  clip_ratio_high: nonNeg().default(0.3), // EasyR1 ActorConfig default; docs/method.md, "PPO loss"
  clip_ratio_dual: z.number().gt(1).default(3.0), // EasyR1 ActorConfig default; docs/method.md, "PPO loss"
  // docs/method.md, "Loss aggregation": the fork's per-micro-batch token mean; `token` = EasyR1's global token mean; `seq` = seq-mean-token-mean
  loss_avg_mode: z.enum(['micro-token-mean', 'token', 'seq']).default('micro-token-mean'),
  ppo_epochs: posInt().default(1), // docs/method.md, "Batch arithmetic"
  // EasyR1 padding_free: each micro-batch is one packed row (samples back to back, attention kept
  // within each), for the update and the old/ref log-prob passes; false = left-padded batches.
  padding_free: z.boolean().default(true),
  // Prefix sharing in those passes (docs/training.md, "Shared prompts"): a packed micro-batch holds
  // each prompt once and its samples' responses read it as a shared prefix, so the prompt goes
  // through the model once instead of n times. Same log-probs and gradients up to float rounding.
  // null = on with padding_free; true needs padding_free; false = one sequence per sample.
  share_prompts: z.boolean().nullable().default(null),
  // Token budget of a micro-batch (prompt + response tokens; verl's ppo_max_token_len_per_gpu with
  // use_dynamic_bsz), on top of the micro_batch_size_* counts; null = counts only.
  micro_batch_max_tokens: posInt().nullable().default(null),
  model: ActorModel,
  optim: optimSchema({ lr: 1e-6, weight_decay: 1e-2, lr_warmup_ratio: 0, lr_scheduler_type: 'constant' }).prefault({}), // yaml; docs/method.md, "Optimizer and schedule"
});

/** Sampling overrides for validation; any key left out keeps the rollout value. */
export const ValOverride = z.strictObject({
  n: posInt().optional(),
  temperature: nonNeg().optional(),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().min(-1).optional(),
});

export const TrainRollout = z.strictObject({
  n: posInt().default(8), // sh; docs/method.md, "Rollout settings"
  temperature: nonNeg().default(1.0), // yaml; docs/method.md, "Rollout settings"
  top_p: z.number().gt(0).max(1).default(0.99), // yaml; docs/method.md, "Rollout settings"
  top_k: z.number().int().min(-1).default(-1), // EasyR1 default; docs/method.md, "Rollout settings" (-1 = off)
  seed: z.number().int().default(1), // EasyR1 default; docs/method.md, "Rollout settings": per-request seed
  max_model_len: posInt().nullable().default(8192), // sh; docs/method.md, "Prompt limits": bounds prompt + response
  logit_bias: z.record(z.string(), z.number()).default({ '<|image_pad|>': -100 }), // docs/method.md, "Rollout settings": keyed by token text
  val_override_config: ValOverride.default({ temperature: 0, n: 1 }), // yaml; docs/method.md, "Rollout settings" and "Evaluation" (greedy)
  // Rollout waves (lib/rollout/waves.ts): one engine call holds as many prompts (all n samples each) as fit this share of the
  // memory the device can still hand out (the free RAM on CPU); the reference ran vLLM at 0.6 (docs/method.md, "Rollout settings").
  gpu_memory_utilization: z.number().gt(0).max(1).default(0.6),
  kv_cache_gib: z.number().positive().nullable().default(null), // a fixed budget per wave in GiB instead of gpu_memory_utilization
  max_num_seqs: posInt().nullable().default(null), // sequences (prompts x n) decoding at once at most, like vLLM's; null = as many as fit
  // When a step's sequences do not all fit the budget: decode slots refilled with pending
  // sequences as rows stop (lib/rollout/waves.ts planContinuous) instead of consecutive waves.
  // The samples are the same either way; only the work differs.
  continuous_batching: z.boolean().default(true),
});

export const TrainRef = z.strictObject({
  dtype: Dtype.default('bf16'), // docs/method.md, "Log-probs": frozen copy of the initial checkpoint in bf16 (no gradients, so fp16 needs no loss scaling here)
  micro_batch_size_per_device_for_experience: posInt().nullable().default(null), // null = the actor's
  offload: z.boolean().default(false), // keep the reference on CPU between phases (the reference used CPU offload; docs/method.md, "Log-probs")
});

export const TrainWorker = z.strictObject({
  actor: TrainActor,
  rollout: TrainRollout.prefault({}),
  ref: TrainRef.prefault({}),
});

export const TrainTrainer = z.strictObject({
  ...trainerCommonFields({ project_name: 'vision_sr1', experiment_name: 'vision_sr1_grpo', val_freq: 5, save_freq: 15 }), // yaml: val 5, save 15
  val_before_train: z.boolean().default(true), // yaml
  val_only: z.boolean().default(false), // yaml
  val_generations_to_log: nonNegInt().default(3), // yaml: validation samples echoed to the log
  log_samples: z.number().int().min(-1).default(16), // rollout samples per step written to samples.jsonl; -1 = all
});

export const TrainConfigSchema = z
  .strictObject({
    data: TrainData,
    algorithm: TrainAlgorithm.prefault({}),
    worker: TrainWorker,
    trainer: TrainTrainer.prefault({}),
  })
  .superRefine((c, ctx) => {
    // The batch arithmetic (docs/method.md, "Batch arithmetic") must divide evenly, as EasyR1 asserts at start-up.
    const world = c.trainer.nnodes * c.trainer.n_gpus_per_node;
    const a = c.worker.actor;
    if (c.data.rollout_batch_size % a.global_batch_size !== 0) {
      ctx.addIssue({
        code: 'custom', path: ['worker', 'actor', 'global_batch_size'],
        message: `must divide data.rollout_batch_size (${c.data.rollout_batch_size}), received ${a.global_batch_size}`,
      });
    }
    if (a.share_prompts === true && !a.padding_free) {
      ctx.addIssue({ code: 'custom', path: ['worker', 'actor', 'share_prompts'], message: 'true needs worker.actor.padding_free: true (prompts are shared inside packed micro-batches)' });
    }
    const seqs = a.global_batch_size * c.worker.rollout.n;
    if (seqs % world !== 0) {
      ctx.addIssue({
        code: 'custom', path: ['worker', 'actor', 'global_batch_size'],
        message: `global_batch_size × rollout.n (${seqs}) must be divisible by the number of processes (${world})`,
      });
    } else if ((seqs / world) % a.micro_batch_size_per_device_for_update !== 0) {
      ctx.addIssue({
        code: 'custom', path: ['worker', 'actor', 'micro_batch_size_per_device_for_update'],
        message: `must divide the per-device mini-batch global_batch_size × n / processes = ${seqs / world}, received ${a.micro_batch_size_per_device_for_update}`,
      });
    }
  });

/** A validated `vsr1 train` config with every default filled in. */
export type TrainConfig = z.output<typeof TrainConfigSchema>;
/** What a YAML file may contain (defaults optional). */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** Sizes that follow from a train config (docs/method.md, "Batch arithmetic"). */
export interface BatchPlan {
  /** Processes across all nodes. */
  worldSize: number;
  /** Pass-1 sequences generated per RL step (= rollout_batch_size × n). */
  sequencesPerStep: number;
  /** Sequences per optimizer step, all processes (= global_batch_size × n). */
  sequencesPerMiniBatch: number;
  /** Optimizer steps per RL step (= rollout/global × ppo_epochs). */
  optimizerStepsPerStep: number;
  /** Sequences per process per optimizer step. */
  perDeviceMiniBatch: number;
  /** Backward passes accumulated per optimizer step on each process. */
  gradAccumSteps: number;
}

/** Derives the batch arithmetic (docs/method.md, "Batch arithmetic") from a validated config. */
export function batchPlan(c: TrainConfig): BatchPlan {
  const worldSize = c.trainer.nnodes * c.trainer.n_gpus_per_node;
  const n = c.worker.rollout.n;
  const a = c.worker.actor;
  const perDeviceMiniBatch = (a.global_batch_size * n) / worldSize;
  return {
    worldSize,
    sequencesPerStep: c.data.rollout_batch_size * n,
    sequencesPerMiniBatch: a.global_batch_size * n,
    optimizerStepsPerStep: (c.data.rollout_batch_size / a.global_batch_size) * a.ppo_epochs,
    perDeviceMiniBatch,
    gradAccumSteps: perDeviceMiniBatch / a.micro_batch_size_per_device_for_update,
  };
}
