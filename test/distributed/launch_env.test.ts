/**
 * The launch environment (RANK, WORLD_SIZE, ... as torchrun sets them), the split of batches and
 * parameters across ranks, and the launcher's handling of a rank that fails.
 */
import { describe, expect, it } from 'vitest';
import { readLaunchEnv } from '../../lib/distributed/launch_env.js';
import { launch } from '../../lib/distributed/launcher.js';
import { partitionParameters, shardRange } from '../../lib/distributed/shard.js';
import { rankShare } from '../../lib/train/data_parallel.js';

const base = { RANK: '1', WORLD_SIZE: '2', LOCAL_RANK: '1', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '29500' };

describe('readLaunchEnv', () => {
  it('is null for a plain process and reads a launch', () => {
    expect(readLaunchEnv({})).toBeNull();
    expect(readLaunchEnv({ WORLD_SIZE: '1' })).toBeNull();
    expect(readLaunchEnv(base)).toMatchObject({ rank: 1, worldSize: 2, localRank: 1, localWorldSize: 2, masterAddr: '127.0.0.1', masterPort: 29500, agentStore: false, storePrefix: 'vsr1/attempt_0' });
  });
  it("joins torchrun's agent store with the attempt's keys", () => {
    expect(readLaunchEnv({ ...base, TORCHELASTIC_USE_AGENT_STORE: 'True', TORCHELASTIC_RESTART_COUNT: '2' })).toMatchObject({ agentStore: true, storePrefix: 'vsr1/attempt_2' });
  });
  it('names a broken variable', () => {
    expect(() => readLaunchEnv({ ...base, RANK: 'x' })).toThrow(/RANK must be an integer >= 0, got 'x'/);
    expect(() => readLaunchEnv({ ...base, RANK: '2' })).toThrow(/RANK 2 is not below WORLD_SIZE 2/);
    expect(() => readLaunchEnv({ ...base, MASTER_ADDR: '' })).toThrow(/MASTER_ADDR is not set/);
    expect(() => readLaunchEnv({ ...base, MASTER_PORT: '70000' })).toThrow(/MASTER_PORT 70000 is not a TCP port/);
    expect(() => readLaunchEnv({ RANK: '0' })).toThrow(/WORLD_SIZE must be an integer >= 1, got nothing/);
  });
});

describe('sharding', () => {
  it('splits a batch into equal contiguous slices, or says why not', () => {
    expect(shardRange(8, 1, 2, 'prompts')).toEqual([4, 8]);
    expect(() => shardRange(3, 0, 2, 'the prompts of a step')).toThrow(/the prompts of a step \(3\) must be divisible by the world size 2/);
    expect([0, 1, 2].map((r) => rankShare([1, 2, 3, 4, 5], r, 3))).toEqual([[1, 2], [3, 4], [5]]);
  });
  it('gives each rank about an equal share of the parameter elements, in order', () => {
    const owners = partitionParameters([10, 10, 10, 10], 2);
    expect(owners).toEqual([0, 0, 1, 1]);
    const big = partitionParameters([100, 1, 1, 1, 100, 1], 2);
    expect(big).toEqual([0, 0, 0, 1, 1, 1]); // 102 and 102 elements
    expect(partitionParameters([5], 3)).toEqual([1]);
  });
});

describe('launch', () => {
  it('stops the other ranks when one fails and returns its exit code', async () => {
    const t0 = Date.now();
    const lines: string[] = [];
    // Rank 1 exits with 7 at once; rank 0 would sleep 60 s if the launcher did not stop it.
    const code = await launch({
      nprocPerNode: 2, args: ['-e', 'if (process.env.RANK === "1") process.exit(7); setTimeout(() => {}, 60000)'], graceS: 1,
      command: { file: process.execPath, args: [] }, log: (l) => lines.push(l),
    });
    expect(code).toBe(7);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(lines.join('\n')).toMatch(/rank 1 exited with code 7; stopping the other ranks/);
  }, 30_000);
  it('refuses a bad rank count or a missing command', async () => {
    await expect(launch({ nprocPerNode: 0, args: ['x'] })).rejects.toThrow(/--nproc-per-node must be an integer >= 1/);
    await expect(launch({ nprocPerNode: 2, args: [] })).rejects.toThrow(/give the command each rank runs after --/);
  });
});
