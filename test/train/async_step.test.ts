/**
 * Long native work of a training step runs off the JS thread: while a micro-batch's forward and
 * backward run, the event loop keeps turning, and the gradients equal the synchronous path's; a
 * checkpoint written on a worker thread equals the synchronous one byte for byte.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import type { EncodedPrompt } from '../../lib/rollout/collate.js';
import { packBatch } from '../../lib/rollout/pack.js';
import { scoreResponses } from '../../lib/rollout/score_responses.js';
import { microBatchStep } from '../../lib/train/grpo/policy_update.js';

const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 512, hidden_size: 128, intermediate_size: 256, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2,
  rope_scaling: { type: 'mrope', mrope_section: [4, 6, 6] }, pad_token_id: 511, eos_token_id: 510,
  vision_config: { depth: 1, hidden_size: 16, intermediate_size: 32, num_heads: 2, out_hidden_size: 128 },
}, 'async test config');
const prompt = (n: number, s: number): EncodedPrompt => { const ids = Array.from({ length: n }, (_, j) => (j * 7 + s) % 500); return { text: '', ids, rawIds: ids, pixelValues: null, numPatches: 0, imageGridThw: [] }; };
const prompts = Array.from({ length: 8 }, (_, i) => prompt(120 + i * 10, i));
const responses = prompts.map((_, i) => Array.from({ length: 80 + i * 5 }, (_, j) => (j * 3 + i) % 500));

/** Runs `work` while counting event-loop turns (a 1 ms interval). */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

describe('training work off the JS thread', () => {
  it('a micro-batch step leaves the event loop free and equals the synchronous forward/backward', async () => {
    const model = QwenVLModel.fromConfig(cfg, { seed: 2, initStd: 0.05 });
    const params = model.setTrainable(() => true);
    const settings = { miniBatch: 8, microBatch: 8, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: null, aggregation: 'micro-token-mean' as const, maxGradNorm: 1, collate: { padId: 511, imageTokenId: 500, mergeSize: 2 } };
    const batch = { prompts, responses, advantages: prompts.map((_, i) => (i % 3) - 1), oldLogProbs: null, refLogProbs: null };
    let named: Awaited<ReturnType<typeof microBatchStep>> = [];
    const ticks = await ticksDuring(async () => { named = await microBatchStep(model, batch, settings, { idx: [...prompts.keys()], mini: [...prompts.keys()], gradAccum: 1 }); });
    expect(ticks).toBeGreaterThan(2);
    const asyncGrads = params.map((p) => p.grad?.toFlatArray() ?? null);
    expect(asyncGrads.filter((g) => g !== null).length).toBeGreaterThan(10);
    for (const [, t] of named) t.dispose();
    // The same loss through the synchronous calls (on-policy: ratio 1, so loss = -mean(A) per token).
    for (const p of params) p.grad = null;
    const packed = packBatch(prompts, responses, settings.collate);
    torch.scope(() => {
      const { logProbs } = scoreResponses(model, packed);
      const adv = torch.tensor(new Float32Array(batch.advantages)).unsqueeze(1);
      const m = packed.responseMask;
      logProbs.sub(logProbs.detach()).exp().mul(adv).neg().mul(m).sum().div(m.sum()).backward();
    });
    packed.dispose();
    params.forEach((p, i) => {
      expect(p.grad === null, `grad presence of param ${i}`).toBe(asyncGrads[i] === null);
      if (!p.grad) return; // the vision tower gets none from a text-only batch
      const g = p.grad.toFlatArray();
      const scale = Math.max(...g.map(Math.abs), 1e-12);
      expect(Math.max(...g.map((x, j) => Math.abs(x - asyncGrads[i]![j]))) / scale, `param ${i}`).toBeLessThan(1e-4);
    });
    model.dispose();
  });

  it('saveAsync (weights written on a worker thread) writes the same checkpoint as save', async () => {
    const model = QwenVLModel.fromConfig(cfg, { seed: 3 });
    const root = mkdtempSync(path.join(tmpdir(), 'vsr1-async-'));
    model.save(path.join(root, 'sync'));
    await model.saveAsync(path.join(root, 'async'));
    const bytes = (d: string) => readFileSync(path.join(root, d, 'model.safetensors'));
    expect(bytes('async').equals(bytes('sync'))).toBe(true);
    const back = await QwenVLModel.load(path.join(root, 'async'));
    for (const [k, t] of model.params) expect(back.params.get(k)!.toFlatArray(), k).toEqual(t.toFlatArray());
    back.dispose();
    model.dispose();
  });
});
