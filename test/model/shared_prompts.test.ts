/**
 * Packed batches that hold each prompt once for its samples (lib/rollout/pack_shared.ts), against
 * the one-sample-per-sequence packed layout that packed.test.ts checks against left padding: in
 * fp64, the log-probs, entropies and every parameter gradient are the same, for prompts with and
 * without images, samples of one prompt out of order, a prompt with one sample, and an empty
 * response; with activation checkpointing too. Bad shared-prefix boundaries are refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { packBatch, type TrainingBatch } from '../../lib/rollout/pack.js';
import { trainingBatch } from '../../lib/rollout/training_batch.js';
import { packSharedPrompts, promptGroups } from '../../lib/rollout/pack_shared.js';
import { scoreResponses } from '../../lib/rollout/score_responses.js';
import { expectClose } from '../helpers/tensors.js';
import { encodedPrompt, expectSameScores, packedCollateOptions, packedTestConfig, scoreWithGrads } from './packed_fixtures.js';
import { textIds, TOK } from './fixtures.js';



const A = encodedPrompt(textIds(5, 1), [1, 12, 4], 11), Bp = encodedPrompt(textIds(9, 2), null, 0), C = encodedPrompt(textIds(3, 3), [1, 4, 4], 13);
// A has three samples (one out of order), B two (one of them empty), C one.
const prompts = [A, A, Bp, C, A, Bp];
const responses = [textIds(4, 4), textIds(7, 5), textIds(3, 6), [TOK.imEnd], textIds(2, 7), []];


describe('packed batches with shared prompts', () => {
  const model = QwenVLModel.fromConfig(packedTestConfig, { seed: 3, initStd: 0.2, dtype: 'float64' });
  model.setTrainable(() => true);
  const R = Math.max(...responses.map((r) => r.length));
  const weights = torch.randn([prompts.length, R], { generator: new torch.Generator(7), dtype: 'float64' });
  afterAll(() => { weights.dispose(); model.dispose(); });

  it('groups samples by prompt: the same object, or the same ids and pixel buffer', () => {
    const copyOfA = { ...A, ids: [...A.ids] };
    const otherPixels = { ...A, pixelValues: Float32Array.from(A.pixelValues!) };
    expect(promptGroups([A, Bp, copyOfA, otherPixels, A])).toEqual([[0, 2, 4], [1], [3]]);
  });

  it('holds each prompt once, its responses reading it as a shared prefix', () => {
    const shared = packSharedPrompts(prompts, responses, packedCollateOptions);
    const pa = A.ids.length, pb = Bp.ids.length, pc = C.ids.length;
    // [A, rA0, rA1, rA4, B, rB2, C + rC3]; B's empty response has no sequence.
    const lens = [pa, 4, 7, 2, pb, 3, pc + 1];
    const cu = lens.reduce((acc, l) => [...acc, acc[acc.length - 1] + l], [0]);
    expect(shared.cuSeqlens).toEqual(cu);
    expect(shared.segmentPrefix).toEqual([-1, 0, 0, 0, -1, 4, -1]);
    expect(shared.responseStarts.slice(0, 5)).toEqual([cu[1], cu[2], cu[5], cu[6] + pc, cu[3]]);
    expect(shared.inputIds.shape).toEqual([1, cu[cu.length - 1]]);
    expect(shared.pixelValues!.shape[0]).toBe(48 + 16);  // A and C once each
    // Every response of A continues A's positions: the first text position after the prompt.
    const pos = shared.positionIds.toArray() as number[][][];
    const afterA = pos[0][0][pa - 1] + 1;
    for (const s of [1, 2, 3]) expect(pos[0][0][cu[s]]).toBe(afterA);
    shared.dispose();
  });

  it('equals one sequence per sample in log-probs, entropy and every gradient (fp64)', () => {
    const plain = packBatch(prompts, responses, packedCollateOptions);
    const shared = trainingBatch(prompts, responses, { ...packedCollateOptions, packed: true, sharePrompts: true });
    expectSameScores(scoreWithGrads(model, shared, weights), scoreWithGrads(model, plain, weights), 'shared vs plain');
    model.setGradientCheckpointing(true);
    try {
      expectSameScores(scoreWithGrads(model, shared, weights), scoreWithGrads(model, plain, weights), 'shared vs plain, checkpointed');
    } finally {
      model.setGradientCheckpointing(false);
      plain.dispose();
      shared.dispose();
    }
  });

  it('matches in fp32 to float rounding, and frees every tensor it made', () => {
    const live = torch.memoryStats().liveTensors;
    const m32 = QwenVLModel.fromConfig(packedTestConfig, { seed: 3, initStd: 0.2 });
    const o32 = { ...packedCollateOptions, pixelDtype: 'float32' as const };
    const plain = packBatch(prompts, responses, o32), shared = packSharedPrompts(prompts, responses, o32);
    const lp = (b: TrainingBatch) => torch.scope(() => scoreResponses(m32, b).logProbs.mul(b.responseMask!).toFlatArray());
    expectClose(lp(shared), lp(plain), 1e-5, 1e-5, 'fp32 log-probs');
    plain.dispose(); shared.dispose(); m32.dispose();
    expect(torch.memoryStats().liveTensors).toBe(live);
  });

  it('refuses a prefix that is not an earlier sequence without its own prefix, and shared prompts without packing', () => {
    const shared = packSharedPrompts(prompts, responses, packedCollateOptions);
    const forward = { ...shared, segmentPrefix: [1, -1, 0, 0, -1, 4, -1] };
    expect(() => scoreResponses(model, forward)).toThrow(/sequence 0 has shared prefix 1; a prefix must be an earlier sequence/);
    const chained = { ...shared, segmentPrefix: [-1, 0, 1, 0, -1, 4, -1] };
    expect(() => scoreResponses(model, chained)).toThrow(/sequence 2 has shared prefix 1/);
    const short = { ...shared, segmentPrefix: [-1, 0] };
    expect(() => scoreResponses(model, short)).toThrow(/2 segmentPrefix entries for 7 sequences/);
    expect(() => trainingBatch(prompts, responses, { ...packedCollateOptions, packed: false, sharePrompts: true })).toThrow(/shared prompts need the packed layout/);
    shared.dispose();
  });
});
