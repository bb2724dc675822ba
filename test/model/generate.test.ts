/**
 * Qwen2.5-VL greedy generation vs transformers' generate (batch 1 per prompt there, batched and
 * padded on our side): tokens equal, log-probs close, stop tokens, images, other presets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { loadModel } from '../../lib/models/qwen2_5_vl/model.js';
import { oracleAvailable } from '../helpers/oracle.js';
import { type Checkpoint, imageBlock, type OracleGenerate, oracleGenerate, PATCH_DIM, pixelRows, randomPixels, textIds, tinyCheckpoint, TOK } from './fixtures.js';

type Model = Awaited<ReturnType<typeof loadModel>>;

const NEW = 32;
/** Smallest top1-top2 logit gap the oracle may show on a compared step: far above fp32 noise. */
const MIN_MARGIN = 5e-4;
const LOGPROB_TOL = 1e-4;
const G1 = [1, 10, 14];
const G2 = [1, 8, 12];

interface Req {
  prompts: number[][];
  pixels?: Float32Array;
  grids?: number[][];
  stopTokenIds?: number[];
  maxRows?: number;
}

async function ours(model: Model, r: Req) {
  const pixelValues = r.pixels ? torch.tensor(r.pixels, { shape: [r.pixels.length / PATCH_DIM, PATCH_DIM], dtype: 'float32' }) : undefined;
  try {
    return await model.generate({
      inputIds: r.prompts,
      pixelValues,
      imageGridThw: r.grids,
      maxNewTokens: NEW,
      greedy: true,
      stopTokenIds: r.stopTokenIds,
      maxRows: r.maxRows,
    });
  } finally {
    pixelValues?.dispose();
  }
}

/** Asserts the oracle's argmax was never a near-tie, then tokens equal and log-probs close. */
function expectSame(got: { sequences: number[][]; logProbs: number[][] }, ref: OracleGenerate, label: string): void {
  ref.min_margin.forEach((m, i) => {
    if (m !== null) expect(m, `${label} prompt ${i}: oracle top1-top2 gap (fixture too close to a tie)`).toBeGreaterThan(MIN_MARGIN);
  });
  expect(got.sequences, `${label}: tokens`).toEqual(ref.sequences);
  expect(got.logProbs.map((r) => r.length)).toEqual(ref.log_probs.map((r) => r.length));
  got.logProbs.forEach((row, i) =>
    row.forEach((lp, t) => expect(Math.abs(lp - ref.log_probs[i][t]), `${label} prompt ${i} step ${t} log-prob`).toBeLessThanOrEqual(LOGPROB_TOL)),
  );
}

describe.runIf(oracleAvailable(['torch', 'transformers', 'safetensors']))('Qwen2.5-VL greedy generate vs transformers', () => {
  let ck: Checkpoint;
  let model: Model;
  beforeAll(async () => {
    ck = tinyCheckpoint('tiny');
    model = await loadModel(ck.hf, { dtype: 'float32', device: 'cpu' });
  });
  afterAll(() => model?.dispose());

  const textPrompts = [textIds(6, 40), textIds(11, 41), textIds(3, 42)];

  it('text-only: 32 new tokens equal token for token (prompts of unequal length)', async () => {
    // stopTokenIds [] = never stop early, on both sides.
    const ref = oracleGenerate(ck.hf, { prompts: textPrompts, maxNewTokens: NEW, stopTokenIds: [] });
    expect(ref.sequences.every((s) => s.length === NEW)).toBe(true);
    // A varied continuation, not one token repeated: the fixture exercises the cache.
    expect(new Set(ref.sequences.flat()).size).toBeGreaterThan(20);
    expectSame(await ours(model, { prompts: textPrompts, stopTokenIds: [] }), ref, 'text');
    // One prompt alone gives the same as inside the batch (no padding leaks).
    expectSame(await ours(model, { prompts: [textPrompts[1]], stopTokenIds: [] }), { ...ref, sequences: [ref.sequences[1]], log_probs: [ref.log_probs[1]], margins: [ref.margins[1]], min_margin: [ref.min_margin[1]] }, 'text alone');
  });

  it('with images: one-image, text-only and two-image prompts in one call', async () => {
    const prompts = [
      [...textIds(4, 50), ...imageBlock(G1), ...textIds(5, 51)],
      textIds(7, 52),
      [...textIds(2, 53), ...imageBlock(G2), ...textIds(3, 54), ...imageBlock(G1), ...textIds(2, 55)],
    ];
    const grids = [G1, G2, G1];
    const pixels = randomPixels(pixelRows(grids), 56);
    const req = { prompts, pixels, grids, stopTokenIds: [] };
    const ref = oracleGenerate(ck.hf, { ...req, maxNewTokens: NEW });
    expectSame(await ours(model, req), ref, 'image');
    // Continuous batching: 1 or 2 decode slots refilled from the prompts' cached prefills.
    for (const maxRows of [1, 2]) expectSame(await ours(model, { ...req, maxRows }), ref, `image, maxRows ${maxRows}`);
  });

  it('stops at a stop token and includes it, per prompt', async () => {
    const full = oracleGenerate(ck.hf, { prompts: textPrompts, maxNewTokens: NEW, stopTokenIds: [] }).sequences;
    const stop = full[0][7];
    const k = full[0].indexOf(stop);
    const ref = oracleGenerate(ck.hf, { prompts: textPrompts, maxNewTokens: NEW, stopTokenIds: [stop] });
    expect(ref.sequences[0]).toEqual(full[0].slice(0, k + 1));
    expectSame(await ours(model, { prompts: textPrompts, stopTokenIds: [stop] }), ref, 'stop');
    expectSame(await ours(model, { prompts: textPrompts, stopTokenIds: [stop], maxRows: 1 }), ref, 'stop, maxRows 1');
  });

  it('without stopTokenIds stops at the checkpoint eos ids (generation_config.json: 510, 511)', async () => {
    const ref = oracleGenerate(ck.hf, { prompts: textPrompts, maxNewTokens: NEW });
    // The fixture must actually stop somewhere, or this proves nothing.
    expect(ref.sequences.some((s) => s.length < NEW && ([TOK.imEnd, TOK.endOfText] as number[]).includes(s[s.length - 1]))).toBe(true);
    expectSame(await ours(model, { prompts: textPrompts }), ref, 'default stop');
  });
});

describe.runIf(oracleAvailable(['torch', 'transformers', 'safetensors']))('Qwen2.5-VL greedy generate, other presets', () => {
  for (const preset of ['tiny-untied', 'tiny-gqa'] as const) {
    it(`${preset}: text and image prompts`, async () => {
      const ck = tinyCheckpoint(preset);
      const model = await loadModel(ck.hf, { dtype: 'float32', device: 'cpu' });
      try {
        const req = { prompts: [textIds(9, 60), [...textIds(3, 61), ...imageBlock(G1), ...textIds(4, 62)]], pixels: randomPixels(pixelRows([G1]), 63), grids: [G1], stopTokenIds: [] };
        expectSame(await ours(model, req), oracleGenerate(ck.hf, { ...req, maxNewTokens: NEW }), preset);
      } finally {
        model.dispose();
      }
    });
  }
});
