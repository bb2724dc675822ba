/**
 * `vsr1 study`, shrunk to seconds: one SFT model, two arms (Vision-R1 and Vision-SR1) x two seeds
 * of one GRPO step, a small fresh held-out world. It must write the table, JSON and plot with a
 * row per arm, evaluate on the fresh world (not the training world), and resume from the saved
 * evaluations instead of training again, and add a seed to exactly the arms whose ranges overlap.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { armsNeedingMoreSeeds, runStudy } from '../../lib/jobs/study.js';
import { seedsOf } from '../../lib/jobs/study_report.js';

const shrink = {
  sftConfig: 'configs/world_sft.yaml', trainConfig: 'configs/world_train.yaml', seeds: [0, 1], arms: ['vision-r1' as const, 'vision-sr1' as const],
  evalWorld: { seed: 77, test: 12, shortcut: 6 },
  sftOverrides: ['data.world.size=80', 'trainer.max_steps=3', 'trainer.val_freq=-1', 'trainer.save_freq=-1', 'trainer.logger=[jsonl]'],
  trainOverrides: ['trainer.max_steps=1', 'trainer.val_freq=-1', 'trainer.val_before_train=false', 'data.rollout_batch_size=2', 'worker.actor.global_batch_size=2', 'worker.rollout.n=2', 'worker.actor.micro_batch_size_per_device_for_update=4', 'data.max_response_length=16', 'trainer.logger=[jsonl]'],
};

describe('vsr1 study (shrunk)', () => {
  it('trains each arm and seed from one SFT model, evaluates on a fresh world, writes the table and plot, and resumes', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'vsr1-study-'));
    const lines: string[] = [];
    const r = await runStudy({ out, ...shrink, log: (l) => lines.push(l) });
    expect(r.cells.map((c) => `${c.arm}:${c.seed}`)).toEqual(['sft:null', 'vision-r1:0', 'vision-r1:1', 'vision-sr1:0', 'vision-sr1:1']);
    for (const c of r.cells) {
      expect(c.result.test.n).toBe(12);
      expect(c.result['test-shortcut'].n).toBe(6);
      expect(c.result.test.families).not.toBeNull(); // per family, from the world's columns
    }
    // Vision-R1 answers with the CoT prompt: no description, so no description accuracy.
    expect(r.cells.find((c) => c.arm === 'vision-r1')!.result.test.descriptionAccuracy ?? null).toBeNull();
    expect(r.cells.find((c) => c.arm === 'vision-sr1')!.result.test.descriptionAccuracy).toBeTypeOf('number');
    const world = JSON.parse(readFileSync(path.join(out, 'eval-world', 'manifest.json'), 'utf8'));
    expect(world.seed).toBe(77);
    expect(JSON.parse(readFileSync(path.join(out, 'world', 'manifest.json'), 'utf8')).seed).not.toBe(77);
    expect(r.table).toMatch(/Vision-R1 \(CoT prompt/);
    expect(r.table).toMatch(/test accuracy, vision-r1 vs vision-sr1: .* seed ranges over 2 and 2 seeds (overlap|do not overlap)/);
    const json = JSON.parse(readFileSync(path.join(out, 'study.json'), 'utf8'));
    expect(json.stats['vision-sr1'].test.accuracy.n).toBe(2);
    expect(readFileSync(path.join(out, 'study.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(path.join(out, 'study.md'))).toBe(true);
    // The reward audit: Vision-SR1's seeds pooled against the RL data's scenes; Vision-R1 has no visual reward.
    expect(Object.keys(r.audits)).toEqual(['vision-sr1']);
    const audit = JSON.parse(readFileSync(path.join(out, 'reward_audit.json'), 'utf8'));
    expect(audit['vision-sr1'].samples).toBe(r.audits['vision-sr1']!.samples);
    expect(audit['vision-sr1'].samples).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'reward_audit.md'), 'utf8')).toMatch(/# Reward audit: vision-sr1 \(2 seeds pooled\)/);

    // A rerun trains nothing: every evaluation is read back.
    const again: string[] = [];
    const r2 = await runStudy({ out, ...shrink, log: (l) => again.push(l) });
    expect(again.filter((l) => /evaluated before/.test(l))).toHaveLength(5);
    expect(again.some((l) => /GRPO|step 1/.test(l) && !/evaluated before/.test(l))).toBe(false);
    expect(r2.cells.map((c) => c.result.test.accuracy)).toEqual(r.cells.map((c) => c.result.test.accuracy));

    // With an extra seed, exactly the arms whose ranges overlap Vision-SR1's train it (Vision-SR1 too).
    const more = armsNeedingMoreSeeds(r.cells, shrink.arms);
    const r3 = await runStudy({ out, ...shrink, extraSeeds: [2], log: () => {} });
    for (const arm of shrink.arms) expect(seedsOf(r3.cells, arm)).toEqual(more.includes(arm) ? [0, 1, 2] : [0, 1]);
    expect(r3.table).toMatch(/Seeds per arm: vision-r1 0, 1(, 2)?; vision-sr1 0, 1(, 2)?\./);
  }, 600_000);

  it('refuses an evaluation world with the training world\'s seed', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'vsr1-study-'));
    await expect(runStudy({ out, ...shrink, arms: ['vision-sr1'], seeds: [0], evalWorld: { seed: 0, test: 4, shortcut: 2 }, log: () => {} })).rejects.toThrow(/evaluation world's seed 0 is the training world's/);
  }, 300_000);
});
