/**
 * The on-policy shortcut: with one optimizer step per rollout, using the update's own detached
 * log-probs as log πold gives the same step as recomputing them beforehand.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { loadStack } from '../../lib/rollout/model_stack.js';
import { responseLogProbs } from '../../lib/rollout/experience.js';
import { policyUpdate } from '../../lib/train/grpo/policy_update.js';

describe('policyUpdate', () => {
  it('on-policy shortcut equals recomputed old log-probs', async () => {
    const dir = createTinyCheckpoint(path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-pu-')), 'm'), { seed: 1 });
    const stacks = await Promise.all([0, 1].map(() => loadStack({ weightsDir: dir, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 })));
    const prompts = await Promise.all(['how many red shapes are there ?', 'is there a blue circle ?'].map((q) => stacks[0].encoder.encode({ content: [{ type: 'text', text: q }], images: [] })));
    const responses = [stacks[0].encoder.encodeResponse('<think> count </think> \\boxed{2}'), stacks[0].encoder.encodeResponse('<think> look </think> \\boxed{yes}')];
    const collate = { padId: stacks[0].model.config.padTokenId, imageTokenId: stacks[0].model.config.imageTokenId, mergeSize: 2 };
    const settings = { miniBatch: 2, microBatch: 1, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: null, aggregation: 'micro-token-mean' as const, maxGradNorm: 1.0, collate };
    const results: Array<{ m: Record<string, number>; w: number[][] }> = [];
    for (const [k, st] of stacks.entries()) {
      const params = st.model.setTrainable(() => true);
      const opt = new torch.AdamW(params, { lr: 1e-2 });
      const old = k === 0 ? await responseLogProbs(st.model, prompts, responses, 2, collate) : null;
      const m = await policyUpdate(st.model, opt, { prompts, responses, advantages: [1, -1], oldLogProbs: old, refLogProbs: null }, settings);
      results.push({ m, w: params.map((p) => p.toFlatArray()) });
    }
    // Same loss and same gradient (its norm before clipping); weights are not compared: Adam's
    // first step is lr·sign(g) per element, so float noise on a near-zero gradient element flips it.
    // The recomputed old log-probs run without autograd, on oneDNN's packed weights: equal to the
    // training forward's to fp32 rounding, so the losses agree to 5 decimals, not bit for bit.
    expect(results[0].m['actor/pg_loss']).toBeCloseTo(results[1].m['actor/pg_loss'], 5);
    expect(Math.abs(results[0].m['actor/grad_norm'] / results[1].m['actor/grad_norm'] - 1)).toBeLessThan(1e-5);
    expect(results[1].m['actor/ppo_kl']).toBe(0); // exactly on-policy
    // The step really moved the weights.
    const init = (await loadStack({ weightsDir: dir, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 })).model.parameters().map((p) => p.toFlatArray());
    expect(init.some((w, i) => w.some((x, j) => x !== results[1].w[i][j]))).toBe(true);
  }, 120_000);

  it('training log-probs score exactly what the engine sampled, at the rollout temperature', async () => {
    // The policy gradient is only right when the update's log π is the distribution the rollout
    // sampled from: same token positions (left-padded prompts, right-padded responses) and the
    // same logits / T. The engine reports the log-prob of each sampled token; recompute them.
    const dir = createTinyCheckpoint(path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-pu-')), 'm'), { seed: 2 });
    const st = await loadStack({ weightsDir: dir, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
    const prompts = await Promise.all(['how many red shapes are there ?', 'is there a blue circle left of the green square ?'].map((q) => st.encoder.encode({ content: [{ type: 'text', text: q }], images: [] })));
    const collate = { padId: st.model.config.padTokenId, imageTokenId: st.model.config.imageTokenId, mergeSize: 2 };
    // No logit bias here: the engine reports log-probs after the bias (renormalised without the
    // banned token) while training scores the plain policy, as verl does. A random model may sample
    // <|image_pad|>, which no text-only forward pass accepts: such rows are left out.
    const pad = st.model.config.imageTokenId;
    for (const temperature of [1, 0.7]) {
      const out = await st.model.generate({ inputIds: prompts.map((p) => p.ids), n: 4, maxNewTokens: 12, temperature, topP: 1, seed: 5, stopTokenIds: [] });
      const keep = out.sequences.map((s, i) => (s.includes(pad) ? -1 : i)).filter((i) => i >= 0);
      expect(keep.length).toBeGreaterThanOrEqual(4);
      const rows = keep.map((i) => prompts[Math.floor(i / 4)]);
      const seqs = keep.map((i) => out.sequences[i]);
      const lp = await responseLogProbs(st.model, rows, seqs, 3, collate, temperature);
      const other = await responseLogProbs(st.model, rows, seqs, 3, collate, temperature === 1 ? 0.7 : 1);
      // The same with each prompt held once per micro-batch, its samples reading it as a shared prefix.
      const shared = await responseLogProbs(st.model, rows, seqs, 8, { ...collate, sharePrompts: true }, temperature);
      let maxDiff = 0, otherDiff = 0, sharedDiff = 0;
      keep.forEach((i, k) => lp[k].forEach((x, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(x - out.logProbs[i][j]));
        otherDiff = Math.max(otherDiff, Math.abs(other[k][j] - out.logProbs[i][j]));
        sharedDiff = Math.max(sharedDiff, Math.abs(shared[k][j] - out.logProbs[i][j]));
      }));
      expect(lp.map((r) => r.length)).toEqual(seqs.map((s) => s.length));
      expect(shared.map((r) => r.length)).toEqual(seqs.map((s) => s.length));
      expect(maxDiff).toBeLessThan(1e-4);
      expect(sharedDiff).toBeLessThan(1e-4);
      expect(otherDiff).toBeGreaterThan(1e-2); // the temperature really matters
    }
    st.model.dispose();
  }, 120_000);
});
