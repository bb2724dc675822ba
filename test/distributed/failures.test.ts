/**
 * A data-parallel run ends, it does not hang: a rank killed with SIGKILL mid-run makes the other
 * exit non-zero within 60 s with a message naming the rank and what failed, and the checkpoints
 * already written stay complete; ranks started with different configs stop at start-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findLatestCheckpoint } from '../../lib/checkpoint/index.js';
import { grpoInput, type GrpoWorld, makeGrpoWorld } from '../helpers/grpo_world.js';
import { GRPO_RANK, runRanks, writeJson } from './helpers.js';

let w: GrpoWorld;

function config(run: string, over: (c: Record<string, any>) => void = () => {}): string {
  const c = grpoInput(w, join(w.root, run), 60) as Record<string, any>;
  c.data.rollout_batch_size = 2;
  c.worker.actor.global_batch_size = 2;
  Object.assign(c.trainer, { n_gpus_per_node: 2, save_freq: 2, distributed: { heartbeat_timeout_s: 20 } });
  over(c);
  return writeJson(join(w.root, `${run}.json`), c);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts 2 ranks, kills `victim` once checkpoint 2 exists; returns both exits and the kill time. */
async function killMidRun(run: string, victim: number) {
  const file = config(run);
  const pids: number[] = [];
  let killedAt = 0;
  const exits = runRanks(() => [...GRPO_RANK, file], 2, 150_000, (rank, pid) => { pids[rank] = pid; });
  // Bounded wait for the first checkpoint (at most 120 s), then SIGKILL mid-run.
  for (let i = 0; i < 600 && !existsSync(join(w.root, run, 'global_step_2')); i++) await sleep(200);
  expect(existsSync(join(w.root, run, 'global_step_2'))).toBe(true);
  await sleep(300);
  process.kill(pids[victim], 'SIGKILL');
  killedAt = Date.now();
  return { exits: await exits, killedAt };
}

describe('failures in a 2-rank run', () => {
  beforeAll(async () => { w = await makeGrpoWorld('vsr1-dp-fail-'); }, 120_000);

  for (const victim of [1, 0]) {
    it(`SIGKILL of rank ${victim} ends the other rank within 60 s; checkpoints stay loadable`, async () => {
      const run = `kill${victim}`;
      const { exits, killedAt } = await killMidRun(run, victim);
      const dead = exits[victim], other = exits[1 - victim];
      expect(dead.signal).toBe('SIGKILL');
      expect(other.code, other.out).not.toBe(0);
      expect(other.signal, other.out).toBeNull();
      expect((other.endedAt - killedAt) / 1000).toBeLessThan(60);
      // The survivor names itself and what failed: a collective, or the silent/unreachable rank.
      expect(other.out).toMatch(new RegExp(`rank ${1 - victim}: (.*(all-reduce|all-gather|broadcast|barrier|reduce-scatter).*failed|.*the rendezvous store on rank 0)|rank ${victim} has sent no heartbeat`));
      const ck = findLatestCheckpoint(join(w.root, run));
      expect(ck?.step).toBeGreaterThanOrEqual(2);
      expect(existsSync(join(ck!.dir, 'model', 'model.safetensors'))).toBe(true);
      expect(JSON.parse(readFileSync(join(ck!.dir, 'trainer_state.json'), 'utf8')).step).toBe(ck!.step);
    }, 180_000);
  }

  it('ranks started with different configs stop at start-up, naming the differing rank', async () => {
    const a = config('mismatch');
    const b = config('mismatch-b', (c) => { c.worker.actor.optim.lr = 2e-3; c.trainer.save_checkpoint_path = join(w.root, 'mismatch'); });
    const exits = await runRanks((r) => [...GRPO_RANK, r === 0 ? a : b], 2, 120_000);
    for (const e of exits) expect(e.code, e.out).not.toBe(0);
    expect(exits.map((e) => e.out).join('\n')).toMatch(/config hash differs between ranks: rank\(s\) 1/);
  }, 150_000);
});
