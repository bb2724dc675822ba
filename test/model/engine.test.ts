/**
 * The generation engine: decoding with the KV cache equals full recomputation, left padding and
 * n samples per prompt behave, and sampling follows the requested distribution.
 */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { engineTestConfig } from './engine_config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { getRopeIndex } from '../../lib/models/qwen2_5_vl/rope_index.js';
import { sampleTokens } from '../../lib/models/qwen2_5_vl/sampling.js';
import { expectClose } from '../helpers/tensors.js';

const cfg = engineTestConfig({}, 2);

/** The rollout's ban of <|image_pad|> (a sampled one would read as an image slot), as generate's logit bias and as a logits offset. */
const BAN_IMAGE_PAD = { [cfg.imageTokenId]: -100 };
const banOffset = () => torch.tensor(Array.from({ length: cfg.text.vocabSize }, (_, i) => BAN_IMAGE_PAD[i] ?? 0));

/** Full-recompute log-probs and argmax of `tokens` after `prompt` (one row, no cache); `ban` adds BAN_IMAGE_PAD's offset first. */
function recompute(m: QwenVLModel, prompt: number[], tokens: number[], pixels?: torch.Tensor, grid?: number[][], ban = false) {
  return torch.scope(() => {
    const ids = [...prompt, ...tokens];
    const rope = getRopeIndex([ids], null, grid ?? [], { imageTokenId: cfg.imageTokenId });
    const logits = m.forward({ inputIds: torch.tensor([ids]), positionIds: torch.tensor(rope.positionIds, { shape: [3, 1, ids.length], dtype: 'int64' }), pixelValues: pixels, imageGridThw: grid });
    const chosen = logits.narrow(1, prompt.length - 1, tokens.length);
    const lp = (ban ? chosen.add(banOffset()) : chosen).logSoftmax(-1);
    return {
      argmax: lp.argmax(-1).toFlatArray(),
      logProbs: lp.gather(-1, torch.tensor([tokens]).unsqueeze(-1)).toFlatArray(),
    };
  });
}

describe('generation engine', () => {
  const model = QwenVLModel.fromConfig(cfg, { seed: 3, initStd: 0.1 });

  it('greedy decoding with the KV cache equals full recomputation (text and image, left-padded batch)', async () => {
    torch.manualSeed(1);
    const grid = [[1, 8, 8]];
    const pixels = torch.randn([64, 1176]);
    const p1 = [5, 6, 7, 8, 9, 10, 11];
    const p2 = [1, 2, 292, ...Array(16).fill(290), 293, 20, 21];
    const out = await model.generate({ inputIds: [p1, p2], pixelValues: pixels, imageGridThw: grid, maxNewTokens: 24, greedy: true, stopTokenIds: [] });
    expect(out.sequences.map((s) => s.length)).toEqual([24, 24]);
    const r1 = recompute(model, p1, out.sequences[0]);
    expect(out.sequences[0]).toEqual(r1.argmax);
    expectClose(out.logProbs[0], r1.logProbs, 1e-4, 1e-4, 'row 1 log-probs');
    const r2 = recompute(model, p2, out.sequences[1], pixels, grid);
    expect(out.sequences[1]).toEqual(r2.argmax);
    expectClose(out.logProbs[1], r2.logProbs, 1e-4, 1e-4, 'row 2 log-probs');
    // Batched equals unbatched.
    const solo = await model.generate({ inputIds: [p1], maxNewTokens: 24, greedy: true, stopTokenIds: [] });
    expect(solo.sequences[0]).toEqual(out.sequences[0]);
  });

  it('sampled tokens carry the log-probs of a full recomputation; n samples share a prefill; seeds reproduce', async () => {
    const prompt = [3, 4, 5, 6];
    const a = await model.generate({ inputIds: [prompt], n: 4, maxNewTokens: 12, temperature: 1, seed: 11, stopTokenIds: [], logitBias: BAN_IMAGE_PAD });
    const b = await model.generate({ inputIds: [prompt], n: 4, maxNewTokens: 12, temperature: 1, seed: 11, stopTokenIds: [], logitBias: BAN_IMAGE_PAD });
    expect(a.sequences).toEqual(b.sequences);
    expect(new Set(a.sequences.map((s) => s.join(','))).size).toBeGreaterThan(1);
    for (let i = 0; i < 4; i++) {
      expectClose(a.logProbs[i], recompute(model, prompt, a.sequences[i], undefined, undefined, true).logProbs, 1e-4, 1e-4, `sample ${i}`);
    }
  });

  it('stops at a stop token (included) and the logit bias bans a token', async () => {
    const prompt = [3, 4, 5, 6];
    const free = await model.generate({ inputIds: [prompt], maxNewTokens: 16, greedy: true, stopTokenIds: [] });
    const stopAt = free.sequences[0][5];
    const stopped = await model.generate({ inputIds: [prompt], maxNewTokens: 16, greedy: true, stopTokenIds: [stopAt] });
    const first = free.sequences[0].indexOf(stopAt);
    expect(stopped.sequences[0]).toEqual(free.sequences[0].slice(0, first + 1));
    const banned = free.sequences[0][0];
    const biased = await model.generate({ inputIds: [prompt], n: 8, maxNewTokens: 8, temperature: 1, seed: 2, logitBias: { [banned]: -100 }, stopTokenIds: [] });
    expect(biased.sequences.flat()).not.toContain(banned);
  });

  it('streams tokens through onToken', async () => {
    const seen: number[][] = [];
    const out = await model.generate({ inputIds: [[3, 4]], maxNewTokens: 5, greedy: true, stopTokenIds: [], onToken: (_s, t) => seen.push(t) });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((t) => t[0])).toEqual(out.sequences[0]);
  });

  it('rejects mismatched image tokens with a clear error', async () => {
    await expect(model.generate({ inputIds: [[1, 292, 290, 290, 293]], pixelValues: torch.randn([64, 1176]), imageGridThw: [[1, 8, 8]], maxNewTokens: 2 })).rejects.toThrow(/image/);
  });
});

describe('sampling statistics on a fixed logit vector', () => {
  const logits = [2.0, 1.0, 0.5, 0.0, -1.0, -3.0];
  const R = 40000;
  const rows = () => torch.tensor([logits]).expand(R, logits.length).contiguous();
  const freq = (t: torch.Tensor) => {
    const f = Array(logits.length).fill(0);
    for (const v of t.toFlatArray()) f[v]++;
    return f.map((c) => c / R);
  };
  const softmax = (xs: number[]) => { const m = Math.max(...xs); const e = xs.map((x) => Math.exp(x - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((x) => x / s); };

  it('temperature', () => {
    for (const T of [1, 0.5, 2]) {
      const { tokens, logProbs } = sampleTokens(rows(), { temperature: T }, 5);
      expectClose(freq(tokens), softmax(logits.map((l) => l / T)), 0, 0.01, `T=${T}`);
      const p = softmax(logits.map((l) => l / T));
      expect(logProbs.toFlatArray()[0]).toBeCloseTo(Math.log(p[tokens.toFlatArray()[0]]), 5);
    }
  });

  it('top-p keeps the smallest set reaching p, renormalised', () => {
    const p = softmax(logits); // [0.57, 0.21, 0.13, 0.08, ...]
    const { tokens } = sampleTokens(rows(), { topP: 0.8 }, 6);
    const f = freq(tokens);
    // cumulative before token 2 is 0.78 < 0.8, so tokens 0..2 are kept, the rest dropped.
    const kept = p.slice(0, 3), z = kept.reduce((a, b) => a + b, 0);
    expectClose(f, [...kept.map((x) => x / z), 0, 0, 0], 0, 0.01, 'top-p 0.8');
  });

  it('top-k and greedy', () => {
    const p = softmax(logits.slice(0, 2));
    expectClose(freq(sampleTokens(rows(), { topK: 2 }, 7).tokens), [...p, 0, 0, 0, 0], 0, 0.01, 'top-k 2');
    expect(new Set(sampleTokens(rows(), { greedy: true }, 8).tokens.toFlatArray())).toEqual(new Set([0]));
  });
});
