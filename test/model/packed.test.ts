/**
 * Padding-free training batches and activation checkpointing, against the padded reference:
 * in fp64, for unequal prompt and response lengths, with and without images (one image spans two
 * vision windows), the packed log-probs, entropies and every parameter gradient equal those of
 * the same samples left-padded; checkpointed layers give the same values and gradients as plain.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { collate, type EncodedPrompt } from '../../lib/rollout/collate.js';
import { microBatchesByTokens, packBatch } from '../../lib/rollout/pack.js';
import { scoreResponses } from '../../lib/rollout/score_responses.js';
import { encodedPrompt, expectSameScores, packedCollateOptions, packedTestConfig, scoreWithGrads } from './packed_fixtures.js';
import { PATCH_DIM, textIds, TOK } from './fixtures.js';



// Sample 0: an image of 12x4 patches (6x2 merged: two windows); 1: text only; 2: a 4x4 image.
const prompts = [encodedPrompt(textIds(5, 1), [1, 12, 4], 11), encodedPrompt(textIds(9, 2), null, 0), encodedPrompt(textIds(3, 3), [1, 4, 4], 13)];
const responses = [textIds(4, 4), textIds(7, 5), [TOK.imEnd]];


describe('packed training batches', () => {
  const model = QwenVLModel.fromConfig(packedTestConfig, { seed: 3, initStd: 0.2, dtype: 'float64' });
  model.setTrainable(() => true);
  const R = Math.max(...responses.map((r) => r.length));
  const weights = torch.randn([3, R], { generator: new torch.Generator(7), dtype: 'float64' });
  afterAll(() => { weights.dispose(); model.dispose(); });

  it('lays samples end to end with their own positions and boundaries', () => {
    const packed = packBatch(prompts, responses, packedCollateOptions);
    const lens = prompts.map((p, b) => p.ids.length + responses[b].length);
    expect(packed.cuSeqlens).toEqual([0, lens[0], lens[0] + lens[1], lens[0] + lens[1] + lens[2]]);
    expect(packed.responseStarts).toEqual([prompts[0].ids.length, lens[0] + prompts[1].ids.length, lens[0] + lens[1] + prompts[2].ids.length]);
    expect(packed.inputIds.shape).toEqual([1, lens[0] + lens[1] + lens[2]]);
    expect(packed.pixelValues!.shape).toEqual([48 + 16, PATCH_DIM]);
    // The text-only sample's positions restart at 0 and count up.
    const pos = packed.positionIds.toArray() as number[][][];
    expect(pos[0][0].slice(lens[0], lens[0] + 4)).toEqual([0, 1, 2, 3]);
    packed.dispose();
  });

  it('equals the padded batch in log-probs, entropy and every gradient (fp64)', () => {
    const padded = collate(prompts, responses, packedCollateOptions);
    const packed = packBatch(prompts, responses, packedCollateOptions);
    expectSameScores(scoreWithGrads(model, packed, weights), scoreWithGrads(model, padded, weights), 'packed vs padded');
    padded.dispose();
    packed.dispose();
  });

  for (const layout of ['packed', 'padded'] as const) {
    it(`activation checkpointing gives the same values and gradients (${layout}, fp64)`, () => {
      const batch = layout === 'packed' ? packBatch(prompts, responses, packedCollateOptions) : collate(prompts, responses, packedCollateOptions);
      const plain = scoreWithGrads(model, batch, weights);
      model.setGradientCheckpointing(true);
      try {
        expectSameScores(scoreWithGrads(model, batch, weights), plain, `checkpointed vs plain (${layout})`);
      } finally {
        model.setGradientCheckpointing(false);
        batch.dispose();
      }
    });
  }

  it('rejects boundaries that do not cover the packed row', () => {
    const packed = packBatch(prompts, responses, packedCollateOptions);
    const bad = { ...packed, cuSeqlens: [0, 3] };
    expect(() => scoreResponses(model, bad)).toThrow(/cuSeqlens must run from 0 to the packed length/);
    const shuffled = { ...packed, cuSeqlens: [0, packed.cuSeqlens[2], packed.cuSeqlens[1], packed.cuSeqlens[3]] };
    expect(() => scoreResponses(model, shuffled)).toThrow(/empty or the boundaries decrease/);
    packed.dispose();
  });
});

describe('microBatchesByTokens', () => {
  it('caps samples and tokens, keeps order, and gives an oversized sample its own micro-batch', () => {
    const tokens = [5, 5, 5, 20, 1, 1];
    expect(microBatchesByTokens([0, 1, 2, 3, 4, 5], (i) => tokens[i], 8, 10)).toEqual([[0, 1], [2], [3], [4, 5]]);
    expect(microBatchesByTokens([0, 1, 2, 3, 4, 5], (i) => tokens[i], 2, null)).toEqual([[0, 1], [2, 3], [4, 5]]);
  });
});

describe('QwenVLModel.moveTo', () => {
  // Moving between CPU and CUDA (what worker.ref.offload does) needs a GPU; here: the no-op, and
  // a device that cannot hold the weights in place is refused before any weight moved.
  it('refuses a device that cannot hold the weights in place, and leaves the model working', () => {
    const m = QwenVLModel.fromConfig(packedTestConfig, { seed: 1 });
    const ids = torch.tensor([[1, 2, 3]], { dtype: 'int64' });
    const before = torch.scope(() => m.forward({ inputIds: ids }).toFlatArray());
    m.moveTo('cpu');
    expect(() => m.moveTo('meta')).toThrow(/cannot move the model's weights from cpu to meta in place/);
    expect(m.device).toBe('cpu');
    expect(m.parameters().every((p) => p.device === 'cpu')).toBe(true);
    expect(torch.scope(() => m.forward({ inputIds: ids }).toFlatArray())).toEqual(before);
    ids.dispose();
    m.dispose();
  });
});

describe('shared images', () => {
  // A rollout's n samples share one EncodedPrompt: the vision tower then sees its image once and
  // the features go to every sample. Same values and gradients as encoding each copy.
  it('encoding a repeated image once gives the same log-probs and gradients (packed and padded, fp64)', () => {
    const model = QwenVLModel.fromConfig(packedTestConfig, { seed: 4, initStd: 0.2, dtype: 'float64' });
    model.setTrainable(() => true);
    const shared = [prompts[0], prompts[1], prompts[0], prompts[2], prompts[2]];
    const copies = shared.map((p) => ({ ...p, pixelValues: p.pixelValues ? Float32Array.from(p.pixelValues) : null }));
    const resp = [textIds(4, 6), textIds(3, 7), textIds(6, 8), [TOK.imEnd], textIds(2, 9)];
    const weights = torch.randn([5, 6], { generator: new torch.Generator(8), dtype: 'float64' });
    for (const make of [packBatch, collate]) {
      const a = make(shared, resp, packedCollateOptions), b = make(copies, resp, packedCollateOptions);
      expect(a.imageSources).toEqual([0, 0, 1, 1]); // sample 1 is text-only
      expect(a.pixelValues!.shape[0]).toBe(48 + 16);
      expect(b.imageSources).toBeUndefined();
      expectSameScores(scoreWithGrads(model, a, weights), scoreWithGrads(model, b, weights), `shared images (${make.name})`);
      a.dispose();
      b.dispose();
    }
    weights.dispose();
    model.dispose();
  });
});
