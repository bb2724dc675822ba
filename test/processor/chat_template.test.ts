/** Chat-template rendering, template loading and <|image_pad|> expansion. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Qwen2VLImageProcessor } from '../../lib/models/qwen2_5_vl/image_processor.js';
import { ChatTemplate, loadChatTemplate, QWEN2_5_VL_CHAT_TEMPLATE, type ChatMessage } from '../../lib/tokenizer/chat_template.js';
import { expandImagePadIds, expandImagePadsInText } from '../../lib/tokenizer/image_pad.js';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { qwenTokenizerDir } from './fixtures.js';
import { captionReasonerPrompt, PASS1_RESPONSE, QUESTION, SEE_THINK_INSTRUCTION } from './prompts.js';

const qwen = new ChatTemplate(QWEN2_5_VL_CHAT_TEMPLATE, 'Qwen2.5-VL default');

/** Pass-1 user turn (docs/method.md, "Image placement"): question, image, then " " + the see-think instruction. */
const pass1: ChatMessage[] = [
  { role: 'user', content: [{ type: 'text', text: QUESTION }, { type: 'image' }, { type: 'text', text: ` ${SEE_THINK_INSTRUCTION}` }] },
];
const pass2: ChatMessage[] = [{ role: 'user', content: captionReasonerPrompt('A right triangle ABC; AB = 6, BC = 8.', QUESTION) }];

let tok: QwenTokenizer;
beforeAll(async () => {
  tok = await QwenTokenizer.fromDir(qwenTokenizerDir());
});

describe('QWEN2_5_VL_CHAT_TEMPLATE', () => {
  it('renders the pass-1 prompt exactly as docs/method.md, "Image placement" shows it', () => {
    expect(qwen.render(pass1, { addGenerationPrompt: true })).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
        `${QUESTION}<|vision_start|><|image_pad|><|vision_end|> ${SEE_THINK_INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n`,
    );
  });

  it('keeps a given system turn, renders string content and assistant turns, and vision ids on request', () => {
    const msgs: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'image' }, { type: 'image' }, { type: 'text', text: 'Compare.' }] },
      { role: 'assistant', content: PASS1_RESPONSE },
    ];
    expect(qwen.render(msgs)).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>' +
        `<|vision_start|><|image_pad|><|vision_end|>Compare.<|im_end|>\n<|im_start|>assistant\n${PASS1_RESPONSE}<|im_end|>\n`,
    );
    expect(qwen.render(msgs, { addVisionId: true })).toContain('Picture 1: <|vision_start|><|image_pad|><|vision_end|>Picture 2: ');
  });

  it('refuses malformed messages with the message index', () => {
    expect(() => qwen.render([{ role: 'user', content: [{ type: 'audio' } as never] }])).toThrow(/chat message 0 part 0: unknown type "audio"/);
    expect(() => qwen.render([{ role: 'user', content: 'a' }, { content: 'b' } as never])).toThrow(/chat message 1: "role"/);
  });
});

describe('loadChatTemplate', () => {
  const write = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'vsr1-tpl-'));
    for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
    return dir;
  };

  it('prefers chat_template.json for the processor and tokenizer_config.json for the tokenizer', async () => {
    const dir = write({
      'chat_template.json': JSON.stringify({ chat_template: 'P{{ messages[0].content }}' }),
      'tokenizer_config.json': JSON.stringify({ chat_template: [{ name: 'tool_use', template: 'X' }, { name: 'default', template: 'T{{ messages[0].content }}' }] }),
    });
    const m: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    expect((await loadChatTemplate(dir)).template.render(m)).toBe('Phi');
    expect((await loadChatTemplate(dir, { prefer: 'tokenizer' })).template.render(m)).toBe('Thi');
    const jinja = write({ 'chat_template.jinja': 'J', 'chat_template.json': JSON.stringify({ chat_template: 'P' }) });
    expect((await loadChatTemplate(jinja)).file).toMatch(/chat_template\.jinja$/);
  });

  it('falls back to the built-in template only when asked, and names bad files', async () => {
    const empty = write({ 'tokenizer_config.json': '{}' });
    await expect(loadChatTemplate(empty)).rejects.toThrow(/no chat template in .*looked for chat_template\.jinja/);
    expect((await loadChatTemplate(empty, { fallback: true })).file).toBe('built-in');
    const bad = write({ 'chat_template.json': '{oops' });
    await expect(loadChatTemplate(bad)).rejects.toThrow(/chat_template\.json is not valid JSON/);
    const badTpl = write({ 'chat_template.jinja': '{% if %}' });
    await expect(loadChatTemplate(badTpl)).rejects.toThrow(/cannot parse .*chat_template\.jinja/);
  });
});

describe('image pad expansion', () => {
  it('expands text and ids consistently and checks the counts', () => {
    const text = qwen.render([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'and' }, { type: 'image' }] }], { addGenerationPrompt: true });
    const grids = [[1, 34, 46], [1, 4, 6]];
    const expandedText = expandImagePadsInText(text, grids);
    expect(expandedText.split('<|image_pad|>').length - 1).toBe(391 + 6);
    const ids = tok.encode(text);
    const expandedIds = expandImagePadIds(ids, grids, { imagePadId: tok.specialIds.imagePad });
    expect(expandedIds).toEqual(tok.encode(expandedText));
    expect(expandedIds.length).toBe(ids.length + 390 + 5);
    expect(() => expandImagePadsInText(text, [grids[0]])).toThrow(/2 <\|image_pad\|> placeholder\(s\) but 1 image grid/);
    expect(() => expandImagePadIds(ids, [...grids, [1, 2, 2]], { imagePadId: 151655 })).toThrow(/2 image pad\(s\) but 3 image grid/);
    expect(() => expandImagePadIds(ids, [[1, 3, 3], grids[1]], { imagePadId: 151655 })).toThrow(/not divisible by merge_size/);
  });
});

interface TemplateOracle {
  results: Array<{ text: string; ids: number[]; text_ids: number[]; expanded_ids: number[] | null; expanded_text: string | null; grid_thw: number[][] | null }>;
}

describe.runIf(oracleAvailable(['transformers', 'jinja2', 'PIL']))('chat template vs transformers apply_chat_template / Qwen2_5_VLProcessor', () => {
  it('renders identical strings and ids, and expands pads like the HF processor', () => {
    const cases = [
      { messages: pass1, add_generation_prompt: true, image_sizes: [[640, 480]] },
      { messages: pass2, add_generation_prompt: true, image_sizes: [] },
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Compare with ' }, { type: 'image' }, { type: 'text', text: '— which is larger?' }] },
          { role: 'assistant', content: PASS1_RESPONSE },
          { role: 'user', content: [{ type: 'text', text: 'And this one? ' }, { type: 'image' }] },
        ],
        add_generation_prompt: true,
        image_sizes: [[100, 80], [900, 300], [333, 517]],
      },
      { messages: [{ role: 'user', content: 'plain \\n text' }, { role: 'assistant', content: 'ok' }], add_generation_prompt: false, image_sizes: [] },
    ];
    const minPixels = 3136;
    const maxPixels = 12_845_056;
    const r = runOracle<TemplateOracle>('scripts/oracle/qwen_chat_template.py', {
      tokenizer_dir: qwenTokenizerDir(),
      template: QWEN2_5_VL_CHAT_TEMPLATE,
      cases: cases.map((c) => ({ ...c, min_pixels: minPixels, max_pixels: maxPixels })),
    }).results;
    const proc = new Qwen2VLImageProcessor({ minPixels, maxPixels });
    cases.forEach((c, i) => {
      const text = qwen.render(c.messages as ChatMessage[], { addGenerationPrompt: c.add_generation_prompt });
      expect(text, `case ${i}`).toBe(r[i].text);
      const ids = tok.encode(text);
      expect(ids, `case ${i}`).toEqual(r[i].ids);
      expect(ids, `case ${i}`).toEqual(r[i].text_ids);
      if (c.image_sizes.length) {
        const grids = c.image_sizes.map(([w, h]) => {
          const s = proc.targetSize(h, w);
          return [1, s.height / 14, s.width / 14];
        });
        expect(grids, `case ${i}`).toEqual(r[i].grid_thw);
        expect(expandImagePadIds(ids, grids, { imagePadId: tok.specialIds.imagePad }), `case ${i}`).toEqual(r[i].expanded_ids);
        expect(expandImagePadsInText(text, grids), `case ${i}`).toBe(r[i].expanded_text);
      }
    });
    console.log(`chat template oracle: ${cases.length} conversations identical (text, ids, expanded ids ${r.map((x) => x.expanded_ids?.length ?? '-').join('/')})`);
  });
});
