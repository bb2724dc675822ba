/**
 * Multi-reward token masks (docs/method.md, "Channel token masks"): the description span of a response in tokens, and
 * the update of each option (a: all pass-1 tokens, b: spans, c: the vis channel on the pass-2
 * tokens). On-policy, the PPO ratio is 1, so a channel's token-mean policy loss is exactly
 * −Σ_i A_i·n_i / Σ_i n_i over the tokens it trains: the loss value tells which tokens those were.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { descriptionSpanMasks, descriptionSpanTokens } from '../../lib/train/grpo/channel_masks.js';
import { loadStack } from '../../lib/rollout/model_stack.js';
import { policyUpdate, type UpdateChannel } from '../../lib/train/grpo/policy_update.js';
import { qwenTokenizerDir } from '../processor/fixtures.js';

const RESPONSE = '<description> there is a red circle — ünïcode 圆 </description> <think> count </think> \\boxed{1}';

describe('description span in tokens', () => {
  it('is the shortest prefix that holds the whole block, with the real Qwen BPE (multi-token tags, multi-byte text)', async () => {
    const tok = await QwenTokenizer.fromDir(qwenTokenizerDir());
    const decode = (ids: readonly number[]) => tok.decode(ids);
    const ids = tok.encode(RESPONSE);
    const k = descriptionSpanTokens(ids, decode);
    expect(decode(ids.slice(0, k))).toMatch(/<\/description>$/);
    expect(decode(ids.slice(0, k - 1))).not.toMatch(/<\/description>/);
    expect(decode(ids.slice(k))).toBe(' <think> count </think> \\boxed{1}');
    const m = descriptionSpanMasks([ids, tok.encode('<think> no description </think> \\boxed{1}')], decode);
    expect(Array.from(m.description[0]).reduce((a, b) => a + b, 0)).toBe(k);
    expect(Array.from(m.rest[0]).reduce((a, b) => a + b, 0)).toBe(ids.length - k);
    expect(Array.from(m.description[1]).every((x) => x === 0)).toBe(true);
    expect(Array.from(m.rest[1]).every((x) => x === 1)).toBe(true);
  });
});

describe('multi-reward update, per token mask', () => {
  it('each channel trains exactly its tokens (a, b, c), and a sample without pass 2 trains none', async () => {
    const dir = createTinyCheckpoint(path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-mr-')), 'm'), { seed: 3 });
    const st = await loadStack({ weightsDir: dir, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
    const enc = st.encoder;
    const decode = (ids: readonly number[]) => st.tokenizer.decode(ids);
    const prompts = await Promise.all(['how many red shapes are there ?', 'is there a blue circle ?', 'what colour is the square ?'].map((q) => enc.encode({ content: [{ type: 'text', text: q }], images: [] })));
    const responses = [
      enc.encodeResponse('<description> there is a red circle </description> <think> count the red shapes </think> \\boxed{1}'),
      enc.encodeResponse('<description> there are 2 shapes </description> <think> look </think> \\boxed{yes}'),
      enc.encodeResponse('<think> no description here </think> \\boxed{red}'),
    ];
    const p2Prompts = await Promise.all(['there is a red circle . how many red shapes are there ?', 'there are 2 shapes . is there a blue circle ?'].map((q) => enc.encode({ content: [{ type: 'text', text: q }], images: [] })));
    const pass2 = {
      prompts: [p2Prompts[0], p2Prompts[1], p2Prompts[0]],
      responses: [enc.encodeResponse('<think> one red circle </think> \\boxed{1}'), enc.encodeResponse('\\boxed{no}'), []],
      oldLogProbs: null, refLogProbs: null,
    };
    const ans = [0.5, -1.5, 1], vis = [1, -0.25, 2];
    const collate = { padId: st.model.config.padTokenId, imageTokenId: st.model.config.imageTokenId, mergeSize: 2 };
    const spans = descriptionSpanMasks(responses, decode);
    const run = async (channels: UpdateChannel[]) => {
      const params = st.model.setTrainable(() => true);
      const opt = new torch.AdamW(params, { lr: 0 }); // measure the loss only; weights stay put
      const m = await policyUpdate(st.model, opt, { prompts, responses, channels, pass2, oldLogProbs: null, refLogProbs: null }, {
        miniBatch: 3, microBatch: 3, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: null, aggregation: 'micro-token-mean', maxGradNorm: 1e9, collate,
      });
      opt.dispose();
      return m;
    };
    const expected = (A: number[], n: number[]) => -A.reduce((a, x, i) => a + x * n[i], 0) / n.reduce((a, b) => a + b, 0);
    const count = (m: Float32Array) => m.reduce((a, b) => a + b, 0);
    const ch = (name: string, advantages: number[], extra: Partial<UpdateChannel> = {}): UpdateChannel => ({ name, advantages, weight: 1, klCoef: 0, ...extra });

    // (a) both channels on every pass-1 token
    const a = await run([ch('ans', ans), ch('vis', vis)]);
    const n1 = responses.map((r) => r.length);
    expect(a['actor/ans/pg_loss']).toBeCloseTo(expected(ans, n1), 5);
    expect(a['actor/vis/pg_loss']).toBeCloseTo(expected(vis, n1), 5);
    // (b) vis on the description span, ans on the rest; sample 3 has no span
    const b = await run([ch('ans', ans, { masks: spans.rest }), ch('vis', vis, { masks: spans.description })]);
    expect(spans.description.map(count)[2]).toBe(0);
    expect(b['actor/vis/pg_loss']).toBeCloseTo(expected(vis, spans.description.map(count)), 5);
    expect(b['actor/ans/pg_loss']).toBeCloseTo(expected(ans, spans.rest.map(count)), 5);
    // (c) vis on the pass-2 answer tokens; sample 3 (no pass 2) contributes nothing. The second
    // micro-batch collation and its log-probs leave no tensor behind.
    await run([ch('ans', ans), ch('vis', vis, { sequence: 'pass2' })]);
    const live = torch.memoryStats().liveTensors;
    const c = await run([ch('ans', ans), ch('vis', vis, { sequence: 'pass2' })]);
    expect(torch.memoryStats().liveTensors).toBe(live);
    expect(c['actor/vis/pg_loss']).toBeCloseTo(expected(vis, pass2.responses.map((r) => r.length)), 5);
    expect(c['actor/ans/pg_loss']).toBeCloseTo(expected(ans, n1), 5);
    // The three options really differ (the loss is not the same number relabelled).
    expect(new Set([a, b, c].map((m) => m['actor/vis/pg_loss'].toFixed(4))).size).toBe(3);
    // Gradient flows through the pass-2 log-probs alone when only vis has an advantage.
    const onlyVis = await run([ch('ans', [0, 0, 0]), ch('vis', vis, { sequence: 'pass2' })]);
    expect(onlyVis['actor/grad_norm']).toBeGreaterThan(0);
    // A pass-2 channel without pass-2 sequences is a clear error, not a silent pass-1 update.
    const params = st.model.setTrainable(() => true);
    const opt = new torch.AdamW(params, { lr: 0 });
    await expect(policyUpdate(st.model, opt, { prompts, responses, channels: [ch('vis', vis, { sequence: 'pass2' })], oldLogProbs: null, refLogProbs: null }, {
      miniBatch: 3, microBatch: 3, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: null, aggregation: 'micro-token-mean', maxGradNorm: 1, collate,
    })).rejects.toThrow(/pass-2 tokens but the batch has no pass2/);
    opt.dispose();
    st.model.dispose();
  }, 120_000);
});
