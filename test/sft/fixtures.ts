/**
 * Shared pieces of the SFT tests: a small built-in world in a temp folder, a tiny model
 * checkpoint, and a fully defaulted SFT config pointing at them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSftConfig } from '../../lib/config/load.js';
import type { SftConfig } from '../../lib/config/sft.js';
import { synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';

const dirs: string[] = [];

/** A fresh temp folder, removed by cleanup(). */
export function tempDir(prefix = 'vsr1-sft-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Writes a small world (sft, rl, val, test splits) into `dir`. */
export async function smallWorld(dir: string, sft = 48, val = 8, seed = 5): Promise<string> {
  await synthesizeWorld({ out: dir, sizes: { sft, rl: 1, val, test: 1, 'test-shortcut': 1 }, settings: { seed } });
  return dir;
}

/** Architecture of the test model: the tiny preset, narrower so a step takes milliseconds. */
export const TEST_ARCH = { textHidden: 64, textIntermediate: 128, textLayers: 2, textHeads: 4, textKvHeads: 2, visionHidden: 48, visionIntermediate: 96, visionDepth: 2, visionHeads: 4 };

/** A tiny random checkpoint in `dir`. */
export function tinyModel(dir: string, seed = 0, arch = TEST_ARCH): string {
  return createTinyCheckpoint(dir, { seed, initStd: 0.1, arch });
}

/**
 * An SFT config over `world` (three styles) and `model`, checkpoints under `out`; `over` are
 * dotted overrides applied last.
 */
export function sftConfig(world: string, model: string, out: string, over: string[] = []): SftConfig {
  return loadSftConfig(sftInput(world, model, out), over);
}

/** The raw input of sftConfig (what a YAML file for `vsr1 sft --config` holds). */
export function sftInput(world: string, model: string, out: string): Record<string, unknown> {
  return {
    data: {
      train_files: [
        { path: join(world, 'sft.jsonl'), style: 'see-think', format: 'world' },
        { path: join(world, 'sft.jsonl'), style: 'cot', format: 'world', weight: 0.25 },
        { path: join(world, 'sft.jsonl'), style: 'caption-reasoner', format: 'world', weight: 0.5 },
      ],
      val_files: [{ path: join(world, 'val.jsonl'), style: 'see-think', format: 'world' }],
      prompt_set: 'world',
      max_length: 256,
      min_pixels: 12544,
      max_pixels: 12544,
      seed: 3,
    },
    model: { model_path: model, dtype: 'fp32', compute_dtype: 'fp32', enable_gradient_checkpointing: false, freeze_vision_tower: false, freeze_multi_modal_projector: false },
    optim: { lr: 3e-3, weight_decay: 0, lr_warmup_steps: 5 },
    trainer: {
      max_steps: 20, total_epochs: 100, micro_batch_size_per_device: 4, gradient_accumulation_steps: 2, device: 'cpu', num_threads: 1,
      logger: ['jsonl'], val_freq: -1, save_freq: -1, save_checkpoint_path: out, log_samples: 0,
    },
  };
}
