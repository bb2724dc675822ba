/** 3D rope position ids (get_rope_index), by hand and against transformers. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Qwen2VLImageProcessor } from '../../lib/models/qwen2_5_vl/image_processor.js';
import { appendResponsePositions, getRopeIndex, toBigInt64 } from '../../lib/models/qwen2_5_vl/rope_index.js';
import { ChatTemplate, QWEN2_5_VL_CHAT_TEMPLATE, type ChatMessage } from '../../lib/tokenizer/chat_template.js';
import { expandImagePadIds } from '../../lib/tokenizer/image_pad.js';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { qwenTokenizerDir } from './fixtures.js';
import { captionReasonerPrompt, QUESTION, SEE_THINK_INSTRUCTION } from './prompts.js';

const I = 151655;
const VS = 151652;
const VE = 151653;

/** [3][B][L] nested arrays from the flat result. */
function nested(r: { positionIds: Int32Array; shape: [3, number, number] }): number[][][] {
  const [, B, L] = r.shape;
  return [0, 1, 2].map((a) => Array.from({ length: B }, (_, b) => Array.from(r.positionIds.subarray((a * B + b) * L, (a * B + b + 1) * L))));
}

describe('getRopeIndex (hand-checked)', () => {
  it('assigns (s, s+i, s+j) to image cells and resumes text after the largest index', () => {
    // text 0..2, a 4x6 grid = 2x3 merged cells starting at 3, then text from 3 + max(2, 3) = 6.
    const ids = [[1, 2, VS, I, I, I, I, I, I, VE, 5, 6]];
    const r = getRopeIndex(ids, null, [[1, 4, 6]]);
    expect(nested(r)).toEqual([
      [[0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7, 8]],
      [[0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7, 8]],
      [[0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8]],
    ]);
    expect(Array.from(r.ropeDeltas)).toEqual([9 - 12]);
  });

  it('skips left padding (pad position configurable) and continues responses', () => {
    const ids = [[0, 0, 7, VS, I, VE, 8]];
    const mask = [[0, 0, 1, 1, 1, 1, 1]];
    const r = getRopeIndex(ids, mask, [[1, 2, 2]], { padPosition: 1 });
    expect(nested(r)[0][0]).toEqual([1, 1, 0, 1, 2, 3, 4]);
    expect(Array.from(r.ropeDeltas)).toEqual([0]);
    const full = appendResponsePositions(r, 3);
    expect(full.shape).toEqual([3, 1, 10]);
    expect(nested(full).map((a) => a[0].slice(7))).toEqual([[5, 6, 7], [5, 6, 7], [5, 6, 7]]);
    expect(toBigInt64(full.positionIds)[9]).toBe(7n);
  });

  it('names the row and image when tokens and grids disagree', () => {
    expect(() => getRopeIndex([[1, I, I, 2]], null, [[1, 4, 4]])).toThrow(/row 0, image 0 .*needs 4 consecutive image tokens, found 2/);
    expect(() => getRopeIndex([[1, I, 2]], null, [])).toThrow(/row 0 has more images than the 0 grid/);
    expect(() => getRopeIndex([[1, 2]], null, [[1, 2, 2]])).toThrow(/batch has 0 image\(s\) but 1 grid/);
    expect(() => getRopeIndex([[1, 2], [1]], null, [])).toThrow(/row 1 has length 1, expected 2/);
    expect(() => getRopeIndex([[1, 151656]], null, [])).toThrow(/video/);
  });
});

interface RopeOracle {
  results: Array<{ position_ids: number[][][]; rope_deltas: number[] }>;
}

describe.runIf(oracleAvailable(['torch', 'transformers']))('getRopeIndex vs transformers Qwen2_5_VLModel.get_rope_index', () => {
  let tok: QwenTokenizer;
  beforeAll(async () => {
    tok = await QwenTokenizer.fromDir(qwenTokenizerDir());
  });

  it('matches exactly on a left-padded mixed batch, an unpadded multi-image row and text only', () => {
    const tpl = new ChatTemplate(QWEN2_5_VL_CHAT_TEMPLATE);
    const proc = new Qwen2VLImageProcessor();
    const grid = (w: number, h: number) => {
      const s = proc.targetSize(h, w);
      return [1, s.height / 14, s.width / 14];
    };
    const sample = (msgs: ChatMessage[], sizes: Array<[number, number]>) => {
      const grids = sizes.map(([w, h]) => grid(w, h));
      const ids = expandImagePadIds(tok.encode(tpl.render(msgs, { addGenerationPrompt: true })), grids, { imagePadId: I });
      return { ids, grids };
    };
    const s0 = sample([{ role: 'user', content: [{ type: 'text', text: QUESTION }, { type: 'image' }, { type: 'text', text: ` ${SEE_THINK_INSTRUCTION}` }] }], [[640, 480]]);
    const s1 = sample([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'vs' }, { type: 'image' }] }], [[100, 80], [60, 200]]);
    const s2 = sample([{ role: 'user', content: captionReasonerPrompt('three red circles', 'How many circles?') }], []);
    const s3 = sample([{ role: 'user', content: [{ type: 'image' }, { type: 'image' }, { type: 'text', text: 'Which?' }, { type: 'image' }] }], [[900, 300], [333, 517], [50, 40]]);
    const leftPad = (rows: number[][]) => {
      const L = Math.max(...rows.map((r) => r.length));
      return {
        ids: rows.map((r) => [...new Array(L - r.length).fill(tok.padTokenId), ...r]),
        mask: rows.map((r) => [...new Array(L - r.length).fill(0), ...new Array(r.length).fill(1)]),
      };
    };
    const batch = leftPad([s0.ids, s1.ids, s2.ids]);
    const textOnly = leftPad([s2.ids, tok.encode('short')]);
    const cases = [
      { input_ids: batch.ids, attention_mask: batch.mask, image_grid_thw: [...s0.grids, ...s1.grids] },
      { input_ids: [s3.ids], attention_mask: null, image_grid_thw: s3.grids },
      { input_ids: textOnly.ids, attention_mask: textOnly.mask, image_grid_thw: [] },
    ];
    const r = runOracle<RopeOracle>('scripts/oracle/qwen_rope_index.py', { cases }).results;
    cases.forEach((c, i) => {
      const ours = getRopeIndex(c.input_ids, c.attention_mask, c.image_grid_thw);
      expect(nested(ours), `case ${i}`).toEqual(r[i].position_ids);
      expect(Array.from(ours.ropeDeltas), `case ${i}`).toEqual(r[i].rope_deltas);
    });
    console.log(`rope index oracle: ${cases.length} batches identical, shapes ${cases.map((c) => `${c.input_ids.length}x${c.input_ids[0].length}`).join(', ')}`);
  });
});
