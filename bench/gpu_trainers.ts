/**
 * The trainer-level part of the GPU check: the code users run, on `device`.
 *  - runSft and runGrpo on a tiny built-in world (bf16 compute, fp32 masters, packed micro-batches,
 *    activation checkpointing), 2 steps each, with their logged metrics (timing and memory per phase);
 *  - one GRPO step of a random-weight Qwen2.5-VL-3B-shaped model in bf16 through the trainer's own
 *    functions (the engine's rollout, responseLogProbs for the reference pass with one sequence per
 *    sample and with shared prompts, their largest log-prob difference, policyUpdate with packing,
 *    shared prompts and checkpointing, AdamW with fp32 masters), with seconds, tokens/s and peak
 *    memory per phase.
 * Each result is written as soon as it exists, so a time-out keeps what finished.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { torch } from '../lib/index.js';
import { loadSftConfig, loadTrainConfig } from '../lib/config/index.js';
import { parseQwenConfig, type QwenVLConfig } from '../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import type { EncodedPrompt } from '../lib/rollout/collate.js';
import { responseLogProbs } from '../lib/rollout/experience.js';
import { grpoAdvantages } from '../lib/grpo/index.js';
import { runGrpo } from '../lib/train/grpo/trainer.js';
import { policyUpdate } from '../lib/train/grpo/policy_update.js';
import { PhaseMemory } from '../lib/train/phase_memory.js';
import { runSft } from '../lib/train/sft/sft.js';
import { splitSizes, synthesizeWorld } from '../lib/world/synth.js';
import { createTinyCheckpoint } from '../lib/world/tiny_checkpoint.js';

type Save = (key: string, value: unknown) => void;
const lastMetrics = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).pop();

/** runSft and runGrpo, 2 steps each, on a tiny world with trainer.device = `device`. */
export async function tinyTrainers(out: string, device: string, save: Save): Promise<void> {
  const world = path.join(out, 'world'), init = path.join(out, 'tiny-init');
  await synthesizeWorld({ out: world, sizes: splitSizes(200), settings: { seed: 0, prior: 0.8 } });
  createTinyCheckpoint(init, { seed: 0 });
  const dev = device.startsWith('cuda') ? 'cuda' : 'cpu';
  const lines: string[] = [];
  let t = performance.now();
  const sft = await runSft(loadSftConfig({
    data: { train_files: [{ path: path.join(world, 'sft.jsonl'), style: 'see-think', format: 'world' }], prompt_set: 'world', max_length: 256, min_pixels: 12544, max_pixels: 12544 },
    model: { model_path: init, dtype: 'fp32', compute_dtype: 'bf16', enable_gradient_checkpointing: true, freeze_vision_tower: false },
    trainer: { max_steps: 2, device: dev, micro_batch_size_per_device: 8, gradient_accumulation_steps: 2, logger: ['jsonl'], val_freq: -1, save_freq: -1, save_checkpoint_path: path.join(out, 'sft') },
  }), { log: (l) => lines.push(l) });
  save('runSft', { steps: sft.step, lastLoss: sft.lastLoss, seconds: (performance.now() - t) / 1000, metrics: lastMetrics(path.join(out, 'sft', 'metrics.jsonl')), log: lines.slice(-5) });
  t = performance.now();
  const grpoLines: string[] = [];
  await runGrpo(loadTrainConfig({
    data: { train_files: path.join(world, 'rl.jsonl'), format_prompt: 'world_see_think', max_response_length: 48, rollout_batch_size: 4, min_pixels: 12544, max_pixels: 12544 },
    worker: {
      actor: { global_batch_size: 4, micro_batch_size_per_device_for_update: 8, micro_batch_size_per_device_for_experience: 16, model: { model_path: init, dtype: 'fp32', compute_dtype: 'bf16', enable_gradient_checkpointing: true } },
      rollout: { n: 4 }, ref: { dtype: 'bf16', offload: true },
    },
    trainer: { max_steps: 2, device: dev, save_checkpoint_path: path.join(out, 'grpo'), logger: ['jsonl'], val_freq: -1, val_before_train: false, save_freq: -1 },
  }), { log: (l) => grpoLines.push(l) });
  save('runGrpo', { seconds: (performance.now() - t) / 1000, metrics: lastMetrics(path.join(out, 'grpo', 'metrics.jsonl')), log: grpoLines.filter((l) => l.startsWith('memory') || l.startsWith('grpo:')) });
}

const SHAPES_3B = {
  model_type: 'qwen2_5_vl', vocab_size: 151936, hidden_size: 2048, intermediate_size: 11008, num_hidden_layers: 36, num_attention_heads: 16, num_key_value_heads: 2,
  tie_word_embeddings: true, rope_scaling: { type: 'mrope', mrope_section: [16, 24, 24] }, image_token_id: 151655, vision_start_token_id: 151652, vision_end_token_id: 151653,
  video_token_id: 151656, eos_token_id: 151645, pad_token_id: 151643,
  vision_config: { depth: 32, hidden_size: 1280, intermediate_size: 3420, num_heads: 16, out_hidden_size: 2048, fullatt_block_indexes: [7, 15, 23, 31] },
};

/** The GPU check's model: the 3B shapes in bf16, or (preset 'tiny', a CPU dry run) a tiny fp32 one. */
export function gpuCheckModel(preset: string): { cfg: QwenVLConfig; dtype: 'bfloat16' | 'float32' } {
  const cfg = parseQwenConfig(preset === '3b' ? SHAPES_3B : { ...SHAPES_3B, vocab_size: 1024, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4,
    rope_scaling: { type: 'mrope', mrope_section: [2, 3, 3] }, image_token_id: 1014, vision_start_token_id: 1015, vision_end_token_id: 1016, video_token_id: 1017, eos_token_id: 1020, pad_token_id: 1021,
    vision_config: { depth: 2, hidden_size: 32, intermediate_size: 64, num_heads: 2, out_hidden_size: 64, fullatt_block_indexes: [1] } }, 'gpu check model');
  return { cfg, dtype: preset === '3b' ? 'bfloat16' : 'float32' };
}

/** One GRPO step of the 3B shapes in bf16 through the trainer's functions (preset 'tiny' for a CPU dry run). */
export async function grpoStep3b(device: string, preset: string, save: Save): Promise<void> {
  const { cfg, dtype } = gpuCheckModel(preset);
  const memory = new PhaseMemory(device);
  const sync = () => torch.cuda.synchronize();
  const seconds: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await memory.measure(name, fn);
    sync();
    seconds[name] = (performance.now() - t) / 1000;
    return r;
  };
  const model = await phase('init', () => QwenVLModel.fromConfig(cfg, { dtype, device, seed: 0, initStd: 0.02 }));
  const ref = await phase('init_ref', () => QwenVLModel.fromConfig(cfg, { dtype, device, seed: 0, initStd: 0.02 }));
  try {
    const params = model.setTrainable(() => true);
    model.setGradientCheckpointing(true);
    const opt = new torch.AdamW(params, { lr: 1e-6, weightDecay: 1e-2, masterWeights: true });
    const B = preset === '3b' ? 8 : 2, n = 4, maxNew = preset === '3b' ? 256 : 16, grid: [number, number, number] = [1, 28, 28], pads = (28 * 28) / 4;
    const img = cfg.imageTokenId;
    const ids = Array.from({ length: B }, (_, b) => [1, 2, 3 + b, cfg.visionStartTokenId, ...Array(pads).fill(img), cfg.visionEndTokenId, 10, 11, 12]);
    const pix = torch.randn([28 * 28, 1176]);
    const pixRows = pix.toFlatArray();
    pix.dispose();
    const prompts: EncodedPrompt[] = ids.map((p) => ({ text: '', ids: p, rawIds: p, pixelValues: Float32Array.from(pixRows), numPatches: 28 * 28, imageGridThw: [grid] }));
    const pixels = torch.tensor(Float32Array.from({ length: B * pixRows.length }, (_, i) => pixRows[i % pixRows.length]), { shape: [B * 28 * 28, 1176], device });
    const gen = await phase('rollout', () => model.generate({ inputIds: ids, pixelValues: pixels, imageGridThw: ids.map(() => grid), n, maxNewTokens: maxNew, temperature: 1, topP: 0.99, logitBias: { [img]: -100 }, stopTokenIds: [], seed: 1 }));
    pixels.dispose();
    const samples = gen.sequences.map((_, i) => prompts[Math.floor(i / n)]);
    const collate = { padId: cfg.padTokenId, imageTokenId: img, mergeSize: 2, maxResponseLength: maxNew, packed: true };
    const refLp = await phase('ref_logprobs', () => responseLogProbs(ref, samples, gen.sequences, 8, collate));
    // The trainer's default layout holds each prompt once for its n samples (docs/training.md,
    // "Shared prompts"); on CUDA its attention takes the masked kernel instead of varlen flash.
    const refShared = await phase('ref_logprobs_shared', () => responseLogProbs(ref, samples, gen.sequences, 8, { ...collate, sharePrompts: true }));
    const sharedMaxDiff = Math.max(0, ...refLp.flatMap((r, i) => Array.from(r, (x, j) => Math.abs(x - refShared[i][j]))));
    const adv = grpoAdvantages(gen.sequences.map((_, i) => (i * 7919) % 3), gen.sequences.map((_, i) => Math.floor(i / n)));
    const update = await phase('update', () => policyUpdate(model, opt, { prompts: samples, responses: gen.sequences, advantages: adv, oldLogProbs: null, refLogProbs: refLp }, {
      miniBatch: samples.length, microBatch: 4, packed: true, sharePrompts: true, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: { coef: 0.01, type: 'low_var_kl' }, aggregation: 'micro-token-mean', maxGradNorm: 1, collate,
    }));
    const newTokens = gen.sequences.reduce((a, s) => a + s.length, 0);
    const trainTokens = samples.reduce((a, p, i) => a + p.ids.length + gen.sequences[i].length, 0);
    save('grpo3b', {
      preset, dtype, params: params.reduce((a, p) => a + p.numel(), 0), prompts: B, n, maxNewTokens: maxNew, seconds,
      rolloutTokensPerS: newTokens / seconds.rollout, refTokensPerS: trainTokens / seconds.ref_logprobs, refSharedTokensPerS: trainTokens / seconds.ref_logprobs_shared,
      sharedVsPlainRefLogProbMaxAbsDiff: sharedMaxDiff, updateTokensPerS: trainTokens / seconds.update, updateSharesPrompts: true,
      gradNorm: update['actor/grad_norm'], memory: memory.take(), allocator: torch.cuda.memoryStats(0),
    });
    opt.dispose();
  } finally {
    model.dispose();
    ref.dispose();
  }
}
