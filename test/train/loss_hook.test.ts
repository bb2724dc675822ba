/**
 * The update loop's loss hook (UpdateSettings.loss, runGrpo's `loss`): the hook's loss is the
 * one backpropagated, its named metrics are logged, and a hook that returns the default loss
 * gives the default update bit for bit. Imported through the package's `vision-sr1/rl` entry.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { grpoMicroBatchLossTensors, loadStack, policyUpdate, ppoClipLossTensors, type GrpoLossInput, type PolicyLossHook } from '../../lib/rl.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';

describe('policyUpdate loss hook', () => {
  it('backpropagates the hook\'s loss and logs its metrics; the default loss as a hook changes nothing', async () => {
    const dir = createTinyCheckpoint(path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-hook-')), 'm'), { seed: 3 });
    const run = async (loss: PolicyLossHook | undefined) => {
      const st = await loadStack({ weightsDir: dir, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
      const prompts = await Promise.all(['how many red shapes are there ?', 'is there a blue circle ?', 'what colour is the square ?'].map((q) => st.encoder.encode({ content: [{ type: 'text', text: q }], images: [] })));
      const responses = ['<think> count </think> \\boxed{2}', '<think> look </think> \\boxed{yes}', '<think> see </think> \\boxed{red} and more'].map((r) => st.encoder.encodeResponse(r));
      const collate = { padId: st.model.config.padTokenId, imageTokenId: st.model.config.imageTokenId, mergeSize: 2 };
      const params = st.model.setTrainable(() => true);
      const opt = new torch.AdamW(params, { lr: 1e-2 });
      const m = await policyUpdate(st.model, opt, { prompts, responses, advantages: [1, -0.5, 0.25], oldLogProbs: null, refLogProbs: null }, {
        miniBatch: 3, microBatch: 2, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: null, aggregation: 'micro-token-mean', maxGradNorm: 1e9, collate, ...(loss ? { loss } : {}),
      });
      const w = params.map((p) => p.toFlatArray());
      opt.dispose();
      st.model.dispose();
      return { m, w };
    };
    const calls: Array<{ B: number; R: number; gradAccum: number }> = [];
    const asDefault: PolicyLossHook = (x: GrpoLossInput) => { calls.push({ B: x.logProbs.shape[0], R: x.logProbs.shape[1], gradAccum: x.context.gradAccum }); return grpoMicroBatchLossTensors(x); };
    // Dr. GRPO's token sum: Σ_t loss / a constant, no per-response length normalisation.
    const tokenSum: PolicyLossHook = (x) => torch.scope(() => {
      const loss = ppoClipLossTensors(x).losses.mul(x.responseMask).sum(1).div(64).mean().div(x.context.gradAccum);
      return { loss, named: [['token_sum_loss', loss.detach()]] };
    });
    const plain = await run(undefined), same = await run(asDefault), custom = await run(tokenSum);
    expect(calls.map((c) => c.gradAccum)).toEqual([2, 2]); // one call per micro-batch (2 + 1 samples)
    expect(calls.map((c) => c.B)).toEqual([2, 1]);
    expect(same.w).toEqual(plain.w);
    expect(same.m['actor/grad_norm']).toBe(plain.m['actor/grad_norm']);
    expect(custom.m['actor/token_sum_loss']).toBeTypeOf('number');
    expect(custom.m['actor/pg_loss']).toBeUndefined(); // the default loss did not run
    // A different objective, so a different gradient (its norm before clipping).
    expect(Math.abs(custom.m['actor/grad_norm'] / plain.m['actor/grad_norm'] - 1)).toBeGreaterThan(1e-3);
  }, 120_000);

  it('refuses a hook on a multi-reward batch', async () => {
    const dir = createTinyCheckpoint(path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-hook-')), 'm'), { seed: 4 });
    const st = await loadStack({ weightsDir: dir, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
    const p = await st.encoder.encode({ content: [{ type: 'text', text: 'q ?' }], images: [] });
    const opt = new torch.AdamW(st.model.setTrainable(() => true), { lr: 1e-3 });
    const collate = { padId: st.model.config.padTokenId, imageTokenId: st.model.config.imageTokenId, mergeSize: 2 };
    await expect(policyUpdate(st.model, opt, { prompts: [p], responses: [[1, 2]], channels: [{ name: 'ans', advantages: [1], weight: 1, klCoef: 0 }], oldLogProbs: null, refLogProbs: null }, {
      miniBatch: 1, microBatch: 1, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: null, aggregation: 'micro-token-mean', maxGradNorm: 1, collate, loss: grpoMicroBatchLossTensors,
    })).rejects.toThrow(/custom loss.*reward channels/);
    opt.dispose();
    st.model.dispose();
  });
});
