/**
 * Config of `vsr1 sft` (cold-start supervised fine-tuning, docs/method.md, "Cold-start SFT"). The reference is
 * LLaMA-Factory's examples/train_full/Vision-SR1-Cold-Start.yaml ("lf" below); section names
 * match the RL config (data, model, optim, trainer) and key names match it where the concept is
 * shared, with the LLaMA-Factory name in the comment otherwise.
 */
import { FAMILY_NAMES } from './world_families.js';
import { z } from 'zod';
import { Files, TrainDtype, optimSchema, posInt, modelPathFields, trainerCommonFields } from './common.js';

/** The three response styles of Vision-SR1-Cold-9K (docs/method.md, "Cold-start data"). */
export const SftStyle = z.enum(['see-think', 'cot', 'caption-reasoner']);
export type SftStyle = z.infer<typeof SftStyle>;

/** One SFT source: a file or folder whose rows all use one response style. */
export const SftSource = z.strictObject({
  path: Files,
  style: SftStyle,
  // Row layout (docs/method.md, "Cold-start data"): LLaMA-Factory sharegpt (messages + images), alpaca (instruction/input/output),
  // plain columns named by data.prompt_key / response_key / image_key, or rows of the built-in
  // world (problem, answer, images, description, think; the style's response is built from them).
  format: z.enum(['sharegpt', 'alpaca', 'columns', 'world']).default('sharegpt'),
  max_samples: posInt().nullable().default(100000), // lf max_samples (per dataset)
  weight: z.number().positive().default(1.0), // sampling weight in the mix; 1.0 = each row once per epoch
});
export type SftSource = z.infer<typeof SftSource>;

/** A validation source: every row is evaluated once, so there is no mixing weight. */
export const SftValSource = SftSource.omit({ weight: true });

export const SftData = z.strictObject({
  // lf: vision_see_think, vision_reasoner, caption_reasoners(text) = see-think, cot, caption-reasoner
  train_files: z.array(SftSource).min(1),
  val_files: z.array(SftValSource).default([]),
  prompt_key: z.string().min(1).default('problem'), // format: columns; same names as the RL data
  answer_key: z.string().min(1).default('answer'),
  response_key: z.string().min(1).default('response'), // target text column (format: columns)
  image_key: z.string().min(1).default('images'),
  max_length: posInt().default(4092), // lf cutoff_len: prompt + response tokens
  min_pixels: posInt().default(1024), // lf image_min_pixels default (32²)
  max_pixels: posInt().default(262144), // lf image_max_pixels (512²)
  // Images with more pixels are refused at load and skipped at first use: PIL's decompression-bomb threshold,
  // DEFAULT_IMAGE_PIXEL_LIMIT of lib/data/image_limit.ts (config sits below data, so the number is repeated; a test holds them equal).
  image_pixel_limit: posInt().default(178_956_970),
  shuffle: z.boolean().default(true), // HF Trainer default
  seed: z.number().int().default(42), // HF TrainingArguments default seed
  drop_last: z.boolean().default(false), // HF Trainer dataloader_drop_last default
  // Wording that wraps problems of `columns`/`world` rows: the method's byte-exact prompts (docs/method.md, "Pass-1 prompt" and "Pass-2 prompt")
  // or the built-in world's shorter ones of the same structure (lib/prompts/world.ts).
  prompt_set: z.enum(['method', 'world']).default('method'),
  // Built-in world: generate it into `dir` when dir/manifest.json is missing (vsr1 data synth).
  world: z.strictObject({
    dir: z.string().min(1),
    size: posInt().default(5000), // items over all splits (sft gets 25%)
    seed: z.number().int().min(0).default(0),
    prior: z.number().min(0).max(1).nullable().default(0.8),
    // What the world asks and draws (docs/world.md): question families (default all), objects per scene, object size factor.
    families: z.array(z.enum(FAMILY_NAMES)).min(1).nullable().default(null),
    max_objects: z.number().int().min(2).max(4).default(4),
    object_scale: z.number().min(0.5).max(2).default(1),
  }).nullable().default(null),
});

export const SftModel = z.strictObject({
  ...modelPathFields, // lf: Qwen/Qwen2.5-VL-7B-Instruct
  dtype: TrainDtype.default('fp32'), // master weights (DeepSpeed keeps fp32 master copies)
  compute_dtype: TrainDtype.default('bf16'), // lf bf16: true
  freeze_vision_tower: z.boolean().default(true), // lf; docs/method.md, "Cold-start SFT"
  freeze_multi_modal_projector: z.boolean().default(true), // lf; docs/method.md, "Cold-start SFT" (the visual.merger)
  freeze_language_model: z.boolean().default(false), // lf
  // Create a randomly initialised model at model_path when the folder is missing (built-in world).
  init: z.strictObject({
    preset: z.enum(['tiny-world']),
    seed: z.number().int().min(0).default(0),
    std: z.number().positive().nullable().default(null), // init std; null = the preset's (tiny-world: 0.1)
    // The tiny preset's vision tower (lib/world/presets.ts): blocks, width and MLP width (default 2, 96, 192).
    vision_depth: z.number().int().min(1).max(8).default(2),
    vision_hidden: z.number().int().min(16).max(512).multipleOf(8).default(96),
    vision_intermediate: z.number().int().min(16).max(2048).default(192),
  }).nullable().default(null),
});

export const SftTrainer = z.strictObject({
  ...trainerCommonFields({ project_name: 'vision_sr1', experiment_name: 'cold_start_sft', val_freq: -1, save_freq: 500 }), // lf: eval off, save_steps 500
  total_epochs: posInt().default(3), // lf num_train_epochs 3
  micro_batch_size_per_device: posInt().default(8), // lf per_device_train_batch_size
  // Micro-batches as packed rows without padding (attention kept within each sample); false =
  // left-padded batches. lf's neat_packing also keeps samples apart, but packs to a fixed length.
  padding_free: z.boolean().default(true),
  micro_batch_max_tokens: posInt().nullable().default(null), // token budget per micro-batch (prompt + response), on top of the count; null = count only
  gradient_accumulation_steps: posInt().default(2), // lf
  max_grad_norm: z.number().positive().default(1.0), // HF TrainingArguments default
  loss_on_prompt: z.boolean().default(false), // lf train_on_prompt=false: CE on assistant tokens only (docs/method.md, "Cold-start SFT"); true adds the prompt tokens but image pads (lib/train/sft/prompt_loss.ts)
  val_batch_size: posInt().default(8),
  val_max_new_tokens: posInt().default(2048), // greedy validation generation budget (docs/method.md, "Rollout settings": max_response_length)
  log_freq: posInt().default(10), // console summary line every N steps (metrics files get every step)
  log_samples: z.number().int().min(0).default(4), // validation generations written to samples.jsonl per validation
  num_threads: posInt().nullable().default(null), // libtorch CPU threads; null = libtorch's default
});

export const SftConfigSchema = z.strictObject({
  data: SftData,
  model: SftModel,
  optim: optimSchema({ lr: 1e-5, weight_decay: 0.0, lr_warmup_ratio: 0.1, lr_scheduler_type: 'cosine' }).prefault({}), // lf lr 1e-5, cosine, warmup 0.1; wd = HF default 0
  trainer: SftTrainer.prefault({}),
});

/** A validated `vsr1 sft` config with every default filled in. */
export type SftConfig = z.output<typeof SftConfigSchema>;
/** What a YAML file may contain (defaults optional). */
export type SftConfigInput = z.input<typeof SftConfigSchema>;

/** Sequences per optimizer step across all processes (lf: 8 × 2 × GPUs = 128 on 8 GPUs). */
export function sftEffectiveBatch(c: SftConfig): number {
  return c.trainer.micro_batch_size_per_device * c.trainer.gradient_accumulation_steps * c.trainer.nnodes * c.trainer.n_gpus_per_node;
}
