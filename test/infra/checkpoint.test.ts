import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  LATEST_FILE, SAVE_PHASES, findLatestCheckpoint, listCheckpoints, readCheckpoint, recoverInterruptedSaves, saveCheckpoint, type SavePhase, type TrainerStateInput,
} from '../../lib/checkpoint/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'vsr1-ckpt-'));
const state = (i: number): TrainerStateInput => ({ data: { epoch: 0, index: 4 * i, seed: 1 }, rng: { seed: 1, draws: i }, config_hash: 'abc123', extra: { best: i / 10 } });
const payload = (i: number) => async (dir: string) => {
  await writeFile(join(dir, 'model.safetensors'), Buffer.alloc(1000 + i, i));
  mkdirSync(join(dir, 'optim'));
  await writeFile(join(dir, 'optim', 'state.bin'), Buffer.alloc(50, 255 - i));
};
const visible = (root: string) => readdirSync(root).sort();

describe('checkpoint save and resume', () => {
  it('writes global_step_N with payload and trainer_state.json, and points latest at it', async () => {
    const root = join(tmp(), 'ckpts');
    const r = await saveCheckpoint({ root, step: 5, state: state(5), writePayload: payload(5) });
    expect(r.dir).toBe(join(root, 'global_step_5'));
    expect(visible(root)).toEqual(['global_step_5', 'latest']);
    expect(readFileSync(join(root, LATEST_FILE), 'utf8')).toBe('global_step_5\n');
    const info = findLatestCheckpoint(root)!;
    expect(info.step).toBe(5);
    expect(info.state).toMatchObject({ format: 1, step: 5, data: { epoch: 0, index: 20, seed: 1 }, rng: { seed: 1, draws: 5 }, config_hash: 'abc123', extra: { best: 0.5 } });
    expect(Number.isNaN(Date.parse(info.state.saved_at))).toBe(false);
    expect(readFileSync(join(info.dir, 'model.safetensors'))).toEqual(Buffer.alloc(1005, 5));
  });

  it('keeps the previous checkpoint intact when writePayload throws mid-write', async () => {
    const root = tmp();
    await saveCheckpoint({ root, step: 1, state: state(1), writePayload: payload(1) });
    const before = readFileSync(join(root, 'global_step_1', 'model.safetensors'));
    const crash = saveCheckpoint({
      root, step: 2, state: state(2),
      writePayload: async (dir) => {
        await writeFile(join(dir, 'model.safetensors'), Buffer.alloc(10, 2)); // half written
        throw new Error('disk full (simulated)');
      },
    });
    await expect(crash).rejects.toThrow('disk full (simulated)');
    expect(visible(root)).toEqual(['global_step_1', 'latest']); // no global_step_2, no temp left
    expect(readFileSync(join(root, LATEST_FILE), 'utf8')).toBe('global_step_1\n');
    expect(readFileSync(join(root, 'global_step_1', 'model.safetensors'))).toEqual(before);
    expect(findLatestCheckpoint(root)!.step).toBe(1);
  });

  it('keeps the last K checkpoints and re-saves a step in place', async () => {
    const root = tmp();
    const removed: string[] = [];
    for (const s of [10, 20, 30, 40]) removed.push(...(await saveCheckpoint({ root, step: s, state: state(s), writePayload: payload(s % 200), keepLast: 2 })).removed);
    expect(removed).toEqual([join(root, 'global_step_10'), join(root, 'global_step_20')]);
    expect(visible(root)).toEqual(['global_step_30', 'global_step_40', 'latest']);
    await saveCheckpoint({ root, step: 30, state: { ...state(3), config_hash: 'new' }, keepLast: 2 });
    expect(readCheckpoint(join(root, 'global_step_30')).state.config_hash).toBe('new');
    expect(existsSync(join(root, 'global_step_30', 'model.safetensors'))).toBe(false); // replaced, not merged
    expect(findLatestCheckpoint(root)!.step).toBe(30); // the pointer wins over the highest step
    expect(listCheckpoints(root).map((c) => c.step)).toEqual([30, 40]);
  });

  it('discovers the newest complete checkpoint when the pointer is missing or stale', async () => {
    const root = tmp();
    await saveCheckpoint({ root, step: 3, state: state(3) });
    await saveCheckpoint({ root, step: 7, state: state(7) });
    mkdirSync(join(root, 'global_step_9')); // a folder without trainer_state.json
    mkdirSync(join(root, 'global_step_8'));
    writeFileSync(join(root, 'global_step_8', 'trainer_state.json'), '{"format": 1, "step": "eight"}');
    mkdirSync(join(root, '.tmp-global_step_11-1-ab')); // a crashed save
    writeFileSync(join(root, LATEST_FILE), 'global_step_12\n'); // points at nothing
    const skipped: string[] = [];
    expect(findLatestCheckpoint(root, (d, why) => skipped.push(`${d}: ${why}`))!.step).toBe(7);
    expect(skipped.some((s) => s.includes('global_step_9') && s.includes('no readable trainer_state.json'))).toBe(true);
    expect(skipped.some((s) => s.includes('global_step_8') && s.includes('step: Invalid input: expected number'))).toBe(true);
    expect(() => readCheckpoint(join(root, 'global_step_9'))).toThrow(/no readable trainer_state.json \(ENOENT\)/);
    expect(findLatestCheckpoint(tmp())).toBeNull();
    expect(findLatestCheckpoint(join(tmp(), 'never-created'))).toBeNull();
    expect((await recoverInterruptedSaves(root)).removed.map((p) => p.slice(root.length + 1))).toEqual(['.tmp-global_step_11-1-ab']);
  });

  // A stop between two steps of a save, as a kill there would leave the folder: the hook throws, nothing cleans up.
  const stopAt = (at: SavePhase) => (p: SavePhase) => {
    if (p === at) throw new Error(`stopped after ${p}`);
  };

  it('re-saving the only checkpoint (save_limit 1) and stopping after any step of the save loses nothing', async () => {
    for (const at of SAVE_PHASES) {
      const root = tmp();
      await saveCheckpoint({ root, step: 10, state: { ...state(10), config_hash: 'old' }, writePayload: payload(1), keepLast: 1 });
      const save = saveCheckpoint({ root, step: 10, state: { ...state(10), config_hash: 'new' }, writePayload: payload(2), keepLast: 1, afterPhase: stopAt(at) });
      await expect(save).rejects.toThrow(`stopped after ${at}`);
      const report = await recoverInterruptedSaves(root);
      const ck = findLatestCheckpoint(root);
      expect(ck?.step, at).toBe(10);
      // Once the new copy is complete, the step comes back as the new save whichever of the two names it held.
      expect(ck!.state.config_hash, at).toBe(at === 'written' ? 'old' : 'new');
      expect(readFileSync(join(ck!.dir, 'model.safetensors')), at).toEqual(Buffer.alloc(1000 + (at === 'written' ? 1 : 2), at === 'written' ? 1 : 2));
      expect(visible(root).filter((n) => n.startsWith('.')), at).toEqual([]);
      expect(report.restored.length, at).toBe(at === 'old-moved-aside' ? 1 : 0);
    }
  });

  it('a first save stopped before its folder is renamed is finished at start-up; a lagging pointer does not hide it', async () => {
    const root = tmp();
    await saveCheckpoint({ root, step: 5, state: state(5) });
    await expect(saveCheckpoint({ root, step: 10, state: state(10), afterPhase: stopAt('written') })).rejects.toThrow('stopped');
    expect(findLatestCheckpoint(root)!.step).toBe(5); // still hidden as a temp folder
    expect((await recoverInterruptedSaves(root)).restored.map((r) => r.to)).toEqual([join(root, 'global_step_10')]);
    expect(findLatestCheckpoint(root)!.step).toBe(10);
    await expect(saveCheckpoint({ root, step: 15, state: state(15), afterPhase: stopAt('new-moved-in') })).rejects.toThrow('stopped');
    expect(readFileSync(join(root, LATEST_FILE), 'utf8')).toBe('global_step_10\n'); // the pointer lags
    expect(findLatestCheckpoint(root)!.step).toBe(15);
  });

  it('survives a hard kill (SIGKILL) in the middle of writing a checkpoint', () => {
    // Run the real module in a child process that kills itself inside writePayload, so no
    // cleanup code runs: Node 20 cannot run .ts, so transpile lib/checkpoint to JS first.
    const out = resolve('node_modules/.cache/vsr1-test-checkpoint');
    mkdirSync(join(out, 'lib/checkpoint'), { recursive: true });
    for (const f of readdirSync('lib/checkpoint').filter((n) => n.endsWith('.ts'))) {
      const js = ts.transpileModule(readFileSync(join('lib/checkpoint', f), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      writeFileSync(join(out, 'lib/checkpoint', f.replace(/\.ts$/, '.js')), js);
    }
    const root = tmp();
    const child = join(out, 'child.mjs');
    writeFileSync(child, `
      import { writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      import { saveCheckpoint } from './lib/checkpoint/index.js';
      const root = process.argv[2];
      const st = { data: null, rng: 0, config_hash: 'h' };
      await saveCheckpoint({ root, step: 1, state: st, writePayload: async (d) => writeFileSync(join(d, 'w.bin'), 'one') });
      await saveCheckpoint({ root, step: 2, state: st, writePayload: async (d) => {
        writeFileSync(join(d, 'w.bin'), 'tw');
        process.kill(process.pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 10000));
      } });
    `);
    const r = spawnSync(process.execPath, [child, root], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    const left = visible(root);
    expect(left.filter((n) => n.startsWith('.tmp-global_step_2-'))).toHaveLength(1); // the half-written save
    expect(left.filter((n) => !n.startsWith('.'))).toEqual(['global_step_1', 'latest']);
    const info = findLatestCheckpoint(root)!;
    expect(info.step).toBe(1);
    expect(readFileSync(join(info.dir, 'w.bin'), 'utf8')).toBe('one');
  });
});
