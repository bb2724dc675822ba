import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { getRopeIndex } from '../../lib/models/qwen2_5_vl/rope_index.js';
import { collate } from '../../lib/rollout/collate.js';
import { DecodedImageCache } from '../../lib/rollout/image_cache.js';
import { microBatches, prepareExamples, type PreparedExample } from '../../lib/train/sft/batch.js';
import { loadSftSource, type SftRecord } from '../../lib/train/sft/data.js';
import { loadModelStack, type ModelStack } from '../../lib/train/sft/setup.js';
import { WORLD_SEE_THINK_INSTRUCTION } from '../../lib/prompts/world.js';
import { cleanup, sftConfig, smallWorld, tempDir, tinyModel } from './fixtures.js';

let stack: ModelStack;
let records: SftRecord[];
let prepared: PreparedExample[];

beforeAll(async () => {
  const root = tempDir();
  const world = await smallWorld(join(root, 'world'), 12, 2);
  const model = tinyModel(join(root, 'model'));
  const cfg = sftConfig(world, model, join(root, 'out'));
  stack = await loadModelStack(cfg, model, 'float32', 'cpu');
  const file = join(world, 'sft.jsonl');
  const base = { files: [file], format: 'world' as const, maxSamples: 3, promptSet: 'world' as const };
  records = [
    ...await loadSftSource({ ...base, style: 'see-think' }),
    ...await loadSftSource({ ...base, style: 'cot' }),
    ...await loadSftSource({ ...base, style: 'caption-reasoner' }),
  ];
  prepared = await prepareExamples(records, stack.encoder, new DecodedImageCache(), 256);
});
afterAll(() => {
  stack?.model.dispose();
  cleanup();
});

describe('SFT batch building', () => {
  it('places the image between the question and the instruction (docs/method.md, "Image placement") under the chat template', () => {
    const r = records[0];
    const question = r.content[0].type === 'text' ? r.content[0].text : '';
    expect(r.content.map((c) => c.type)).toEqual(['text', 'image', 'text']);
    expect(prepared[0].prompt.text).toBe(
      `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${question}<|vision_start|><|image_pad|><|vision_end|> ${WORLD_SEE_THINK_INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n`,
    );
    const pad = stack.tokenizer.specialIds.imagePad;
    expect(prepared[0].prompt.ids.filter((i) => i === pad)).toHaveLength(16); // 112x112 -> 8x8 patches -> 16 tokens
    expect(prepared[0].prompt.rawIds.filter((i) => i === pad)).toHaveLength(1);
    expect(prepared[0].prompt.imageGridThw).toEqual([[1, 8, 8]]);
    // caption-reasoner rows are text only
    expect(prepared[6].prompt.numPatches).toBe(0);
    expect(prepared[6].prompt.text).toContain('text description: there');
  });

  it('masks exactly the assistant tokens (response + <|im_end|>) with prompts left- and responses right-padded', () => {
    const { padTokenId: padId, imageTokenId } = stack.model.config;
    const b = collate(prepared.map((e) => e.prompt), prepared.map((e) => e.response), { padId, imageTokenId, mergeSize: 2 });
    try {
      const B = prepared.length;
      const Lp = b.promptLength, R = b.responseLength, L = Lp + R;
      expect(Lp).toBe(Math.max(...prepared.map((e) => e.prompt.ids.length)));
      expect(R).toBe(Math.max(...prepared.map((e) => e.response.length)));
      const ids = b.inputIds.toArray() as number[][];
      const am = b.attentionMask.toArray() as number[][];
      const rm = b.responseMask!.toArray() as number[][];
      const rid = b.responseIds!.toArray() as number[][];
      const imEnd = stack.tokenizer.specialIds.imEnd;
      for (let i = 0; i < B; i++) {
        const p = prepared[i].prompt.ids, r = prepared[i].response;
        // prompt block: pads then the prompt; response block: the response then pads
        expect(ids[i].slice(0, Lp)).toEqual([...Array(Lp - p.length).fill(padId), ...p]);
        expect(ids[i].slice(Lp)).toEqual([...r, ...Array(R - r.length).fill(padId)]);
        expect(am[i]).toEqual([...Array(Lp - p.length).fill(0), ...Array(p.length + r.length).fill(1), ...Array(R - r.length).fill(0)]);
        // the loss mask: 1 exactly on the response tokens, whose last one is <|im_end|>
        expect(rm[i]).toEqual([...Array(r.length).fill(1), ...Array(R - r.length).fill(0)]);
        const masked = rid[i].filter((_, j) => rm[i][j] === 1);
        expect(masked.at(-1)).toBe(imEnd);
        expect(stack.tokenizer.decode(masked, { skipSpecialTokens: true })).toBe(records[i].response);
        expect(ids[i].length).toBe(L);
      }
      // every image token of the batch is covered by exactly one grid, in row order
      expect(b.imageGridThw).toEqual(prepared.flatMap((e) => e.prompt.imageGridThw));
      expect(b.pixelValues!.shape).toEqual([prepared.reduce((a, e) => a + e.prompt.numPatches, 0), 1176]);
    } finally {
      b.dispose();
    }
  });

  it('gives mRoPE positions to the prompt and continues them over the response (docs/method.md, "mRoPE positions")', () => {
    const { padTokenId: padId, imageTokenId } = stack.model.config;
    const e = prepared[0];
    const b = collate([e.prompt], [e.response], { padId, imageTokenId, mergeSize: 2 });
    try {
      const pos = b.positionIds.toArray() as number[][][];
      const ref = getRopeIndex([e.prompt.ids], null, e.prompt.imageGridThw, { imageTokenId });
      const Lp = e.prompt.ids.length;
      for (let a = 0; a < 3; a++) {
        expect(pos[a][0].slice(0, Lp)).toEqual(Array.from(ref.positionIds.subarray(a * Lp, (a + 1) * Lp)));
        const last = pos[a][0][Lp - 1];
        expect(pos[a][0].slice(Lp)).toEqual(e.response.map((_, r) => last + 1 + r));
      }
      // the image block: t constant, h and w over the 4x4 merged grid
      const first = e.prompt.ids.indexOf(imageTokenId);
      expect(pos[1][0].slice(first, first + 16)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3].map((d) => pos[0][0][first] + d));
      expect(pos[2][0].slice(first, first + 4)).toEqual([0, 1, 2, 3].map((d) => pos[0][0][first] + d));
    } finally {
      b.dispose();
    }
  });

  it('groups micro-batches by length without losing or repeating examples', () => {
    const mbs = microBatches(prepared, 4);
    expect(mbs.map((m) => m.length)).toEqual([4, 4, 1]);
    expect(new Set(mbs.flat())).toEqual(new Set(prepared));
    const lens = mbs.flat().map((e) => e.prompt.ids.length + e.response.length);
    expect(lens).toEqual([...lens].sort((a, b) => a - b));
  });

  it('the loss of a batch equals the loss of its micro-batches (token mean over the whole batch)', async () => {
    const { sftMicroStep } = await import('../../lib/train/sft/loss.js');
    const m: QwenVLModel = stack.model;
    const params = m.setTrainable(() => true);
    const o = { padId: m.config.padTokenId, imageTokenId: m.config.imageTokenId, mergeSize: 2 };
    const tokens = prepared.reduce((a, e) => a + e.response.length, 0);
    const run = async (groups: PreparedExample[][]) => {
      let nll = 0;
      for (const g of groups) {
        const b = collate(g.map((e) => e.prompt), g.map((e) => e.response), o);
        nll += await sftMicroStep(m, b, tokens);
        b.dispose();
      }
      const grads = params.map((p) => p.grad!.clone());
      for (const p of params) p.grad = null;
      return { nll, grads };
    };
    const whole = await run([prepared]);
    const split = await run(microBatches(prepared, 2));
    expect(split.nll).toBeCloseTo(whole.nll, 3);
    whole.grads.forEach((g, i) => expect(g.sub(split.grads[i]).abs().max().item()).toBeLessThan(1e-5));
  });
});
