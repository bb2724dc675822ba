/**
 * Schema pieces shared by the RL (`vsr1 train`) and SFT (`vsr1 sft`) configs.
 * Every object is strict so that a misspelt key is an error, never a silently ignored setting.
 */
import { z } from 'zod';

/** Where metrics go. `console` prints a line per step; the other two write files under the run dir. */
export const LoggerName = z.enum(['console', 'jsonl', 'tensorboard']);
export type LoggerName = z.infer<typeof LoggerName>;

/** Floating-point formats used for weights and compute. */
export const Dtype = z.enum(['fp32', 'bf16', 'fp16']);
export type Dtype = z.infer<typeof Dtype>;

/**
 * The dtype of trained weights or of the training compute. fp16 is refused: its narrow exponent
 * range underflows small gradients unless the loss is scaled (dynamic loss scaling), which the
 * trainers do not implement; bf16 has fp32's range and needs none.
 */
export const TrainDtype = Dtype.refine((v) => v !== 'fp16', {
  message: 'fp16 is not supported for training: it needs loss scaling, which is not implemented; use bf16 (mixed precision with fp32 masters) or fp32',
});

/** `auto` = CUDA when the addon sees a GPU, else CPU. */
export const DeviceName = z.enum(['auto', 'cpu', 'cuda']);
export type DeviceName = z.infer<typeof DeviceName>;

export const LrSchedulerType = z.enum(['constant', 'cosine', 'linear']);
export type LrSchedulerType = z.infer<typeof LrSchedulerType>;

export const posInt = () => z.number().int().positive();
export const nonNegInt = () => z.number().int().nonnegative();
/** -1 disables (EasyR1 convention for save_freq, val_freq, save_limit). */
export const freq = () => z.number().int().min(-1);
export const nonNeg = () => z.number().nonnegative();

/** One dataset spec or several: a file, a folder of parquet shards, or `folder@split`. */
export const Files = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type Files = z.infer<typeof Files>;

/** Defaults that differ between RL and SFT optimisers. */
export interface OptimDefaults {
  lr: number;
  weight_decay: number;
  lr_warmup_ratio: number;
  lr_scheduler_type: LrSchedulerType;
}

/**
 * AdamW settings, EasyR1 `worker.actor.optim` names. The defaults passed in carry the source
 * comment at the call site; betas and eps are torch.optim.AdamW's defaults in both recipes.
 */
export function optimSchema(d: OptimDefaults) {
  return z.strictObject({
    strategy: z.enum(['adamw']).default('adamw'), // docs/method.md, "Optimizer and schedule": torch.optim.AdamW (fused)
    lr: z.number().positive().default(d.lr),
    betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.999]), // AdamW default (docs/method.md, "Optimizer and schedule")
    eps: z.number().positive().default(1e-8), // AdamW default (docs/method.md, "Optimizer and schedule")
    weight_decay: nonNeg().default(d.weight_decay),
    lr_warmup_ratio: z.number().min(0).max(1).default(d.lr_warmup_ratio),
    lr_warmup_steps: nonNegInt().nullable().default(null), // overrides lr_warmup_ratio when set (EasyR1)
    min_lr_ratio: z.number().min(0).max(1).nullable().default(null), // floor of cosine/linear decay; null = 0
    lr_scheduler_type: LrSchedulerType.default(d.lr_scheduler_type),
  });
}

/** Model location and precision knobs common to both trainers. */
export const modelPathFields = {
  model_path: z.string().min(1), // required: a Hugging Face layout folder (config.json, safetensors, tokenizer)
  tokenizer_path: z.string().min(1).nullable().default(null), // null = model_path
  // docs/method.md, "Optimizer and schedule" (RL); LLaMA-Factory default for SFT. Decoder layers and vision blocks keep only their
  // inputs in the forward pass and recompute the rest in backward (memory for one more forward).
  enable_gradient_checkpointing: z.boolean().default(true),
};

/** trainer.distributed: how the ranks of a data-parallel run talk (docs/distributed.md). */
export const DistributedSchema = z.strictObject({
  backend: z.enum(['auto', 'gloo', 'nccl']).default('auto'), // auto: nccl on CUDA devices, gloo on the CPU
  // none: every rank holds the whole AdamW state; optimizer: ZeRO-1 (moments and fp32 masters split
  // across ranks); optimizer+grads: ZeRO-2 (gradients also reduce-scattered to their owner).
  sharding: z.enum(['none', 'optimizer', 'optimizer+grads']).default('none'),
  timeout_s: z.number().positive().default(1800), // a collective or the store waiting longer ends the run
  heartbeat_timeout_s: z.number().min(0).default(60), // a rank silent this long ends the others; 0 = off
  bucket_mb: z.number().positive().default(25), // gradients are reduced in flat buckets of about this size
});

/** Fields of `trainer` shared by both configs (EasyR1 TrainerConfig names). */
export function trainerCommonFields(d: { project_name: string; experiment_name: string; val_freq: number; save_freq: number }) {
  return {
    total_epochs: posInt().default(1),
    max_steps: posInt().nullable().default(null), // null = run all epochs
    project_name: z.string().min(1).default(d.project_name),
    experiment_name: z.string().min(1).default(d.experiment_name),
    logger: z.array(LoggerName).default(['console', 'jsonl', 'tensorboard']),
    // Data-parallel processes the batch arithmetic is laid out for (the reference ran 1 x 8): it sets
    // the per-device batches (and SFT's effective batch). Launched as that many processes (`vsr1
    // launch`, torchrun; WORLD_SIZE must equal nnodes x n_gpus_per_node) each rank runs its share;
    // run as one process, the micro-batches of every rank run one after another, the same update.
    nnodes: posInt().default(1),
    n_gpus_per_node: posInt().default(1),
    distributed: DistributedSchema.prefault({}), // docs/distributed.md; read only when launched with WORLD_SIZE > 1
    device: DeviceName.default('auto'),
    val_freq: freq().default(d.val_freq),
    val_before_train: z.boolean().default(false),
    save_freq: freq().default(d.save_freq),
    save_limit: freq().default(-1), // keep-last-K checkpoints; -1 keeps all (EasyR1 default)
    save_checkpoint_path: z.string().min(1).nullable().default(null), // null = checkpoints/<project>/<experiment>
    load_checkpoint_path: z.string().min(1).nullable().default(null), // a checkpoint dir to start from
    resume: z.boolean().default(true), // resume from the latest complete checkpoint in save_checkpoint_path
  };
}

/**
 * Keys that exist elsewhere but not at this place, with the reason, shown instead of a nearest
 * key. Keyed by the dotted path with list positions as `[]`.
 */
export const KEY_REASONS: Record<string, string> = {
  'data.val_files[].weight': 'validation files have no mixing weight (every row is evaluated once); remove it',
};

/**
 * Renamed or commonly confused keys, tried before edit distance when suggesting a fix.
 * Keyed by the wrong leaf name; each candidate is a path relative to the same parent, or an
 * absolute path starting with '/'. The first candidate that exists in the schema wins.
 */
export const KEY_HINTS: Record<string, string[]> = {
  kl_type: ['kl_penalty'], // EasyR1: kl_penalty is the estimator; kl_type is its (fixed/adaptive) controller
  kl_loss_type: ['kl_penalty'],
  lr_scheduler: ['lr_scheduler_type'],
  warmup_ratio: ['lr_warmup_ratio'],
  learning_rate: ['lr', '/optim.lr', '/worker.actor.optim.lr'],
  num_train_epochs: ['total_epochs', '/trainer.total_epochs'],
  total_episodes: ['total_epochs'],
  per_device_train_batch_size: ['/trainer.micro_batch_size_per_device'],
  cutoff_len: ['/data.max_length'],
  freeze_vision_tower: ['/worker.actor.model.freeze_vision_tower', '/model.freeze_vision_tower'],
  model_name_or_path: ['model_path', '/model.model_path', '/worker.actor.model.model_path'],
};
