/**
 * Data-parallel GRPO over 2 ranks on loopback Gloo: the same global batch gives one process's
 * weights (unsharded, ZeRO-1 and ZeRO-2), the sharded optimizer state is split across the ranks,
 * and a checkpoint resumes on another world size to the weights of an uninterrupted run.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { grpoInput, type GrpoWorld, makeGrpoWorld } from '../helpers/grpo_world.js';
import { GRPO_RANK, maxWeightDiff, runOne, runRanks, writeJson } from './helpers.js';

let w: GrpoWorld;

/**
 * 2 prompts × 4 samples per step, one optimizer step: a rank holds 1 prompt (4 samples, one
 * micro-batch), one process holds both (two micro-batches). Pass 2 runs on every sample.
 */
function config(run: string, steps: number, sharding = 'none', sharePrompts = true): string {
  const c = grpoInput(w, join(w.root, run), steps) as { data: Record<string, unknown>; worker: { actor: Record<string, unknown> }; trainer: Record<string, unknown>; algorithm?: Record<string, unknown> };
  c.data.rollout_batch_size = 2;
  c.worker.actor.global_batch_size = 2;
  c.algorithm = { description_fallback: 'whole-response' };
  if (!sharePrompts) c.worker.actor.share_prompts = false;
  // Validation before and after (each rank evaluates its share of the val split).
  Object.assign(c.trainer, { n_gpus_per_node: 2, save_freq: 2, val_freq: 2, val_before_train: true, distributed: { sharding } });
  return writeJson(join(w.root, `${run}-${steps}.json`), c);
}

const single = (run: string, steps: number, sharePrompts = true) => {
  const r = runOne([...GRPO_RANK, config(run, steps, 'none', sharePrompts)]);
  expect(r.status, r.stderr + r.stdout).toBe(0);
};
const twoRanks = async (run: string, steps: number, sharding = 'none', sharePrompts = true) => {
  const file = config(run, steps, sharding, sharePrompts);
  const exits = await runRanks(() => [...GRPO_RANK, file], 2);
  for (const e of exits) expect(e.code, `rank ${e.rank}:\n${e.out}`).toBe(0);
};
const model = (run: string) => join(w.root, run, 'final_model');
const valMetrics = (run: string) => readFileSync(join(w.root, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>)
  .filter((m) => m['val/accuracy'] !== undefined).map((m) => [m.step, m['val/accuracy'], m['val/response_length'], m['val/format']]);
const rewards = (run: string) => readFileSync(join(w.root, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>).map((m) => m['reward/overall']);

describe('data-parallel GRPO (2 ranks, Gloo on loopback)', () => {
  beforeAll(async () => {
    w = await makeGrpoWorld('vsr1-dp-grpo-');
    single('one', 2);
  }, 120_000);

  it('2 ranks give the weights of one process on the same global batch', async () => {
    await twoRanks('two', 2);
    expect(maxWeightDiff(model('one'), model('two'))).toBeLessThan(1e-6);
    // The run trained (the comparison is not between two untouched models), with the same rewards logged.
    expect(maxWeightDiff(model('one'), w.init)).toBeGreaterThan(1e-4);
    expect(rewards('two')).toEqual(rewards('one'));
    expect(rewards('one').some((r) => r > 0)).toBe(true);
    // Sharded validation, reduced over the ranks, reports what one process measures on the whole split.
    const [v1, v2] = [valMetrics('one'), valMetrics('two')];
    expect(v1.map((v) => v[0])).toEqual([0, 2]);
    v2.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(v1[i][j], 9)));
  }, 180_000);

  it('ZeRO-1 and ZeRO-2 give the unsharded weights, each rank holding about half the optimizer state', async () => {
    await twoRanks('zero1', 2, 'optimizer');
    await twoRanks('zero2', 2, 'optimizer+grads');
    expect(maxWeightDiff(model('one'), model('zero1'))).toBeLessThan(1e-6);
    expect(maxWeightDiff(model('one'), model('zero2'))).toBeLessThan(1e-6);
    expect(rewards('zero1')).toEqual(rewards('one'));
    expect(rewards('zero2')).toEqual(rewards('one'));
    const whole = statSync(join(w.root, 'one', 'global_step_2', 'optimizer.safetensors')).size;
    for (const run of ['zero1', 'zero2']) {
      const shards = [0, 1].map((r) => statSync(join(w.root, run, 'global_step_2', `optimizer-rank${r}.safetensors`)).size);
      for (const s of shards) expect(s / whole).toBeGreaterThan(0.35);
      for (const s of shards) expect(s / whole).toBeLessThan(0.65);
    }
  }, 240_000);

  it('a checkpoint of 2 ranks resumes on 1, and one of 1 resumes on 2, to the uninterrupted weights', async () => {
    // One sequence per sample here: 4 steps across world sizes then agree to 1e-6. With shared
    // prompts a prompt is computed once per micro-batch and the masked attention's padding depends
    // on which samples share it, which moved these weights by 3e-6 (float rounding); the two tests
    // above run with shared prompts.
    single('straight', 4, false);
    await twoRanks('down', 2, 'optimizer', false);
    single('down', 4, false); // resumes global_step_2 written by the 2 ranks' shards
    single('up', 2, false);
    await twoRanks('up', 4, 'optimizer+grads', false); // resumes the single process's optimizer.safetensors, sharded
    expect(maxWeightDiff(model('straight'), model('down'))).toBeLessThan(1e-6);
    expect(maxWeightDiff(model('straight'), model('up'))).toBeLessThan(1e-6);
    expect(rewards('down')).toEqual(rewards('straight'));
  }, 300_000);
});
