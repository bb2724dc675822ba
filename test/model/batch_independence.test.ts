/**
 * The engine's samples depend on the sequence, not on the batch: dropping stopped rows
 * (compaction) changes nothing, and a sequence generated alone, under its sequence id, equals
 * the same sequence generated in a batch (greedy and sampled, with stops at varied lengths), and
 * continuous batching (a few decode slots refilled with pending sequences) gives the same sequences.
 */
import { describe, expect, it } from 'vitest';
import { engineTestConfig } from './engine_config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { torch } from '../../lib/index.js';
import { expectClose } from '../helpers/tensors.js';

const cfg = engineTestConfig({}, 1);
const model = QwenVLModel.fromConfig(cfg, { seed: 3, initStd: 0.5 });
// 30 of 300 tokens stop a row: lengths spread from 1 to the limit, so rows stop at different steps.
const STOPS = Array.from({ length: 30 }, (_, i) => 10 + i * 9);
const prompts = [[3, 4, 5, 6], [7, 8], [9, 10, 11, 12, 13, 14], [15]];
const base = { inputIds: prompts, n: 3, maxNewTokens: 40, stopTokenIds: STOPS, logitBias: { 290: -100 }, seed: 5 };

describe('batch independence of the generation engine', () => {
  for (const mode of [{ name: 'sampled', temperature: 1, topP: 0.9 }, { name: 'greedy', greedy: true }]) {
    it(`${mode.name}: compaction changes nothing, and each sequence alone equals its batched self`, async () => {
      const compact = await model.generate({ ...base, ...mode });
      const full = await model.generate({ ...base, ...mode, compactFinished: false });
      expect(compact.sequences).toEqual(full.sequences);
      // Log-probs agree to float rounding: batches of different sizes round differently.
      compact.logProbs.forEach((lp, i) => expectClose(lp, full.logProbs[i], 1e-4, 1e-4, `row ${i}`));
      expect(compact.decodedRows).toBeLessThan(full.decodedRows); // stopped rows left the batch
      const lengths = compact.sequences.map((s) => s.length);
      expect(new Set(lengths).size, `lengths ${lengths}`).toBeGreaterThan(3);
      for (let i = 0; i < prompts.length; i++) {
        for (let j = 0; j < base.n; j++) {
          const id = i * base.n + j;
          const alone = await model.generate({ ...base, ...mode, inputIds: [prompts[i]], n: 1, firstSequenceId: id });
          expect(alone.sequences[0], `sequence ${id}`).toEqual(compact.sequences[id]);
          expectClose(alone.logProbs[0], compact.logProbs[id], 1e-4, 1e-4, `sequence ${id}`);
        }
      }
    });
  }

  for (const mode of [{ name: 'sampled', temperature: 1, topP: 0.9 }, { name: 'greedy', greedy: true }]) {
    it(`${mode.name}: continuous batching (slots refilled as rows stop) gives the whole batch's sequences`, async () => {
      const whole = await model.generate({ ...base, ...mode });
      const staticRows = (await model.generate({ ...base, ...mode, compactFinished: false })).decodedRows;
      for (const maxRows of [1, 4, 5]) {
        const cont = await model.generate({ ...base, ...mode, maxRows });
        expect(cont.sequences, `maxRows ${maxRows}`).toEqual(whole.sequences);
        cont.logProbs.forEach((lp, i) => expectClose(lp, whole.logProbs[i], 1e-4, 1e-4, `maxRows ${maxRows}, row ${i}`));
        // The share of decode work on live rows: refilled slots stay busy, a static batch idles stopped rows.
        const tokens = cont.sequences.reduce((a, q) => a + q.length, 0);
        expect(tokens / cont.decodedRows, `maxRows ${maxRows}`).toBeGreaterThan(tokens / staticRows);
        // One copy of its prompt's keys and values per sequence: 12 sequences x 2 layers x (k, v) x
        // 2 kv heads x 6 columns (the longest prompt) x head dim 16 x 4 bytes.
        expect(cont.promptCopy.bytes, `maxRows ${maxRows}`).toBe(12 * 2 * 2 * 2 * 6 * 16 * 4);
        expect(cont.promptCopy.seconds).toBeGreaterThanOrEqual(0);
      }
      expect(whole.promptCopy).toEqual({ bytes: 0, seconds: 0 });
    });
  }

  it('the sequence-keyed sampler draws from the softmax: first-token frequencies over 4000 sequences, top-k 5 and top-p', async () => {
    const prompt = [3, 4, 5];
    // Plain arrays out of a scope: no tensor outlives this block.
    const { top, p, all } = torch.scope(() => {
      const last = model.forward({ inputIds: torch.tensor([prompt]) }).select(1, prompt.length - 1).select(0, 0);
      const t = last.topk(5)[1].toFlatArray();
      return { top: t, p: last.indexSelect(0, torch.tensor(t)).softmax(-1).toFlatArray(), all: last.softmax(-1).toFlatArray() };
    });
    const r = await model.generate({ inputIds: [prompt], n: 4000, maxNewTokens: 1, temperature: 1, topK: 5, stopTokenIds: [], seed: 9 });
    const counts = top.map((t) => r.sequences.filter((s) => s[0] === t).length / 4000);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1); // nothing outside the top 5
    const tv = 0.5 * counts.reduce((a, c, i) => a + Math.abs(c - p[i]), 0);
    expect(tv, `sampled ${counts.map((c) => c.toFixed(3))} vs softmax ${p.map((x) => x.toFixed(3))}`).toBeLessThan(0.03);
    // top-p 0.5 keeps the smallest head of the sorted distribution reaching 0.5: no token beyond it appears.
    const sorted = all.map((q, i) => [q, i] as const).sort((a, b) => b[0] - a[0]);
    let mass = 0;
    const nucleus = new Set<number>();
    for (const [q, i] of sorted) { if (mass >= 0.5) break; nucleus.add(i); mass += q; }
    const rp = await model.generate({ inputIds: [prompt], n: 2000, maxNewTokens: 1, temperature: 1, topP: 0.5, stopTokenIds: [], seed: 9 });
    expect(rp.sequences.every((s) => nucleus.has(s[0]))).toBe(true);
    expect(new Set(rp.sequences.map((s) => s[0])).size).toBe(nucleus.size);
    // Within the nucleus, frequencies follow the renormalised probabilities (top-p is drawn by rejection, not by sorting).
    const inN = sorted.filter(([, i]) => nucleus.has(i));
    const z = inN.reduce((a, [q]) => a + q, 0);
    const tvP = 0.5 * inN.reduce((a, [q, i]) => a + Math.abs(rp.sequences.filter((s) => s[0] === i).length / 2000 - q / z), 0);
    expect(tvP).toBeLessThan(0.04);
  });

  it('different seeds and different sequence ids sample differently', async () => {
    const a = await model.generate({ ...base, temperature: 1 });
    const b = await model.generate({ ...base, temperature: 1, seed: 6 });
    const c = await model.generate({ ...base, temperature: 1, firstSequenceId: 100 });
    expect(a.sequences).not.toEqual(b.sequences);
    expect(a.sequences).not.toEqual(c.sequences);
    // The three samples of one prompt differ from each other (their ids differ).
    expect(new Set(a.sequences.slice(0, 3).map((s) => s.join(','))).size).toBeGreaterThan(1);
  });
});
