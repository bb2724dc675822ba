/**
 * The update path makes every tensor on the model's device. On a CPU-only machine a tensor made
 * on the CPU by mistake goes unnoticed (model and mistake share the CPU), so the model is put on
 * libtorch's lazy-tensor device: it computes on the CPU but any op that mixes a lazy tensor with
 * a CPU one throws ("Input tensor is not a lazy tensor"). The micro-batch step (packing or
 * padding, scoring, old/ref rows, advantages, channel masks, the loss and backward) must run there,
 * leave its metrics and gradients on that device, and compute the same loss as on the CPU.
 */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import type { EncodedPrompt } from '../../lib/rollout/collate.js';
import { readScalars } from '../../lib/grpo/index.js';
import { microBatchStep, type UpdateBatch, type UpdateSettings } from '../../lib/train/grpo/policy_update.js';

const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 64, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1,
  num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: true, rope_scaling: { type: 'mrope', mrope_section: [1, 1, 2] },
  image_token_id: 60, video_token_id: 61, vision_start_token_id: 62, vision_end_token_id: 63, eos_token_id: 59, pad_token_id: 58,
  vision_config: { depth: 1, hidden_size: 8, intermediate_size: 16, num_heads: 1, out_hidden_size: 16, fullatt_block_indexes: [0] },
}, 'device test config');

const prompt = (ids: number[]): EncodedPrompt => ({ text: '', ids, rawIds: ids, pixelValues: null, numPatches: 0, imageGridThw: [] });
const prompts = [prompt([1, 2, 3]), prompt([4, 5, 6, 7, 8])];
const responses = [[9, 10, 59], [11, 59]];
const rows = (...xs: number[][]) => xs.map((x) => Float32Array.from(x));
const old = rows([-1, -2, -3], [-1, -1]);

function settings(packed: boolean): UpdateSettings {
  return {
    miniBatch: 2, microBatch: 2, packed, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: { coef: 0.01, type: 'low_var_kl' }, aggregation: 'token', maxGradNorm: 1,
    collate: { padId: 58, imageTokenId: 60, mergeSize: 2 },
  };
}

const single: UpdateBatch = { prompts, responses, advantages: [1, -1], oldLogProbs: old, refLogProbs: old };
const multi: UpdateBatch = {
  prompts, responses, oldLogProbs: old, refLogProbs: old,
  channels: [
    { name: 'ans', advantages: [1, -1], weight: 1, klCoef: 0.1, masks: rows([0, 1, 1], [1, 1]) },
    { name: 'vis', advantages: [0.5, -0.5], weight: 1, klCoef: 0, sequence: 'pass2' },
  ],
  pass2: { prompts, responses: [[12, 59], [13, 14, 59]], oldLogProbs: rows([-1, -1], [-1, -1, -1]), refLogProbs: rows([-1, -1], [-1, -1, -1]) },
};

describe('update path device placement', () => {
  torch.lazyDevice.init();
  for (const [name, batch] of [['single reward', single], ['multi-reward with span masks and pass 2', multi]] as const) {
    for (const packed of [true, false]) {
      it(`${name}, ${packed ? 'packed' : 'padded'}: everything stays on the model's device`, async () => {
        const cpu = QwenVLModel.fromConfig(cfg, { seed: 1, initStd: 0.3 });
        const model = QwenVLModel.fromConfig(cfg, { device: 'lazy' });
        torch.noGrad(() => { for (const [n, p] of model.params) torch.scope(() => { p.copy_(cpu.params.get(n)!.to('lazy')); }); });
        const params = model.setTrainable(() => true);
        cpu.setTrainable(() => true);
        try {
          const plan = { idx: [0, 1], mini: [0, 1], gradAccum: 1 };
          const named = await microBatchStep(model, batch, settings(packed), plan);
          expect(named.length).toBeGreaterThan(5);
          for (const [k, t] of named) expect(t.device, `metric ${k}`).toBe('lazy:0');
          const withGrad = params.filter((p) => p.grad !== null);
          expect(withGrad.length).toBeGreaterThan(0);
          for (const p of withGrad) expect(p.grad!.device).toBe('lazy:0');
          // The same computation as on the CPU.
          const onCpu = await microBatchStep(cpu, batch, settings(packed), plan);
          const a = readScalars(named), b = readScalars(onCpu);
          expect(a.loss).toBeCloseTo(b.loss, 5);
          expect(Number.isFinite(a.loss) && a.loss !== 0).toBe(true);
          for (const [, t] of [...named, ...onCpu]) t.dispose();
        } finally {
          model.dispose();
          cpu.dispose();
        }
      });
    }
  }
});
