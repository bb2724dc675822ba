/**
 * The paper's recipe starts: configs/train_vision_sr1.yaml (the released 7B GRPO recipe), with
 * only the model, the data and the batch sizes swapped for tiny ones by CLI-style overrides (and
 * CPU-friendly precision), runs one GRPO step: format prompt, reward preset, KL, the 8-process
 * batch arithmetic, validation before and after, and the checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchPlan, loadTrainConfig } from '../../lib/config/index.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { makeGrpoWorld, type GrpoWorld } from '../helpers/grpo_world.js';

let w: GrpoWorld;
beforeAll(async () => { w = await makeGrpoWorld('vsr1-recipe-'); }, 120_000);

describe('configs/train_vision_sr1.yaml', () => {
  it('runs one GRPO step on CPU with a tiny model and dataset swapped in by overrides only', async () => {
    const run = path.join(w.root, 'run');
    const cfg = loadTrainConfig('configs/train_vision_sr1.yaml', [
      `data.train_files=${path.join(w.world, 'rl.jsonl')}`, `data.val_files=${path.join(w.world, 'val.jsonl')}`,
      'data.rollout_batch_size=2', 'data.max_response_length=16', 'data.min_pixels=12544', 'data.max_pixels=12544',
      // 2 prompts × 4 samples over the recipe's 8 processes: 1 sequence each, micro-batches of 1.
      'worker.rollout.n=4', 'worker.actor.global_batch_size=2', 'worker.actor.micro_batch_size_per_device_for_update=1',
      `worker.actor.model.model_path=${w.init}`, 'worker.actor.model.compute_dtype=fp32', 'worker.ref.dtype=fp32',
      'trainer.device=cpu', `trainer.save_checkpoint_path=${run}`, 'trainer.max_steps=1', 'trainer.logger=[jsonl]',
    ]);
    // What the recipe itself sets stays: the method's prompt, reward, KL and sampling.
    expect(cfg.data.format_prompt).toBe('see_think');
    expect(cfg.algorithm).toMatchObject({ preset: 'vision-sr1', kl_penalty: 'low_var_kl', kl_coef: 0.01, description_fallback: 'whole-response' });
    expect(cfg.worker.rollout).toMatchObject({ temperature: 1, top_p: 0.99, max_model_len: 8192, val_override_config: { temperature: 0, n: 1 } });
    expect(batchPlan(cfg)).toMatchObject({ worldSize: 8, perDeviceMiniBatch: 1, gradAccumSteps: 1, optimizerStepsPerStep: 1 });
    const lines: string[] = [];
    const r = await runGrpo(cfg, { log: (l) => { lines.push(l); } });
    expect(r.steps).toBe(1);
    expect(r.valBefore).not.toBeNull(); // trainer.val_before_train: true in the recipe
    expect(r.valAfter).not.toBeNull(); // the last step validates
    expect(r.valBefore!.descriptionAccuracy).not.toBeNull(); // see-think: pass 2 runs in validation
    expect(lines.filter((l) => l.startsWith('val generation '))).toHaveLength(2 * 3); // val_generations_to_log: 3, twice
    const rows = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const step = rows.find((x) => x.step === 1 && 'reward/overall' in x)!;
    for (const k of ['reward/overall', 'reward/accuracy', 'reward/format', 'reward/description_accuracy', 'actor/kl_loss', 'actor/grad_norm']) expect(Number.isFinite(step[k]), k).toBe(true);
    expect(existsSync(path.join(run, 'global_step_1', 'model', 'model.safetensors'))).toBe(true);
  }, 300_000);
});
