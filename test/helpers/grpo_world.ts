/**
 * A tiny GRPO world for trainer tests: a small synthetic world and a random tiny checkpoint in a
 * temp folder, and a fully defaulted train config over them (as test/train/grpo_trainer.test.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTrainConfig, type TrainConfig } from '../../lib/config/index.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';

export interface GrpoWorld {
  root: string;
  world: string;
  init: string;
}

/** Writes the world (60 items over the splits) and the tiny checkpoint under a fresh temp folder. */
export async function makeGrpoWorld(prefix = 'vsr1-grpo-'): Promise<GrpoWorld> {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const world = path.join(root, 'world'), init = path.join(root, 'init');
  await synthesizeWorld({ out: world, sizes: splitSizes(60), settings: { seed: 3, prior: 0.8 } });
  createTinyCheckpoint(init, { seed: 0 });
  return { root, world, init };
}

/** The base input of grpoConfig: 2 prompts × 4 samples per step, fp32 on CPU, no validation. */
export function grpoInput(w: GrpoWorld, runDir: string, maxSteps: number): Record<string, unknown> {
  return {
    data: {
      train_files: path.join(w.world, 'rl.jsonl'), val_files: path.join(w.world, 'val.jsonl'), format_prompt: 'world_see_think',
      max_response_length: 24, rollout_batch_size: 2, min_pixels: 12544, max_pixels: 12544,
    },
    worker: {
      actor: { global_batch_size: 1, micro_batch_size_per_device_for_update: 4, micro_batch_size_per_device_for_experience: 8,
        model: { model_path: w.init, dtype: 'fp32', compute_dtype: 'fp32' }, optim: { lr: 1e-3 } },
      rollout: { n: 4 }, ref: { dtype: 'fp32' },
    },
    trainer: { max_steps: maxSteps, device: 'cpu', save_checkpoint_path: runDir, logger: ['jsonl'], val_freq: -1, val_before_train: false, save_freq: 2 },
  };
}

/** grpoInput validated, with dotted overrides applied last. */
export function grpoConfig(w: GrpoWorld, runDir: string, maxSteps: number, overrides: string[] = []): TrainConfig {
  return loadTrainConfig(grpoInput(w, runDir, maxSteps), overrides);
}
