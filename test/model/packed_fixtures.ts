/**
 * Fixtures of the packed-layout tests (packed.test.ts, shared_prompts.test.ts): a tiny model
 * config whose vision tower has a windowed and a full-attention block, encoded prompts with or
 * without an image, and the comparison of log-probs, entropies and every parameter gradient.
 */
import { expect } from 'vitest';
import { torch } from '../../lib/index.js';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import type { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import type { EncodedPrompt } from '../../lib/rollout/collate.js';
import type { TrainingBatch } from '../../lib/rollout/pack.js';
import { scoreResponses } from '../../lib/rollout/score_responses.js';
import { expectClose } from '../helpers/tensors.js';
import { imageBlock, randomPixels, TOK, VOCAB } from './fixtures.js';

export const packedTestConfig = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: VOCAB, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, tie_word_embeddings: false, rope_scaling: { type: 'mrope', mrope_section: [1, 1, 2] },
  image_token_id: TOK.imagePad, video_token_id: TOK.videoPad, vision_start_token_id: TOK.visionStart, vision_end_token_id: TOK.visionEnd,
  eos_token_id: TOK.imEnd, pad_token_id: TOK.endOfText,
  // Block 0 attends within 112-px windows, block 1 over the whole image.
  vision_config: { depth: 2, hidden_size: 16, intermediate_size: 32, num_heads: 2, out_hidden_size: 32, fullatt_block_indexes: [1], window_size: 112 },
}, 'packed test config');

export const packedCollateOptions = { padId: TOK.endOfText, imageTokenId: TOK.imagePad, mergeSize: 2, pixelDtype: 'float64' as const };

/** An encoded prompt: `text` with an image block after its first two tokens when `grid` is given. */
export function encodedPrompt(text: number[], grid: [number, number, number] | null, seed: number): EncodedPrompt {
  const ids = grid ? [...text.slice(0, 2), ...imageBlock(grid), ...text.slice(2)] : text;
  const numPatches = grid ? grid[0] * grid[1] * grid[2] : 0;
  return { text: '', ids, rawIds: ids, pixelValues: grid ? randomPixels(numPatches, seed) : null, numPatches, imageGridThw: grid ? [grid] : [] };
}

export interface Scored { lp: number[]; ent: number[]; grads: Map<string, number[] | null> }

/** Log-probs and entropy (T 0.7) of a batch, and every parameter's gradient of Σ weights·mask·logp. */
export function scoreWithGrads(model: QwenVLModel, batch: TrainingBatch, weights: torch.Tensor): Scored {
  for (const p of model.params.values()) p.grad = null;
  return torch.scope(() => {
    const { logProbs, entropy } = scoreResponses(model, batch, { temperature: 0.7, entropy: true });
    logProbs.mul(weights).mul(batch.responseMask!).sum().backward();
    const grads = new Map([...model.params].map(([n, p]) => [n, p.grad?.toFlatArray() ?? null]));
    return { lp: logProbs.mul(batch.responseMask!).toFlatArray(), ent: entropy!.mul(batch.responseMask!).toFlatArray(), grads };
  });
}

/** Same values (fp64 tolerances) and a gradient for every parameter on both sides. */
export function expectSameScores(a: Scored, b: Scored, what: string, gradRtol = 1e-8): void {
  expectClose(a.lp, b.lp, 1e-9, 1e-10, `${what}: log-probs`);
  expectClose(a.ent, b.ent, 1e-9, 1e-10, `${what}: entropy`);
  let compared = 0;
  for (const [name, g] of a.grads) {
    const h = b.grads.get(name)!;
    expect(g === null, `${what}: grad presence of ${name}`).toBe(h === null);
    if (g && h) { expectClose(g, h, gradRtol, 1e-10, `${what}: grad of ${name}`); compared++; }
  }
  // Every parameter gets a gradient: the batches have images, and the LM head is untied.
  expect(compared).toBe(a.grads.size);
}
