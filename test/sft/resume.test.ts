import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLatestCheckpoint } from '../../lib/checkpoint/index.js';
import { torch } from '../../lib/index.js';
import { runSft, type SftResult } from '../../lib/train/sft/sft.js';
import { cleanup, sftConfig, smallWorld, tempDir, tinyModel } from './fixtures.js';

const N = 12;
let world: string;
let model: string;
let straight: SftResult;
let straightDir: string;

// 12 steps of 8 sequences over a 40-row world: the mix has 70 rows (40 + 10 + 20), so the run crosses an epoch
// boundary (the sampler position must survive it).
const over = [`trainer.max_steps=${N}`, 'trainer.save_freq=4', 'trainer.save_limit=2', 'data.drop_last=true'];

function finalWeights(dir: string): Map<string, torch.Tensor> {
  return torch.loadSafetensors(join(dir, 'latest_model', 'model.safetensors'));
}

function expectSameWeights(a: Map<string, torch.Tensor>, b: Map<string, torch.Tensor>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, t] of a) expect(t.sub(b.get(name)!).abs().max().item(), name).toBeLessThan(1e-5);
}

function stepsLogged(dir: string): number[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((l) => l.loss !== undefined).map((l) => l.step);
}

beforeAll(async () => {
  const root = tempDir();
  world = await smallWorld(join(root, 'world'), 40, 4);
  model = tinyModel(join(root, 'model'));
  straightDir = join(tempDir(), 'run');
  straight = await runSft(sftConfig(world, model, straightDir, over), { log: () => {}, quietProgress: true });
}, 60_000);
afterAll(cleanup);

describe('SFT resume', () => {
  it('after a crash between checkpoints, resumes at the last checkpoint and ends equal to an uninterrupted run', async () => {
    const dir = join(tempDir(), 'run');
    const cfg = sftConfig(world, model, dir, over);
    const first = await runSft(cfg, { log: () => {}, quietProgress: true, shouldStop: (s) => (s === 7 ? 'kill' : false) });
    expect(first.stopped).toBe(true);
    expect(first.step).toBe(7);
    expect(findLatestCheckpoint(dir)!.step).toBe(4); // the kill came before the step-8 save
    const logs: string[] = [];
    const second = await runSft(cfg, { log: (l) => logs.push(l), quietProgress: true });
    expect(second.resumedFrom).toBe(4);
    expect(second.step).toBe(N);
    expect(logs.some((l) => l.includes('resume: continuing from'))).toBe(true);
    // the resumed steps reproduce the uninterrupted run's losses step by step
    for (const { step, loss } of second.losses) {
      expect(loss, `step ${step}`).toBeCloseTo(straight.losses[step - 1].loss, 5);
    }
    expect(second.lastLoss).toBeCloseTo(straight.lastLoss, 5);
    expectSameWeights(finalWeights(dir), finalWeights(straightDir));
    // every step once: the resumed run dropped the lines of steps 5-7 before training them again
    expect(stepsLogged(dir)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(logs.some((l) => /resume: dropped 3 line\(s\) after step 4 from .*metrics\.jsonl/.test(l))).toBe(true);
  }, 60_000);

  it('after 3 kills (before any checkpoint, then after each of two) metrics.jsonl has each step once', async () => {
    const dir = join(tempDir(), 'run');
    const cfg = sftConfig(world, model, dir, over);
    for (const killAt of [3, 6, 10]) {
      const r = await runSft(cfg, { log: () => {}, quietProgress: true, shouldStop: (s) => (s === killAt ? 'kill' : false) });
      expect(r.stopped).toBe(true);
    }
    const last = await runSft(cfg, { log: () => {}, quietProgress: true });
    expect(last.resumedFrom).toBe(8);
    expect(stepsLogged(dir)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expectSameWeights(finalWeights(dir), finalWeights(straightDir));
  }, 90_000);

  it('a graceful stop saves the step it stopped at, so no completed step is lost', async () => {
    const dir = join(tempDir(), 'run');
    const cfg = sftConfig(world, model, dir, over);
    const first = await runSft(cfg, { log: () => {}, quietProgress: true, shouldStop: (s) => (s === 6 ? 'save' : false) });
    expect(first.step).toBe(6);
    expect(findLatestCheckpoint(dir)!.step).toBe(6);
    const st = JSON.parse(readFileSync(join(dir, 'global_step_6', 'trainer_state.json'), 'utf8'));
    expect(st.data).toEqual({ epoch: 0, index: 48, seed: 3 }); // 6 batches of 8 consumed
    expect(typeof st.rng.torch_cpu).toBe('string');
    for (const f of ['model/config.json', 'model/model.safetensors', 'model/tokenizer.json', 'optimizer.safetensors']) {
      expect(existsSync(join(dir, 'global_step_6', f)), f).toBe(true);
    }
    const second = await runSft(cfg, { log: () => {}, quietProgress: true });
    expect(second.resumedFrom).toBe(6);
    expect(second.losses.map((l) => l.step)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(second.lastLoss).toBeCloseTo(straight.lastLoss, 5);
    expectSameWeights(finalWeights(dir), finalWeights(straightDir));
    expect(stepsLogged(dir)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    // keep-last-2: the run saved 4, 6, 8, 12 and keeps the newest two
    expect(readdirSync(dir).filter((n) => n.startsWith('global_step_')).sort()).toEqual(['global_step_12', 'global_step_8']);
  }, 60_000);
});

describe('SFT profile', () => {
  it('writes a trace of the requested step holding the forward and backward ops', async () => {
    const dir = join(tempDir(), 'run');
    const tracePath = join(dir, 'trace.json');
    await runSft(sftConfig(world, model, dir, ['trainer.max_steps=2']), { log: () => {}, quietProgress: true, profile: { step: 2, tracePath } });
    const names = new Set((JSON.parse(readFileSync(tracePath, 'utf8')) as { traceEvents: Array<{ name?: string }> }).traceEvents.map((e) => e.name ?? ''));
    expect([...names].some((n) => /aten::(linear|mm|addmm|matmul)/.test(n))).toBe(true);
    expect([...names].some((n) => /Backward/.test(n))).toBe(true);
  }, 60_000);
});
