/** QwenTokenizer on a real Qwen tokenizer.json, with and without the Python oracle. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { qwenTokenizerDir } from './fixtures.js';
import { captionReasonerPrompt, PASS1_RESPONSE, QUESTION, SEE_THINK_INSTRUCTION } from './prompts.js';

const TEXTS = [
  `${QUESTION} ${SEE_THINK_INSTRUCTION}`,
  `<|im_start|>user\n${QUESTION}<|vision_start|><|image_pad|><|vision_end|> ${SEE_THINK_INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n`,
  captionReasonerPrompt('A right triangle ABC; AB = 6, BC = 8.', QUESTION),
  PASS1_RESPONSE + '<|im_end|><|endoftext|><|endoftext|>',
  'Unicode: 直角三角形 — “quotes” ∠ABC = 90°, x² + y² = z²\t tabs\n\n\n  spaces   ',
  ' leading space, then <|im_end|>trailing text right after a special token',
  '',
];

let tok: QwenTokenizer;
beforeAll(async () => {
  tok = await QwenTokenizer.fromDir(qwenTokenizerDir());
});

describe('QwenTokenizer', () => {
  it('has the Qwen2.5-VL special ids and config eos/pad', () => {
    expect(tok.specialIds).toEqual({
      endOfText: 151643,
      imStart: 151644,
      imEnd: 151645,
      visionStart: 151652,
      visionEnd: 151653,
      imagePad: 151655,
      videoPad: 151656,
    });
    expect(tok.eosTokenId).toBe(151645);
    expect(tok.padTokenId).toBe(151643);
    expect(tok.isSpecial(151655)).toBe(true);
  });

  it('round-trips the Vision-SR1 prompts byte for byte', () => {
    for (const t of TEXTS) expect(tok.decode(tok.encode(t))).toBe(t);
    // The literal backslash-n stays two characters and the em-dash survives.
    const ids = tok.encode(SEE_THINK_INSTRUCTION);
    expect(tok.decode(ids)).toContain('tags.\\n Next');
    expect(tok.decode(ids)).toContain('description—detailed');
    expect(tok.decode(ids)).not.toContain('\n');
  });

  it('encodes special-token strings to single ids and skips them on request', () => {
    const ids = tok.encode('<|im_start|>user\nhi<|vision_start|><|image_pad|><|vision_end|><|im_end|>');
    expect(ids[0]).toBe(151644);
    expect(ids.slice(-4)).toEqual([151652, 151655, 151653, 151645]);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi');
    expect(tok.decode([151645, 151643], { skipSpecialTokens: true })).toBe('');
    expect(tok.decode([])).toBe('');
  });

  it('throws clear errors for bad ids and bad files', async () => {
    expect(() => tok.decode([1, 999_999])).toThrow(/id 999999 at position 1 is outside the vocabulary/);
    expect(() => tok.tokenToId('<|no_such|>')).toThrow(/not in the vocabulary/);
    const dir = mkdtempSync(join(tmpdir(), 'vsr1-tok-'));
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(QwenTokenizer.fromDir(dir)).rejects.toThrow(/tokenizer file .*tokenizer\.json is not valid JSON/);
    await expect(QwenTokenizer.fromDir(join(dir, 'nope'))).rejects.toThrow(/cannot read tokenizer file/);
    expect(() => new QwenTokenizer({ model: { vocab: {} }, added_tokens: [] }, {}, 'x.json')).toThrow(/x\.json: cannot build the tokenizer/);
    const json = JSON.parse(readFileSync(join(qwenTokenizerDir(), 'tokenizer.json'), 'utf8'));
    json.added_tokens = json.added_tokens.filter((t: { content: string }) => t.content !== '<|image_pad|>');
    expect(() => new QwenTokenizer(json, {}, 'y.json')).toThrow(/y\.json: special token <\|image_pad\|> is not in the vocabulary/);
  });
});

interface TokOracle {
  encode_tokenizers: number[][];
  encode_transformers: number[][];
  decode: Array<{ plain: string; skip: string }>;
  special_ids: Record<string, number>;
  eos_id: number;
  pad_id: number;
}

describe.runIf(oracleAvailable(['tokenizers', 'transformers']))('QwenTokenizer vs Python tokenizers/transformers', () => {
  it('gives identical ids and decodes', () => {
    const decodeIds = TEXTS.filter((t) => t.length > 0).map((t) => tok.encode(t));
    decodeIds.push([151644, 151667, 64, 151668, 151657, 151645, 151643]); // <think> and <tool_call> are not "special"
    const r = runOracle<TokOracle>('scripts/oracle/qwen_tokenizer.py', { tokenizer_dir: qwenTokenizerDir(), texts: TEXTS, decode: decodeIds.map((ids) => ({ ids })) });
    TEXTS.forEach((t, i) => {
      const ids = tok.encode(t);
      expect(ids, `text ${i}`).toEqual(r.encode_tokenizers[i]);
      expect(ids, `text ${i}`).toEqual(r.encode_transformers[i]);
    });
    decodeIds.forEach((ids, i) => {
      expect(tok.decode(ids), `decode ${i}`).toBe(r.decode[i].plain);
      expect(tok.decode(ids, { skipSpecialTokens: true }), `decode skip ${i}`).toBe(r.decode[i].skip);
    });
    expect(r.special_ids['<|image_pad|>']).toBe(tok.specialIds.imagePad);
    expect([r.eos_id, r.pad_id]).toEqual([tok.eosTokenId, tok.padTokenId]);
    console.log(`tokenizer oracle: ${TEXTS.length} texts (${TEXTS.reduce((a, t) => a + tok.encode(t).length, 0)} ids) and ${decodeIds.length} decodes identical`);
  });
});
