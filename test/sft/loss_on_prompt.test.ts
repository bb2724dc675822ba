/**
 * trainer.loss_on_prompt: the cross-entropy also covers the prompt tokens, except the image pads,
 * the padding and each row's first token. Checked against log_softmax of the full logits.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { collate, type CollatedBatch } from '../../lib/rollout/collate.js';
import { trainingBatch } from '../../lib/rollout/training_batch.js';
import { sftMicroStep } from '../../lib/train/sft/loss.js';
import { expectClose } from '../helpers/tensors.js';
import { DecodedImageCache } from '../../lib/rollout/image_cache.js';
import { runSft } from '../../lib/train/sft/sft.js';
import { prepareExamples } from '../../lib/train/sft/batch.js';
import { promptLossMask, promptLossTokens, sftPromptLossMicroStep } from '../../lib/train/sft/prompt_loss.js';
import { loadModelStack, loadSftData } from '../../lib/train/sft/setup.js';
import { cleanup, sftConfig, smallWorld, tempDir, tinyModel } from './fixtures.js';

let world: string;
let model: string;

beforeAll(async () => {
  const root = tempDir();
  world = await smallWorld(join(root, 'world'), 24, 4);
  model = tinyModel(join(root, 'model'));
});
afterAll(cleanup);

describe('SFT loss on prompt tokens', () => {
  it('sums log p of every prompt and response token but image pads, padding and the first token', async () => {
    const cfg = sftConfig(world, model, join(tempDir(), 'run'));
    const { model: m, encoder } = await loadModelStack(cfg, model, 'float32', 'cpu');
    try {
      m.setTrainable(() => true);
      const data = await loadSftData(cfg, () => {});
      // One record of each style: different prompt lengths (left padding) and one without images.
      const recs = ['see-think', 'cot', 'caption-reasoner'].map((s) => data.train.find((r) => r.style === s)!);
      const prepared = await prepareExamples(recs, encoder, new DecodedImageCache(), cfg.data.max_length);
      const pad = m.config.imageTokenId;
      const batch = collate(prepared.map((e) => e.prompt), prepared.map((e) => e.response), { padId: m.config.padTokenId, imageTokenId: pad, mergeSize: m.config.vision.spatialMergeSize });
      try {
        const tokens = promptLossTokens(prepared, pad);
        expect(promptLossMask(batch, pad).sum().item()).toBe(tokens);
        expect(tokens).toBeGreaterThan(prepared.reduce((a, e) => a + e.response.length, 0));
        const ours = await sftPromptLossMicroStep(m, batch, tokens, pad);
        // Reference: log_softmax over the full logits, masked by hand from the token lists.
        const lp = torch.noGrad(() => m.forward(batch).logSoftmax(-1)).toArray() as number[][][];
        const L = batch.inputIds.shape[1];
        let want = 0, counted = 0;
        prepared.forEach((e, b) => {
          const seq = [...e.prompt.ids, ...e.response];
          const start = batch.promptLength - e.prompt.ids.length; // left padding
          for (let j = 1; j < seq.length; j++) {
            if (seq[j] === pad) continue;
            want -= lp[b][start + j - 1][seq[j]];
            counted++;
          }
          expect(start + seq.length).toBeLessThanOrEqual(L);
        });
        expect(counted).toBe(tokens);
        expect(Math.abs(ours - want)).toBeLessThan(1e-3 * Math.max(1, Math.abs(want)));
        const g = m.parameters().find((p) => p.grad !== null);
        expect(g, 'backward ran').toBeDefined();
      } finally {
        batch.dispose();
      }
    } finally {
      m.dispose();
    }
  }, 60_000);

  it('a packed batch (span sequence) gives the same loss and gradients as the padded one', async () => {
    const cfg = sftConfig(world, model, join(tempDir(), 'run'));
    const { model: m, encoder } = await loadModelStack(cfg, model, 'float32', 'cpu');
    try {
      const params = m.setTrainable(() => true);
      const data = await loadSftData(cfg, () => {});
      const recs = ['see-think', 'cot', 'caption-reasoner'].map((s) => data.train.find((r) => r.style === s)!);
      const prepared = await prepareExamples(recs, encoder, new DecodedImageCache(), cfg.data.max_length);
      const pad = m.config.imageTokenId, tokens = promptLossTokens(prepared, pad);
      const o = { padId: m.config.padTokenId, imageTokenId: pad, mergeSize: m.config.vision.spatialMergeSize };
      const run = async (packed: boolean) => {
        for (const p of params) p.grad = null;
        const b = trainingBatch(prepared.map((e) => e.prompt), prepared.map((e) => e.response), { ...o, packed, span: packed ? 'sequence' : 'response' });
        try {
          const nll = packed ? await sftMicroStep(m, b, tokens) : await sftPromptLossMicroStep(m, b as CollatedBatch, tokens, pad);
          return { nll, grads: params.map((p) => p.grad!.toFlatArray()) };
        } finally {
          b.dispose();
        }
      };
      const padded = await run(false), packed = await run(true);
      expect(Math.abs(packed.nll - padded.nll)).toBeLessThan(1e-4 * Math.abs(padded.nll));
      packed.grads.forEach((g, i) => expectClose(g, padded.grads[i], 1e-3, 1e-6, `grad ${i}`));
    } finally {
      m.dispose();
    }
  }, 60_000);

  it('a run with loss_on_prompt trains on more tokens than one without', async () => {
    const over = ['trainer.max_steps=2'];
    const off = await runSft(sftConfig(world, model, join(tempDir(), 'off'), over), { log: () => {}, quietProgress: true });
    const on = await runSft(sftConfig(world, model, join(tempDir(), 'on'), [...over, 'trainer.loss_on_prompt=true']), { log: () => {}, quietProgress: true });
    expect(on.losses.every((l) => Number.isFinite(l.loss))).toBe(true);
    expect(on.losses[0].loss).not.toBeCloseTo(off.losses[0].loss, 3); // step 1: the same initial weights, another objective
  }, 60_000);
});
