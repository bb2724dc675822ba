import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, batchPlan, checkpointRoot, configHash, loadSftConfig, loadTrainConfig, parseOverride, sftEffectiveBatch,
} from '../../lib/config/index.js';

const MIN_TRAIN = { data: { train_files: 'd.jsonl' }, worker: { actor: { model: { model_path: 'm' } } } };
const MIN_SFT = { data: { train_files: [{ path: 'a.json', style: 'see-think' }] }, model: { model_path: 'm' } };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('train config', () => {
  it('fills the method defaults (docs/method.md, "Rollout settings", "GRPO advantage" and "Policy update")', () => {
    const c = loadTrainConfig(MIN_TRAIN);
    expect(c.worker.rollout).toMatchObject({ n: 8, temperature: 1, top_p: 0.99, top_k: -1, seed: 1, val_override_config: { temperature: 0, n: 1 } });
    expect(c.worker.rollout.logit_bias).toEqual({ '<|image_pad|>': -100 });
    expect(c.worker.actor).toMatchObject({ clip_ratio_low: 0.2, clip_ratio_high: 0.3, clip_ratio_dual: 3, global_batch_size: 128, loss_avg_mode: 'micro-token-mean' });
    expect(c.worker.actor.optim).toMatchObject({ lr: 1e-6, weight_decay: 1e-2, betas: [0.9, 0.999], eps: 1e-8, lr_scheduler_type: 'constant' });
    expect(c.algorithm).toMatchObject({ kl_penalty: 'low_var_kl', kl_coef: 0.01, use_kl_loss: true, preset: 'vision-sr1', description_fallback: 'empty' });
    expect(c.algorithm.multi_reward.token_mask).toBe('pass1');
    expect(c.data).toMatchObject({ prompt_key: 'problem', answer_key: 'answer', image_key: 'images', rollout_batch_size: 512, min_pixels: 262144, max_pixels: 4194304 });
    expect(c.trainer).toMatchObject({ val_freq: 5, save_freq: 15, total_epochs: 1, max_steps: null });
    expect(checkpointRoot(c)).toBe(join('checkpoints', 'vision_sr1', 'vision_sr1_grpo'));
  });

  it('loads the reference example and reproduces the batch arithmetic of docs/method.md, "Batch arithmetic"', () => {
    const c = loadTrainConfig('configs/train_vision_sr1.yaml');
    expect(c.worker.actor.model.model_path).toContain('Cold-Start');
    expect(batchPlan(c)).toEqual({
      worldSize: 8, sequencesPerStep: 4096, sequencesPerMiniBatch: 1024, optimizerStepsPerStep: 4, perDeviceMiniBatch: 128, gradAccumSteps: 16,
    });
  });

  it('loads the world placeholder', () => {
    const c = loadTrainConfig('configs/world_train.yaml');
    expect(c.trainer.device).toBe('cpu');
    expect(batchPlan(c).gradAccumSteps).toBeGreaterThanOrEqual(1);
  });

  it('world_train_b32.yaml is world_train.yaml with the two values its header names', () => {
    const b32 = loadTrainConfig('configs/world_train_b32.yaml');
    const same = loadTrainConfig('configs/world_train.yaml', ['data.rollout_batch_size=32', 'worker.actor.global_batch_size=32', 'algorithm.kl_coef=0.1']);
    expect(b32).toEqual(same);
    expect(batchPlan(b32).optimizerStepsPerStep).toBe(1);
  });

  it('applies dotted overrides after the file', () => {
    const c = loadTrainConfig('configs/train_vision_sr1.yaml', ['trainer.max_steps=3', 'trainer.logger=[jsonl]', 'worker.rollout.logit_bias={}', 'data.val_files=null']);
    expect(c.trainer.max_steps).toBe(3);
    expect(c.trainer.logger).toEqual(['jsonl']);
    expect(c.worker.rollout.logit_bias).toEqual({});
    expect(c.data.val_files).toBeNull();
  });

  it('names an unknown key and the nearest valid key', () => {
    const e = errorOf(() => loadTrainConfig(MIN_TRAIN, ['trainer.max_step=3']));
    expect(e.message).toContain('unknown key trainer.max_step; nearest valid key: trainer.max_steps');
    const e2 = errorOf(() => loadTrainConfig({ ...MIN_TRAIN, algorithm: { kl_type: 'low_var_kl' } }));
    expect(e2.issues).toEqual(['unknown key algorithm.kl_type; nearest valid key: algorithm.kl_penalty']);
    const e3 = errorOf(() => loadTrainConfig({ ...MIN_TRAIN, worker: { actor: { model: { model_path: 'm' }, freeze_vision_tower: true } } }));
    expect(e3.issues[0]).toContain('nearest valid key: worker.actor.model.freeze_vision_tower');
    const e5 = errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.rollout.val_override_config.temp=0']));
    expect(e5.issues[0]).toContain('nearest valid key: worker.rollout.val_override_config.temperature');
    const e4 = errorOf(() => loadTrainConfig(MIN_TRAIN, ['trainr.max_steps=3']));
    expect(e4.issues[0]).toBe('unknown key trainr; nearest valid key: trainer');
  });

  it('names the key path, expected type and received value on a wrong type', () => {
    const e = errorOf(() => loadTrainConfig(MIN_TRAIN, ['trainer.max_steps=abc', 'worker.rollout.top_p=true']));
    expect(e.issues).toContain('trainer.max_steps: expected number, received string "abc"');
    expect(e.issues).toContain('worker.rollout.top_p: expected number, received boolean true');
    const e2 = errorOf(() => loadTrainConfig(MIN_TRAIN, ['algorithm.kl_penalty=k3']));
    expect(e2.issues[0]).toMatch(/^algorithm\.kl_penalty: expected one of "low_var_kl" \| "kl" .* received string "k3"$/);
    const e3 = errorOf(() => loadTrainConfig({ worker: { actor: { model: { model_path: 'm' } } } }));
    expect(e3.issues[0]).toMatch(/^data: required/);
    const e4 = errorOf(() => loadTrainConfig(MIN_TRAIN, ['data.train_files=7']));
    expect(e4.issues[0]).toBe('data.train_files: expected a string or a list of strings, received number 7');
    const e5 = errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.rollout.n=0']));
    expect(e5.issues[0]).toBe('worker.rollout.n: expected number to be >0, received number 0');
  });

  it('rejects batch sizes that do not divide (EasyR1 start-up asserts)', () => {
    const e = errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.actor.global_batch_size=100']));
    expect(e.issues[0]).toBe('worker.actor.global_batch_size: must divide data.rollout_batch_size (512), received 100');
    const e2 = errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.actor.micro_batch_size_per_device_for_update=48']));
    expect(e2.issues[0]).toContain('worker.actor.micro_batch_size_per_device_for_update: must divide the per-device mini-batch');
  });

  it('worker.actor.share_prompts follows padding_free unless set, and cannot be on without it', () => {
    expect(loadTrainConfig(MIN_TRAIN).worker.actor.share_prompts).toBeNull();
    expect(loadTrainConfig(MIN_TRAIN, ['worker.actor.padding_free=false']).worker.actor.share_prompts).toBeNull();
    const e = errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.actor.padding_free=false', 'worker.actor.share_prompts=true']));
    expect(e.issues[0]).toBe('worker.actor.share_prompts: true needs worker.actor.padding_free: true (prompts are shared inside packed micro-batches)');
  });

  it('data.format_prompt is a built-in name or a .jinja path (the 7B recipe names see_think)', () => {
    expect(loadTrainConfig('configs/train_vision_sr1.yaml').data.format_prompt).toBe('see_think');
    for (const ok of ['see_think', 'cot', 'world_see_think', 'world_cot', 'prompts/mine.jinja']) {
      expect(loadTrainConfig(MIN_TRAIN, [`data.format_prompt=${ok}`]).data.format_prompt).toBe(ok);
    }
    const e = errorOf(() => loadTrainConfig(MIN_TRAIN, ['data.format_prompt=see-think']));
    expect(e.issues).toEqual(['data.format_prompt: expected one of see_think, cot, world_see_think, world_cot or a path ending in .jinja, received "see-think"; did you mean see_think?']);
    expect(errorOf(() => loadTrainConfig(MIN_TRAIN, ['data.format_prompt=prompts/mine.txt'])).issues[0]).toMatch(/^data\.format_prompt: expected one of .* received "prompts\/mine\.txt"$/);
  });

  it('algorithm.kl_penalty accepts exactly the estimators klPenalty computes', () => {
    for (const k of ['low_var_kl', 'kl', 'abs', 'mse']) expect(loadTrainConfig(MIN_TRAIN, [`algorithm.kl_penalty=${k}`]).algorithm.kl_penalty).toBe(k);
    expect(errorOf(() => loadTrainConfig(MIN_TRAIN, ['algorithm.kl_penalty=full'])).issues[0]).toBe('algorithm.kl_penalty: expected one of "low_var_kl" | "kl" | "abs" | "mse", received string "full"');
  });

  it('rejects fp16 training (no loss scaling) in both trainers, naming bf16', () => {
    const msg = 'fp16 is not supported for training: it needs loss scaling, which is not implemented; use bf16 (mixed precision with fp32 masters) or fp32';
    expect(errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.actor.model.compute_dtype=fp16'])).issues).toEqual([`worker.actor.model.compute_dtype: ${msg}`]);
    expect(errorOf(() => loadTrainConfig(MIN_TRAIN, ['worker.actor.model.dtype=fp16'])).issues).toEqual([`worker.actor.model.dtype: ${msg}`]);
    expect(errorOf(() => loadSftConfig(MIN_SFT, ['model.compute_dtype=fp16'])).issues).toEqual([`model.compute_dtype: ${msg}`]);
    expect(errorOf(() => loadSftConfig(MIN_SFT, ['model.dtype=fp16'])).issues).toEqual([`model.dtype: ${msg}`]);
    expect(loadTrainConfig(MIN_TRAIN, ['worker.actor.model.compute_dtype=bf16']).worker.actor.model.compute_dtype).toBe('bf16');
    expect(loadTrainConfig(MIN_TRAIN, ['worker.ref.dtype=fp16']).worker.ref.dtype).toBe('fp16'); // frozen: no gradients to scale
  });

  it('reports YAML errors with file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsr1-cfg-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'data:\n  train_files: [a\ntrainer: {\n');
    expect(() => loadTrainConfig(bad)).toThrow(new RegExp(`config ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid YAML`));
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    expect(() => loadTrainConfig(list)).toThrow(/expected a mapping/);
    expect(() => loadTrainConfig(join(dir, 'missing.yaml'))).toThrow(/cannot read \(ENOENT\)/);
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'data: {train_files: x, promt_key: q}\nworker: {actor: {model: {model_path: m}}}\n');
    const e = errorOf(() => loadTrainConfig(typo));
    expect(e.message).toContain(typo);
    expect(e.issues).toEqual(['unknown key data.promt_key; nearest valid key: data.prompt_key']);
  });
});

describe('sft config', () => {
  it('fills the LLaMA-Factory recipe defaults (docs/method.md, "Cold-start SFT")', () => {
    const c = loadSftConfig(MIN_SFT);
    expect(c.optim).toMatchObject({ lr: 1e-5, lr_scheduler_type: 'cosine', lr_warmup_ratio: 0.1 });
    expect(c.model).toMatchObject({ freeze_vision_tower: true, freeze_multi_modal_projector: true, freeze_language_model: false });
    expect(c.trainer).toMatchObject({ total_epochs: 3, micro_batch_size_per_device: 8, gradient_accumulation_steps: 2 });
    expect(c.data).toMatchObject({ max_length: 4092, max_pixels: 262144 });
    expect(c.data.train_files[0]).toMatchObject({ max_samples: 100000, format: 'sharegpt', weight: 1 });
  });

  it('loads both example files; the reference is 128 sequences per step on 8 GPUs', () => {
    expect(sftEffectiveBatch(loadSftConfig('configs/sft_cold_start.yaml'))).toBe(128);
    expect(loadSftConfig('configs/world_sft.yaml').optim.lr_warmup_steps).toBe(50);
  });

  it('names paths inside lists', () => {
    const e = errorOf(() => loadSftConfig({ ...MIN_SFT, data: { train_files: [{ path: 'a', style: 'see-think', styl: 1 }, { path: 'b', style: 'cat' }] } }));
    expect(e.issues).toContain('unknown key data.train_files[0].styl; nearest valid key: data.train_files[0].style');
    expect(e.issues.some((s) => s.startsWith('data.train_files[1].style: expected one of "see-think"'))).toBe(true);
    const e3 = errorOf(() => loadSftConfig({ ...MIN_SFT, data: { ...MIN_SFT.data, val_files: [{ path: 'v', style: 'cot', weight: 2 }] } }));
    expect(e3.issues).toEqual(['unknown key data.val_files[0].weight: validation files have no mixing weight (every row is evaluated once); remove it']);
    const e2 = errorOf(() => loadSftConfig(MIN_SFT, ['trainer.learning_rate=1']));
    expect(e2.issues[0]).toBe('unknown key trainer.learning_rate; nearest valid key: optim.lr');
  });
});

describe('overrides and hashing', () => {
  it('parses override values as YAML', () => {
    expect(parseOverride('a.b=3').value).toBe(3);
    expect(parseOverride('a.b=1e-6').value).toBe(1e-6);
    expect(parseOverride('a.b="3"').value).toBe('3');
    expect(parseOverride('a.list[2].x=y').path).toEqual(['a', 'list', 2, 'x']);
    expect(() => parseOverride('novalue')).toThrow(/expected key\.path=value/);
    expect(() => parseOverride('a..b=1')).toThrow(/empty segment/);
    expect(() => loadTrainConfig(MIN_TRAIN, ['data.train_files.x=1'])).toThrow(/data\.train_files is string, not a section/);
  });

  it('hashes configs independent of key order', () => {
    const a = loadTrainConfig(MIN_TRAIN);
    const b = loadTrainConfig({ worker: { actor: { model: { model_path: 'm' } } }, data: { train_files: 'd.jsonl' } });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{16}$/);
    const c = loadTrainConfig(MIN_TRAIN, ['trainer.max_steps=9']);
    expect(configHash(c)).not.toBe(configHash(a));
    expect(configHash(c, ['trainer.max_steps'])).toBe(configHash(a, ['trainer.max_steps']));
  });
});
