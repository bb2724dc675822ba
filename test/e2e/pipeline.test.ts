/**
 * The main job's wiring, shrunk to seconds: a small world, a few SFT steps, one GRPO step per
 * seed, a few evaluation items; it must produce the summary table, summary files and curves PNG.
 * (The full-size run and its numbers are in the issue notes; this checks the plumbing.)
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../lib/jobs/pipeline.js';

describe('vsr1 pipeline (shrunk)', () => {
  it('runs world -> SFT -> GRPO (2 seeds) -> evaluation and writes the summary', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'vsr1-pipe-'));
    const r = await runPipeline({
      out, sftConfig: 'configs/world_sft.yaml', trainConfig: 'configs/world_train.yaml', seeds: [0, 1], evalItems: 6, log: () => {},
      sftOverrides: ['data.world.size=80', 'trainer.max_steps=3', 'trainer.val_freq=-1', 'trainer.save_freq=-1', 'trainer.logger=[jsonl]'],
      trainOverrides: ['trainer.max_steps=1', 'trainer.val_freq=-1', 'trainer.val_before_train=false', 'data.rollout_batch_size=2', 'worker.actor.global_batch_size=2', 'worker.rollout.n=2', 'worker.actor.micro_batch_size_per_device_for_update=4', 'data.max_response_length=16', 'trainer.logger=[jsonl]'],
    });
    expect(r.scores.filter((s) => s.stage === 'grpo').length).toBe(4); // 2 splits x 2 seeds
    expect(r.table).toMatch(/test-shortcut/);
    expect(r.table).toMatch(/GRPO mean \[min, max\]/);
    expect(r.table).toMatch(/accuracy % ± s\.e\..*\n(.*\n)*.*SFT .*\d+\.\d ± \d+\.\d/); // each model's accuracy with its standard error
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.seeds).toEqual([0, 1]);
    // The gain-vs-spread verdict is computed from the scores it sits next to.
    expect(summary.gains).toHaveLength(4); // 2 splits x (accuracy, description accuracy)
    const acc = (stage: string, seed: number | null) => r.scores.find((s) => s.split === 'test' && s.stage === stage && s.seed === seed)!.result.accuracy;
    const g = r.gains.find((x) => x.split === 'test' && x.metric === 'accuracy')!;
    expect(g.gain).toBeCloseTo((acc('grpo', 0) + acc('grpo', 1)) / 2 - acc('sft', null), 12);
    expect(g.spread).toBeCloseTo(Math.abs(acc('grpo', 0) - acc('grpo', 1)), 12);
    expect(g.beatsSpread).toBe(g.gain > g.spread);
    expect(r.table).toMatch(/seed spread/);
    expect(existsSync(path.join(out, 'summary.md'))).toBe(true);
    const png = readFileSync(path.join(out, 'curves.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  }, 600_000);
});
