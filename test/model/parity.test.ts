/**
 * Qwen2.5-VL forward parity with transformers 5.24 on tiny random checkpoints: text-only and
 * image logits, 3D position ids, explicit positionIds, left/right padding, all presets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/models/qwen2_5_vl/model.js';
import { oracleAvailable } from '../helpers/oracle.js';
import {
  type Checkpoint,
  type ForwardCase,
  imageBlock,
  LOGIT_TOL,
  maxDiff,
  modelLogits,
  oracleForward,
  pad,
  pixelRows,
  randomPixels,
  ropePositions,
  rowSlice,
  std,
  textIds,
  tinyCheckpoint,
  TOK,
  VOCAB,
  withPositions,
} from './fixtures.js';

type Model = Awaited<ReturnType<typeof loadModel>>;

// [1,10,14]: 5x7 merged tokens, windows of 2x2 with ragged edges; [1,8,12]: 4x6, even windows.
const G1 = [1, 10, 14];
const G2 = [1, 8, 12];

function compare(model: Model, dir: string, cases: ForwardCase[], label: string): void {
  const refs = oracleForward(dir, cases);
  cases.forEach((c, i) => {
    const ours = modelLogits(model, c);
    const [B, L] = [c.inputIds.length, c.inputIds[0].length];
    expect(ours.shape, `${label} case ${i} shape`).toEqual([B, L, VOCAB]);
    expect(refs[i].shape).toEqual([B, L, VOCAB]);
    const valid = c.attentionMask ? (b: number, l: number) => c.attentionMask![b][l] === 1 : undefined;
    const d = maxDiff(ours.data, refs[i].logits, { B, L, V: VOCAB, valid });
    expect(d, `${label} case ${i}: max |logit diff|`).toBeLessThanOrEqual(LOGIT_TOL);
  });
}

describe.runIf(oracleAvailable(['torch', 'transformers', 'safetensors']))('Qwen2.5-VL forward vs transformers', () => {
  let ck: Checkpoint;
  let model: Model;
  const img1 = randomPixels(pixelRows([G1]), 11);
  const img2 = randomPixels(pixelRows([G2]), 12);
  const both = new Float32Array([...img1, ...img2]);

  beforeAll(async () => {
    ck = tinyCheckpoint('tiny');
    model = await loadModel(ck.hf, { dtype: 'float32', device: 'cpu' });
  });
  afterAll(() => model?.dispose());

  it('the tiny checkpoint is what the tests assume (fixture check)', () => {
    expect(ck.make.tied).toBe(true);
    expect(ck.make.lm_head_saved).toBe(false);
    expect(Object.values(ck.make.self_check_max_abs_diff).every((d) => d === 0)).toBe(true);
    const names = ck.make.weights.map((w) => w.name);
    expect(names).toContain('model.embed_tokens.weight');
    expect(names).toContain('visual.patch_embed.proj.weight');
  });

  it('text-only logits match', () => {
    const ids = [textIds(13, 1)];
    const [ref] = oracleForward(ck.hf, [{ inputIds: ids }]);
    expect(std(ref.logits), 'oracle logits are not flat').toBeGreaterThan(0.5);
    compare(model, ck.hf, [{ inputIds: ids }, { inputIds: [textIds(1, 2)] }, { inputIds: [textIds(40, 3), textIds(40, 4)] }], 'text');
  });

  it('image + text logits match with one and two images (positions from getRopeIndex), and position ids agree', () => {
    const one = [...textIds(5, 5), ...imageBlock(G1), ...textIds(6, 6)];
    const two = [...textIds(3, 7), ...imageBlock(G1), ...textIds(4, 8), ...imageBlock(G2), ...textIds(5, 9)];
    const cases: ForwardCase[] = [
      { inputIds: [one], pixels: img1, grids: [G1] },
      { inputIds: [two], pixels: both, grids: [G1, G2] },
    ];
    compare(model, ck.hf, cases.map(withPositions), 'image');
    const refs = oracleForward(ck.hf, cases);
    cases.forEach((c, i) => {
      const ts = ropePositions(c.inputIds, null, c.grids);
      expect(ts.nested, `case ${i} position ids`).toEqual(refs[i].position_ids);
      expect(ts.deltas, `case ${i} rope deltas`).toEqual(refs[i].rope_deltas);
    });
    // The image must matter: the same ids with other pixels give other logits.
    const other = oracleForward(ck.hf, [{ inputIds: [one], pixels: randomPixels(pixelRows([G1]), 99), grids: [G1] }])[0];
    expect(maxDiff(other.logits as number[], refs[0].logits, { B: 1, L: one.length, V: VOCAB })).toBeGreaterThan(1e-2);
  });

  it('honours explicit positionIds (1D positions on an image prompt differ from mRoPE and still match)', () => {
    const ids = [...textIds(4, 10), ...imageBlock(G1), ...textIds(4, 11)];
    const L = ids.length;
    const flat = [0, 1, 2].map(() => [Array.from({ length: L }, (_, i) => i)]);
    const cases: ForwardCase[] = [
      { inputIds: [ids], pixels: img1, grids: [G1], positionIds: flat },
      withPositions({ inputIds: [ids], pixels: img1, grids: [G1] }),
    ];
    compare(model, ck.hf, cases, 'positions');
    const [a, b] = oracleForward(ck.hf, cases);
    expect(maxDiff(a.logits as number[], b.logits, { B: 1, L, V: VOCAB }), '1D vs 3D positions must change the logits').toBeGreaterThan(1e-3);
  });

  it('without positionIds: text (padded or not) matches; image input derives mRoPE like transformers or throws', () => {
    // Text only: any per-row constant offset cancels in RoPE, so the default must match.
    const p = pad([textIds(9, 25), textIds(4, 26)], 'left');
    compare(model, ck.hf, [{ inputIds: p.ids, attentionMask: p.mask }], 'text, left-padded, default positions');
    // Images: transformers computes get_rope_index here (given mm_token_type_ids, as its
    // processor returns them). 1D defaults would silently give other logits (see the test above).
    const rows = [[...textIds(3, 27), ...imageBlock(G1), ...textIds(2, 28)], textIds(5, 29)];
    const q = pad(rows, 'left');
    const cases: ForwardCase[] = [{ inputIds: [rows[0]], pixels: img1, grids: [G1] }, { inputIds: q.ids, attentionMask: q.mask, pixels: img1, grids: [G1] }];
    const refs = oracleForward(ck.hf, cases);
    cases.forEach((c, i) => {
      let ours: { data: Float32Array };
      try {
        ours = modelLogits(model, c);
      } catch (e) {
        expect(String(e), `case ${i}: a refusal must say positionIds are needed`).toMatch(/position/i);
        return;
      }
      const [B, L] = [c.inputIds.length, c.inputIds[0].length];
      const valid = c.attentionMask ? (b: number, l: number) => c.attentionMask![b][l] === 1 : undefined;
      expect(maxDiff(ours.data, refs[i].logits, { B, L, V: VOCAB, valid }), `case ${i}: image logits without positionIds`).toBeLessThanOrEqual(LOGIT_TOL);
    });
  });

  for (const side of ['left', 'right'] as const) {
    it(`${side}-padded batch equals each row alone on the valid positions`, () => {
      const rows = [textIds(9, 20), [...textIds(2, 21), ...imageBlock(G2), ...textIds(3, 22)], textIds(4, 23), [...imageBlock(G1), ...textIds(2, 24)]];
      const rowGrids = [[], [G2], [], [G1]];
      const rowPixels = [null, img2, null, img1];
      const p = pad(rows, side);
      const batch: ForwardCase = { inputIds: p.ids, attentionMask: p.mask, pixels: new Float32Array([...img2, ...img1]), grids: [G2, G1] };
      // Positions from getRopeIndex with the mask, as the trainer passes them.
      const ours = modelLogits(model, withPositions(batch));
      const L = p.ids[0].length;
      const singles = oracleForward(ck.hf, rows.map((r, b) => ({ inputIds: [r], pixels: rowPixels[b] ?? undefined, grids: rowGrids[b].length ? rowGrids[b] : undefined })));
      rows.forEach((r, b) => {
        const mine = rowSlice(ours.data, L, VOCAB, b, p.offset[b], r.length) as number[];
        const d = maxDiff(mine, singles[b].logits, { B: 1, L: r.length, V: VOCAB });
        expect(d, `${side} pad: row ${b} vs alone`).toBeLessThanOrEqual(LOGIT_TOL);
      });
      // And the oracle's own batched positions agree with getRopeIndex on the padded batch.
      const [ref] = oracleForward(ck.hf, [batch]);
      expect(ropePositions(p.ids, p.mask, [G2, G1]).nested).toEqual(ref.position_ids);
      expect(maxDiff(ours.data, ref.logits, { B: rows.length, L, V: VOCAB, valid: (b, l) => p.mask[b][l] === 1 })).toBeLessThanOrEqual(LOGIT_TOL);
    });
  }
});

describe.runIf(oracleAvailable(['torch', 'transformers', 'safetensors']))('Qwen2.5-VL forward vs transformers, other presets', () => {
  const img = () => randomPixels(pixelRows([G1]), 13);
  for (const preset of ['tiny-untied', 'tiny-gqa'] as const) {
    it(`${preset}: text and image logits match`, async () => {
      const ck = tinyCheckpoint(preset);
      expect(ck.make.tied).toBe(preset !== 'tiny-untied');
      expect(ck.make.lm_head_saved).toBe(preset === 'tiny-untied');
      const model = await loadModel(ck.hf, { dtype: 'float32', device: 'cpu' });
      try {
        const ids = [...textIds(3, 30), ...imageBlock(G1), ...textIds(7, 31)];
        compare(model, ck.hf, [{ inputIds: [textIds(17, 32)] }, withPositions({ inputIds: [ids], pixels: img(), grids: [G1] })], preset);
      } finally {
        model.dispose();
      }
    });
  }
});
