/**
 * The config is a contract: every key of the SFT and GRPO schemas is read by its trainer. Tiny
 * 1-step jobs run with a read-recording view of the validated config (test/helpers/config_reads.ts)
 * and the test lists every schema key that was never read. Modes that read more keys are run too
 * (GRPO with the multi-reward preset, validation on, the default checkpoint folder from
 * project/experiment names, a built-in world and model init for SFT), so the allow-lists below
 * hold only keys that have nothing to read, each with its reason.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSftConfig, loadTrainConfig } from '../../lib/config/load.js';
import { SftConfigSchema } from '../../lib/config/sft.js';
import { TrainConfigSchema } from '../../lib/config/train.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { runSft } from '../../lib/train/sft/sft.js';
import { recordReads, schemaLeaves, unreadLeaves } from '../helpers/config_reads.js';
import { grpoInput, makeGrpoWorld, type GrpoWorld } from '../helpers/grpo_world.js';
import { cleanup, tempDir } from '../sft/fixtures.js';

/** Read only by a data-parallel launch (WORLD_SIZE > 1); test/distributed/ runs those. */
const DISTRIBUTED_ONLY = Object.fromEntries(['backend', 'sharding', 'timeout_s', 'heartbeat_timeout_s', 'bucket_mb'].map((k) => [
  `trainer.distributed.${k}`, 'read when a launch sets WORLD_SIZE > 1 (test/distributed/ runs 2 ranks); these 1-process jobs start no process group',
]));
/** GRPO keys with nothing to read, and why. */
const GRPO_UNREAD: Record<string, string> = {
  'algorithm.adv_estimator': 'single-value enum (grpo): the schema admits only the estimator that runs',
  'worker.actor.optim.strategy': 'single-value enum (adamw): the schema admits only the optimizer that runs',
  ...DISTRIBUTED_ONLY,
};
/** SFT keys with nothing to read, and why. */
const SFT_UNREAD: Record<string, string> = {
  'optim.strategy': 'single-value enum (adamw): the schema admits only the optimizer that runs',
  ...DISTRIBUTED_ONLY,
};
let w: GrpoWorld;
beforeAll(async () => { w = await makeGrpoWorld('vsr1-keys-'); }, 120_000);
afterAll(cleanup);

const unreadReport = (unread: string[], allowed: Record<string, string>) => unread.filter((k) => !(k in allowed));

/**
 * Runs `fn` in a fresh working directory: with trainer.save_checkpoint_path null the trainers
 * write to checkpoints/<project>/<experiment> under it, the mode in which those two names are read.
 */
async function inTempCwd<T>(fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(tempDir('vsr1-keys-cwd-'));
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

describe('every config key is read by its trainer', () => {
  it('GRPO (vision-sr1 and multi-reward presets, with validation)', async () => {
    const reads = new Set<string>();
    const leaves = new Set<string>();
    for (const preset of ['vision-sr1', 'multi-reward']) {
      const out = tempDir('vsr1-keys-grpo-'); // absolute: only the checkpoints go under the temp cwd
      const cfg = loadTrainConfig(grpoInput(w, join(out, 'unused'), 1), [
        `algorithm.preset=${preset}`, 'trainer.save_checkpoint_path=null', 'trainer.project_name=keys', 'trainer.experiment_name=grpo',
        'trainer.val_freq=1', 'trainer.val_generations_to_log=1',
      ]);
      const rec = recordReads(cfg);
      const r = await inTempCwd(() => runGrpo(rec.config, { log: () => {} }));
      expect(r.runDir).toBe(join('checkpoints', 'keys', 'grpo'));
      rec.reads.forEach((r) => reads.add(r));
      schemaLeaves(TrainConfigSchema, cfg).forEach((l) => leaves.add(l));
    }
    const unread = unreadLeaves([...leaves], reads);
    expect(unreadReport(unread, GRPO_UNREAD), 'GRPO config keys no code read').toEqual([]);
    // The allow-list stays honest: a key in it that is now read must leave it.
    expect(Object.keys(GRPO_UNREAD).filter((k) => !unread.includes(k)), 'allow-listed but read').toEqual([]);
  }, 300_000);

  it('SFT (built-in world and model init, validation, default checkpoint folder)', async () => {
    const out = tempDir('vsr1-keys-sft-');
    const data = join(out, 'world');
    const cfg = loadSftConfig({
      data: {
        world: { dir: data, size: 60, seed: 2, prior: 0.8 },
        train_files: [
          { path: join(data, 'sft.jsonl'), style: 'see-think', format: 'world', max_samples: 8 },
          { path: join(data, 'sft.jsonl'), style: 'caption-reasoner', format: 'world', weight: 0.5 },
        ],
        val_files: [{ path: join(data, 'val.jsonl'), style: 'see-think', format: 'world', max_samples: 2 }],
        prompt_set: 'world', max_length: 256, min_pixels: 12544, max_pixels: 12544,
      },
      model: { model_path: join(out, 'init'), init: { preset: 'tiny-world', seed: 0 }, dtype: 'fp32', compute_dtype: 'fp32', enable_gradient_checkpointing: false, freeze_vision_tower: false },
      trainer: {
        max_steps: 1, micro_batch_size_per_device: 2, gradient_accumulation_steps: 2, device: 'cpu', num_threads: 1, logger: ['jsonl'],
        project_name: 'keys', experiment_name: 'sft', val_freq: 1, val_max_new_tokens: 4, val_batch_size: 2, log_samples: 1, save_freq: -1, loss_on_prompt: true,
      },
    });
    const rec = recordReads(cfg);
    const r = await inTempCwd(() => runSft(rec.config, { log: () => {}, quietProgress: true }));
    expect(r.checkpointDir).toMatch(/^checkpoints[/\\]keys[/\\]sft[/\\]global_step_1$/);
    const unread = unreadLeaves(schemaLeaves(SftConfigSchema, cfg), rec.reads);
    expect(unreadReport(unread, SFT_UNREAD), 'SFT config keys no code read').toEqual([]);
    expect(Object.keys(SFT_UNREAD).filter((k) => !unread.includes(k)), 'allow-listed but read').toEqual([]);
  }, 300_000);
});
