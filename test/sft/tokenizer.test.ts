import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';
import { sftStyles } from '../../lib/world/sft.js';
import { worldVocabulary } from '../../lib/world/vocabulary.js';
import { tinyWorldConfig } from '../../lib/world/presets.js';
import { buildTinyTokenizerConfig, buildTinyTokenizerJson, TINY_UNK_TOKEN, tinyTokenIds } from '../../lib/world/tiny_tokenizer.js';
import { buildWorldCaptionReasonerPrompt, worldCotTemplate, worldSeeThinkTemplate } from '../../lib/prompts/world.js';
import { extractBoxedContent } from '../../lib/rewards/grader/index.js';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { cleanup, tempDir } from './fixtures.js';

let dir: string;
let tok: QwenTokenizer;
const items = generateItems(resolveWorldSettings({ seed: 11 }), 'sft', 300);

/** Every world text the pipeline produces: questions, descriptions, thinks, the three responses, prompts. */
function worldTexts(): string[] {
  const out: string[] = [];
  for (const it of items) {
    const s = sftStyles(it);
    out.push(it.question, it.description, it.think, it.answer, s.seeThink.response, s.cot.response, s.captionReasoner.response);
    out.push(worldSeeThinkTemplate.render(it.question), worldCotTemplate.render(it.question), buildWorldCaptionReasonerPrompt(it.description, it.question));
  }
  return out;
}

beforeAll(async () => {
  dir = tempDir('vsr1-tok-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(buildTinyTokenizerJson()));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(buildTinyTokenizerConfig()));
  tok = await QwenTokenizer.fromDir(dir);
});
afterAll(cleanup);

describe('tiny word-level tokenizer', () => {
  it('loads with the Qwen special tokens at the ids the model config uses', () => {
    const ids = tinyTokenIds();
    expect(tok.size).toBe(ids.vocabSize);
    expect(tok.specialIds).toEqual({
      endOfText: ids.endOfText, imStart: ids.imStart, imEnd: ids.imEnd, visionStart: ids.visionStart, visionEnd: ids.visionEnd, imagePad: ids.imagePad, videoPad: ids.videoPad,
    });
    const cfg = tinyWorldConfig();
    expect(cfg.text.vocabSize).toBe(tok.size);
    expect(cfg.imageTokenId).toBe(tok.specialIds.imagePad);
    expect(cfg.eosTokenIds).toEqual([tok.specialIds.imEnd, tok.specialIds.endOfText]);
    expect(tok.eosTokenId).toBe(ids.imEnd);
    expect(tok.padTokenId).toBe(ids.endOfText);
  });

  it('round-trips every world text exactly, without unknown tokens', () => {
    const unk = tok.tokenToId(TINY_UNK_TOKEN);
    for (const t of worldTexts()) {
      const ids = tok.encode(t);
      expect(ids, t).not.toContain(unk);
      expect(tok.decode(ids), t).toBe(t);
    }
  });

  it('keeps each world word, digit and mark one token, and tags and \\boxed{ one token each', () => {
    for (const w of worldVocabulary()) expect(tok.encode(w), w).toHaveLength(1);
    expect(tok.encode('<description> </description> <think> </think> \\boxed{yes}').length).toBe(7);
    expect(tok.encode('12')).toHaveLength(2); // numbers are digit by digit, as the world's text rule says
  });

  it('decodes a generated response so MathRuler finds the boxed answer', () => {
    const resp = [...tok.encode(sftStyles(items[0]).seeThink.response), tok.specialIds.imEnd];
    const text = tok.decode(resp, { skipSpecialTokens: true });
    expect(text.endsWith(`\\boxed{${items[0].answer}}`)).toBe(true);
    expect(extractBoxedContent(text)).toBe(items[0].answer);
  });

  it('lowercases, maps unknown words to <unk>, and encodes the chat-template text', () => {
    expect(tok.decode(tok.encode('Is There A RED Circle?'))).toBe('is there a red circle?');
    expect(tok.encode('zebra')).toEqual([tok.tokenToId(TINY_UNK_TOKEN)]);
    const ids = tok.encode('<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n');
    expect(ids).not.toContain(tok.tokenToId(TINY_UNK_TOKEN));
    expect(ids[0]).toBe(tok.specialIds.imStart);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('system\nyou are a helpful assistant.\n');
  });
});

describe.runIf(oracleAvailable(['tokenizers', 'transformers']))('tiny tokenizer against the Rust tokenizers library', () => {
  it('encodes and decodes exactly as tokenizers / transformers do', () => {
    const texts = [...worldTexts().slice(0, 200), '<|im_start|>user\nis there a red star?<|vision_start|><|image_pad|><|vision_end|> describe it<|im_end|>\n', 'Mixed CASE and zebra!'];
    const ids = texts.map((t) => [...tok.encode(t), tok.specialIds.imEnd]);
    const r = runOracle<{ encode: number[][]; decode: string[]; decode_skip: string[]; hf_encode: number[][]; hf_decode_skip: string[] }>('scripts/oracle/tiny_tokenizer.py', { dir, texts, decode: ids });
    texts.forEach((t, i) => {
      expect(tok.encode(t), t).toEqual(r.encode[i]);
      expect(r.hf_encode[i], t).toEqual(r.encode[i]);
      expect(tok.decode(ids[i]), t).toBe(r.decode[i]);
      expect(tok.decode(ids[i], { skipSpecialTokens: true }), t).toBe(r.decode_skip[i]);
      expect(r.hf_decode_skip[i]).toBe(r.decode_skip[i]);
    });
  });
});
