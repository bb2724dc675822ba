/**
 * One run per run folder: a second SFT or GRPO run on a folder that a live run holds is refused
 * before it touches the folder (it used to delete the first run's in-progress checkpoint), a
 * lock left by a killed run is taken over with a notice, and a finished run leaves no lock.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, RunLock } from '../../lib/checkpoint/index.js';
import { loadSftConfig, loadTrainConfig } from '../../lib/config/index.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { runSft } from '../../lib/train/sft/sft.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'vsr1-lock-'));
/** The PID of a process that has exited (so it is dead, and not ours). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('run folder lock', () => {
  it('refuses a second holder, names the first, and frees the folder on release', () => {
    const root = path.join(tmp(), 'run');
    const lock = RunLock.acquire(root);
    expect(() => RunLock.acquire(root)).toThrow(new RegExp(`run folder .* is in use by pid ${process.pid} on ${hostname()}`));
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(path.join(root, LOCK_FILE))).toBe(false);
    RunLock.acquire(root).release();
  });

  it('takes over the lock of a run that is no longer alive, with a notice; and an unreadable one', () => {
    const root = tmp();
    const pid = deadPid();
    writeFileSync(path.join(root, LOCK_FILE), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'vsr1 sft' }));
    const lines: string[] = [];
    const lock = RunLock.acquire(root, (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(new RegExp(`taking over the lock of pid ${pid}`));
    expect(JSON.parse(readFileSync(path.join(root, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    writeFileSync(path.join(root, LOCK_FILE), '{ half a lock');
    const again: string[] = [];
    RunLock.acquire(root, (l) => again.push(l)).release();
    expect(again.join('\n')).toMatch(/replacing an unreadable lock file/);
  });

  it('a lock held on another host is never taken over', () => {
    const root = tmp();
    writeFileSync(path.join(root, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'elsewhere', started: 'x', command: 'vsr1 train' }));
    expect(() => RunLock.acquire(root)).toThrow(/in use by pid \d+ on elsewhere/);
  });

  it('SFT and GRPO refuse a held folder before touching it, and release it when they end', async () => {
    const root = tmp();
    await synthesizeWorld({ out: path.join(root, 'world'), sizes: splitSizes(60), settings: { seed: 0 } });
    const model = createTinyCheckpoint(path.join(root, 'init'), { seed: 0 });
    const sftDir = path.join(root, 'sft');
    mkdirSync(sftDir);
    // The other run's in-progress save: a start-up that cleans stale temp files would delete it.
    writeFileSync(path.join(sftDir, '.tmp-save-1'), 'in progress');
    const sftCfg = loadSftConfig('configs/world_sft.yaml', [
      `data.world.dir=${path.join(root, 'world')}`, `model.model_path=${model}`, `trainer.save_checkpoint_path=${sftDir}`, 'trainer.max_steps=1',
      ...[0, 1, 2].map((i) => `data.train_files.${i}.path=${path.join(root, 'world', 'sft.jsonl')}`), `data.val_files.0.path=${path.join(root, 'world', 'val.jsonl')}`,
      'trainer.val_freq=-1', 'trainer.save_freq=-1', 'trainer.logger=[jsonl]',
    ]);
    const other = RunLock.acquire(sftDir);
    await expect(runSft(sftCfg, { log: () => {} })).rejects.toThrow(/is in use by pid/);
    expect(readFileSync(path.join(sftDir, '.tmp-save-1'), 'utf8')).toBe('in progress');
    other.release();
    const sft = await runSft(sftCfg, { log: () => {} });
    expect(existsSync(path.join(sftDir, LOCK_FILE))).toBe(false);

    const grpoDir = path.join(root, 'grpo');
    const grpoCfg = loadTrainConfig('configs/world_train.yaml', [
      `data.train_files=${path.join(root, 'world', 'rl.jsonl')}`, `data.val_files=${path.join(root, 'world', 'val.jsonl')}`, `worker.actor.model.model_path=${sft.modelDir}`,
      `trainer.save_checkpoint_path=${grpoDir}`, 'trainer.max_steps=1', 'trainer.val_before_train=false', 'trainer.val_freq=-1', 'trainer.logger=[jsonl]',
      'data.rollout_batch_size=2', 'worker.actor.global_batch_size=2', 'worker.rollout.n=2', 'worker.actor.micro_batch_size_per_device_for_update=4', 'data.max_response_length=16',
    ]);
    const held = RunLock.acquire(grpoDir);
    await expect(runGrpo(grpoCfg, { log: () => {} })).rejects.toThrow(/is in use by pid/);
    held.release();
    await runGrpo(grpoCfg, { log: () => {} });
    expect(existsSync(path.join(grpoDir, LOCK_FILE))).toBe(false);
  }, 300_000);
});
