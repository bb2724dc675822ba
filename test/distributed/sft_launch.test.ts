/**
 * Data-parallel SFT started the two ways a user would: `vsr1 launch --nproc-per-node 2` and
 * PyTorch's own launcher (`torchrun --no-python`, run as `python -m torch.distributed.run`
 * from the pip torch). Both give the weights of one process on the same global batch.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/distributed/launcher.js';
import { cleanup, sftInput, smallWorld, tempDir, tinyModel } from '../sft/fixtures.js';
import { CLI, maxWeightDiff, ONE_THREAD, runOne, writeJson } from './helpers.js';

let root: string, world: string, model: string;

/** 3 steps of 16 sequences: 8 per rank (micro-batch 4 × 2 accumulation), laid out for 2 processes. */
function config(run: string): string {
  const c = sftInput(world, model, join(root, run)) as { trainer: Record<string, unknown> };
  // Validation at the end: each rank validates its share of the 4 val records.
  Object.assign(c.trainer, { max_steps: 3, n_gpus_per_node: 2, save_freq: 3, val_freq: 3, val_max_new_tokens: 16 });
  return writeJson(join(root, `${run}.json`), c);
}
const weights = (run: string) => join(root, run, 'latest_model');
const val = (run: string) => readFileSync(join(root, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>)
  .filter((m) => m['val/format'] !== undefined).map((m) => [m.step, m['val/format'], m['val/accuracy'], m['val/response_length']]);

describe('data-parallel SFT launched by vsr1 launch and by torchrun', () => {
  beforeAll(async () => {
    root = tempDir('vsr1-dp-sft-');
    world = await smallWorld(join(root, 'world'), 40, 4);
    model = tinyModel(join(root, 'model'));
    const r = runOne([...CLI, 'sft', '--config', config('one')]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
  }, 120_000);
  afterAll(cleanup);

  it('vsr1 launch --nproc-per-node 2 gives the one-process weights', () => {
    const r = runOne([...CLI, 'launch', '--nproc-per-node', '2', '--', 'sft', '--config', config('launch')]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/\[rank 1\] distributed: rank 1 of 2/);
    expect(maxWeightDiff(weights('one'), weights('launch'))).toBeLessThan(1e-6);
    expect(maxWeightDiff(weights('one'), model)).toBeGreaterThan(1e-3);
    expect(val('launch')).toEqual(val('one'));
    expect(val('one').length).toBe(1);
  }, 180_000);

  it('torchrun --no-python starts the same run', async () => {
    const port = await freePort('127.0.0.1');
    const r = spawnSync('python3', ['-m', 'torch.distributed.run', '--nproc-per-node', '2', '--master-addr', '127.0.0.1', '--master-port', String(port), '--no-python', process.execPath, ...CLI, 'sft', '--config', config('torchrun')], {
      encoding: 'utf8', timeout: 180_000, env: ONE_THREAD,
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/launcher agent/);
    expect(maxWeightDiff(weights('one'), weights('torchrun'))).toBeLessThan(1e-6);
  }, 180_000);
});
