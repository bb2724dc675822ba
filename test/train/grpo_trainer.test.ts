/**
 * The GRPO trainer end to end on a small world with the tiny model: the loop runs every phase,
 * logs every metric, writes checkpoints, samples, curves and the final policy (loadable as a
 * checkpoint), and a run resumed from a checkpoint ends with the same weights as an
 * uninterrupted one.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainConfig } from '../../lib/config/index.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';

const root = mkdtempSync(path.join(tmpdir(), 'vsr1-grpo-'));
const world = path.join(root, 'world');
const init = path.join(root, 'init');

function config(runDir: string, maxSteps: number, extra: string[] = []) {
  return loadTrainConfig({
    data: {
      train_files: path.join(world, 'rl.jsonl'), val_files: path.join(world, 'val.jsonl'), format_prompt: 'world_see_think',
      max_response_length: 24, rollout_batch_size: 2, min_pixels: 12544, max_pixels: 12544,
    },
    worker: {
      actor: { global_batch_size: 1, micro_batch_size_per_device_for_update: 4, micro_batch_size_per_device_for_experience: 8,
        model: { model_path: init, dtype: 'fp32', compute_dtype: 'fp32' }, optim: { lr: 1e-3 } },
      rollout: { n: 4 }, ref: { dtype: 'fp32' },
    },
    trainer: { max_steps: maxSteps, device: 'cpu', save_checkpoint_path: runDir, logger: ['jsonl', 'tensorboard'], val_freq: -1, val_before_train: false, save_freq: 2 },
  }, extra);
}

function weights(dir: string): Promise<Map<string, number[]>> {
  return QwenVLModel.load(dir).then((m) => {
    const out = new Map([...m.params].map(([k, t]) => [k, t.toFlatArray()]));
    m.dispose();
    return out;
  });
}

describe('GRPO trainer', () => {
  beforeAll(async () => {
    await synthesizeWorld({ out: world, sizes: splitSizes(60), settings: { seed: 3, prior: 0.8 } });
    createTinyCheckpoint(init, { seed: 0 });
  }, 120_000);

  it('runs every phase, logs metrics and writes a loadable final policy', async () => {
    const run = path.join(root, 'run-a');
    const r = await runGrpo(config(run, 3), { log: () => {} });
    expect(r.steps).toBe(3);
    const rows = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const last = rows[rows.length - 1];
    for (const k of ['reward/overall', 'reward/accuracy', 'reward/format', 'reward/description_accuracy', 'response_length/mean', 'actor/kl_loss', 'actor/pg_clipfrac_higher', 'actor/entropy', 'actor/grad_norm',
      'timing_s/rollout', 'timing_s/pass2', 'timing_s/rewards', 'timing_s/logprobs', 'timing_s/update']) {
      expect(last[k], k).toBeTypeOf('number');
    }
    expect(last['actor/optimizer_steps']).toBe(2); // rollout batch 2 prompts / global batch 1
    expect(readFileSync(path.join(run, 'samples.jsonl'), 'utf8').length).toBeGreaterThan(0);
    expect(existsSync(path.join(run, 'global_step_2', 'model', 'model.safetensors'))).toBe(true);
    const before = await weights(init), after = await weights(r.finalModelDir);
    let changed = 0;
    for (const [k, v] of before) if (v.some((x, i) => x !== after.get(k)![i])) changed++;
    expect(changed).toBe(before.size); // every parameter trains in RL (vision tower included)
  }, 300_000);

  it('a resumed run ends with the same weights as an uninterrupted one', async () => {
    const full = path.join(root, 'run-full');
    await runGrpo(config(full, 4), { log: () => {} });
    const part = path.join(root, 'run-part');
    await runGrpo(config(part, 2), { log: () => {} });
    // As a kill after step 3 was logged but before it was saved leaves the logs: its lines are there twice unless resume rewinds.
    appendFileSync(path.join(part, 'metrics.jsonl'), '{"step":3,"reward/overall":999}\n');
    appendFileSync(path.join(part, 'samples.jsonl'), '{"step":3,"split":"train","index":0,"response":"from the killed run"}\n');
    const logs: string[] = [];
    const resumed = await runGrpo(config(part, 4), { log: (l) => logs.push(l) });
    expect(resumed.steps).toBe(4);
    expect(logs.some((l) => /resume: dropped 1 line\(s\) after step 2 from .*metrics\.jsonl/.test(l))).toBe(true);
    const rows = readFileSync(path.join(part, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.filter((r) => r['reward/overall'] !== undefined).map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(rows.some((r) => r['reward/overall'] === 999)).toBe(false);
    expect(readFileSync(path.join(part, 'samples.jsonl'), 'utf8')).not.toContain('from the killed run');
    const a = await weights(path.join(full, 'final_model')), b = await weights(path.join(part, 'final_model'));
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
  }, 300_000);

  it('bf16 compute with fp32 masters (the method precision): trains, and resumes to the same weights', async () => {
    const bf16 = ['worker.actor.model.compute_dtype=bf16', 'worker.ref.dtype=bf16'];
    const full = path.join(root, 'run-bf16-full');
    const r = await runGrpo(config(full, 2, bf16), { log: () => {} });
    const part = path.join(root, 'run-bf16-part');
    await runGrpo(config(part, 1, [...bf16, 'trainer.save_freq=1']), { log: () => {} });
    await runGrpo(config(part, 2, [...bf16, 'trainer.save_freq=1']), { log: () => {} });
    const a = await weights(path.join(full, 'final_model')), b = await weights(path.join(part, 'final_model')), init0 = await weights(init);
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
    // Two steps of lr 1e-3 move every weight matrix; norm weights and biases near 1 (where bf16's
    // spacing is 2^-7) show a change only once their fp32 masters have accumulated enough steps.
    const moved = (k: string) => a.get(k)!.some((x, i) => x !== init0.get(k)![i]);
    const unmoved = [...a.keys()].filter((k) => !moved(k));
    expect(unmoved.length).toBeLessThan(a.size / 2);
    for (const k of unmoved) expect(k, 'only norm weights and biases may look unchanged').toMatch(/norm|ln_q|bias/);
    expect(r.steps).toBe(2);
  }, 300_000);

  it('multi-reward: the spans and pass-2 token masks, with per-channel KL, run off-policy and log both channels', async () => {
    // 'whole-response' sends every pass-1 response to pass 2 (a random model rarely writes a
    // <description>), so the pass-2 channel has tokens; global batch 1 makes 2 optimizer steps
    // per rollout, so the pass-2 old log-probs are recomputed rather than taken on-policy.
    for (const mask of ['spans', 'pass2']) {
      const run = path.join(root, `run-mr-${mask}`);
      await runGrpo(config(run, 1, ['algorithm.preset=multi-reward', 'algorithm.description_fallback=whole-response', `algorithm.multi_reward.token_mask=${mask}`,
        'algorithm.multi_reward.vis_kl_coef=0.05', 'algorithm.multi_reward.ans_kl_coef=0.02']), { log: () => {} });
      const rows = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const last = rows[rows.length - 1];
      for (const k of ['actor/ans/pg_loss', 'actor/vis/pg_loss', 'actor/ans/kl_loss', 'actor/vis/kl_loss', 'actor/grad_norm']) expect(Number.isFinite(last[k]), `${mask}: ${k}`).toBe(true);
      expect(last['actor/optimizer_steps']).toBe(2);
      expect(last['actor/vis/kl_loss']).toBeGreaterThanOrEqual(0);
    }
  }, 300_000);

  it('a user reward spec drives training; norm_adv_by_std_in_grpo z-scores or only centres the group advantages (critic/advantages/*)', async () => {
    // One prompt per step, so the n = 4 samples are one group. The inline reward (response length
    // mod 7) varies across a random model's samples; both runs sample the same rollout.
    const seen: number[][] = [];
    const runWith = async (norm: boolean) => {
      const scores: number[] = [];
      seen.push(scores);
      const run = path.join(root, `run-adv-${norm}`);
      await runGrpo(config(run, 1, [`algorithm.norm_adv_by_std_in_grpo=${norm}`, 'data.rollout_batch_size=1']), {
        log: () => {},
        reward: { components: [{ name: 'length_mod_7', reward: (x) => { const v = x.response.length % 7; scores.push(v); return v; }, weight: 1 }] },
      });
      return JSON.parse(readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]) as Record<string, number>;
    };
    const z = await runWith(true), centred = await runWith(false);
    expect(seen[0]).toHaveLength(4);
    expect(seen[1]).toEqual(seen[0]);
    const s = seen[0], mu = s.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(s.reduce((a, b) => a + (b - mu) ** 2, 0) / 3);
    expect(sd).toBeGreaterThan(0); // otherwise every advantage is 0 and nothing is tested
    expect(z['reward/length_mod_7']).toBeCloseTo(mu, 10);
    const check = (row: Record<string, number>, adv: number[]) => {
      expect(row['critic/advantages/max']).toBeCloseTo(Math.max(...adv), 10);
      expect(row['critic/advantages/min']).toBeCloseTo(Math.min(...adv), 10);
      expect(row['critic/advantages/abs_mean']).toBeCloseTo(adv.reduce((a, b) => a + Math.abs(b), 0) / 4, 10);
    };
    check(z, s.map((x) => (x - mu) / (sd + 1e-6)));
    check(centred, s.map((x) => x - mu));
  }, 300_000);
});
