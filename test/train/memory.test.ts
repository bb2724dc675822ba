/**
 * Memory you can see: the start-up estimate (by hand for a small config: weights, gradients,
 * masters, moments, reference, activations with and without checkpointing, KV cache), and a GRPO
 * step that logs each phase's peak (tracked CPU bytes here) above the weights it holds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { estimateMemory } from '../../lib/train/memory_estimate.js';
import { grpoConfig, type GrpoWorld, makeGrpoWorld } from '../helpers/grpo_world.js';

const config = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 1000, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2,
  rope_scaling: { type: 'mrope', mrope_section: [2, 3, 3] }, vision_config: { depth: 1, hidden_size: 16, intermediate_size: 32, num_heads: 2, out_hidden_size: 64 },
}, 'estimate config');

describe('memory estimate', () => {
  it('adds up the parts by hand', () => {
    const base = { config, params: 1e6, trainable: 8e5, computeDtype: 'bfloat16', refDtype: 'bfloat16', refOffload: false, masterWeights: true, microBatchTokens: 100, rolloutRows: 8, rolloutLength: 50 };
    const e = estimateMemory({ ...base, checkpointing: false });
    const part = (name: string) => e.parts.find(([k]) => k.startsWith(name))![1];
    expect(part('weights')).toBe(2e6);
    expect(part('gradients')).toBe(1.6e6);
    expect(part('fp32 master')).toBe(3.2e6);
    expect(part('AdamW')).toBe(6.4e6);
    expect(part('reference')).toBe(2e6);
    const kvDim = 2 * 16, perTokenLayer = (8 * 64 + 2 * kvDim + 4 * 128) * 2 + 2 * 64 * 4;
    const lmHead = 3 * 512 * 1000 * 4;
    expect(part('activations')).toBe(4 * 100 * perTokenLayer + lmHead);
    expect(part('rollout KV')).toBe(8 * 50 * 4 * 2 * kvDim * 2);
    const c = estimateMemory({ ...base, checkpointing: true });
    expect(c.parts.find(([k]) => k.startsWith('activations'))![1]).toBe(4 * 100 * 64 * 2 + 100 * perTokenLayer + lmHead);
    expect(c.totalWithoutCheckpointing).toBe(e.total);
    expect(estimateMemory({ ...base, checkpointing: false, refOffload: true }).total).toBe(e.total - 2e6);
  });
});

describe('GRPO step memory', () => {
  let w: GrpoWorld;
  beforeAll(async () => { w = await makeGrpoWorld('vsr1-mem-'); }, 120_000);

  it('prints the estimate at start-up and logs each phase peak', async () => {
    const lines: string[] = [];
    const run = path.join(w.root, 'run');
    await runGrpo(grpoConfig(w, run, 1), { log: (l) => lines.push(l) });
    expect(lines.some((l) => /^memory estimate per device: [\d.]+ GB \(weights [\d.]+, .*activations \(checkpointed\) [\d.]+, rollout KV cache [\d.]+\); [\d.]+ GB without activation checkpointing; this machine has [\d.]+ GB/.test(l))).toBe(true);
    const row = JSON.parse(readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]);
    // The tiny model's weights (fp32) alone are ~1 MB: every phase peak holds at least those.
    for (const phase of ['rollout', 'logprobs', 'update']) expect(row[`memory/${phase}_peak_gb`], phase).toBeGreaterThan(1e6 / 2 ** 30);
    expect(row['memory/update_peak_gb']).toBeGreaterThan(row['memory/logprobs_peak_gb'] / 4);
  });
});
