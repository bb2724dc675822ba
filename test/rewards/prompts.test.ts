import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import {
  buildCaptionReasonerPrompt, buildPass1Content, CAPTION_REASONER_TEMPLATE, COT_INSTRUCTION, COT_TEMPLATE, extractDescription,
  findDescription, jinjaTemplate, loadPromptTemplate, prefixImageToken, promptTemplate, renderCot, renderSeeThink,
  SEE_THINK_INSTRUCTION, SEE_THINK_TEMPLATE,
} from '../../lib/prompts/index.js';

const FIXTURES = 'test/rewards/fixtures';
const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('see-think prompt bytes (docs/method.md, "Pass-1 prompt")', () => {
  it('has three literal backslash-n pairs, no newline, one em-dash', () => {
    expect(SEE_THINK_INSTRUCTION.length).toBe(810);
    expect(count(SEE_THINK_INSTRUCTION, '\\n')).toBe(3);
    expect(SEE_THINK_INSTRUCTION.includes('\n')).toBe(false);
    expect(count(SEE_THINK_INSTRUCTION, '\u2014')).toBe(1);
    expect(SEE_THINK_INSTRUCTION).toContain('self-contained description\u2014detailed enough');
    expect(SEE_THINK_INSTRUCTION).toContain('tags.\\n Next,');
    expect(SEE_THINK_INSTRUCTION).toContain('in \\boxed{}.\\nThe output format should be: <description>');
    expect(SEE_THINK_INSTRUCTION.endsWith('</think> \\boxed{FINAL ANSWER here}.')).toBe(true);
    expect([...SEE_THINK_INSTRUCTION].filter((c) => c.charCodeAt(0) > 127)).toEqual(['\u2014']);
  });

  it('is byte for byte the reference see_think_format.jinja (no trailing newline)', () => {
    const file = readFileSync(join(FIXTURES, 'see_think_format.jinja'), 'utf8');
    expect(file).toBe(SEE_THINK_TEMPLATE);
    expect(Buffer.byteLength(file, 'utf8')).toBe(833);
  });

  it('the CoT template is the reference cot_format.jinja after strip', () => {
    const file = readFileSync(join(FIXTURES, 'cot_format.jinja'), 'utf8');
    expect(file.endsWith('\\boxed{}.\n')).toBe(true);
    expect(file.trim()).toBe(COT_TEMPLATE);
    expect(renderCot('  Q?<image>\n')).toBe(`Q?<image> ${COT_INSTRUCTION}`);
  });

  it('renders strip(content) + space + instruction, Python strip semantics', () => {
    expect(renderSeeThink(' \u001cHow many?<image> \n')).toBe(`How many?<image> ${SEE_THINK_INSTRUCTION}`);
    expect(jinjaTemplate(SEE_THINK_TEMPLATE).render('\ufeffQ')).toBe(`\ufeffQ ${SEE_THINK_INSTRUCTION}`);
    expect(loadPromptTemplate(join(FIXTURES, 'see_think_format.jinja')).render(' Q<image>')).toBe(renderSeeThink(' Q<image>'));
  });
});

describe('caption-reasoner prompt (docs/method.md, "Pass-2 prompt")', () => {
  it('has real newlines and a single-backslash \\boxed{}', () => {
    const text = buildCaptionReasonerPrompt('A red square.', 'What color is it?<image>');
    expect(text).toBe(
      'Text description: A red square.\nQuestion: What color is it?\nYou are provided a text description of a problem and a question. ' +
      'Determine the answer to the question based on the text description. First provide an internal step-by-step reasoning within ' +
      '<think> </think> tags, then provide a single word or phrase answer in \\boxed{}.',
    );
    expect(count(text, '\n')).toBe(2);
    expect(count(text, '\\n')).toBe(0);
    expect(count(CAPTION_REASONER_TEMPLATE, '\\boxed{}')).toBe(1);
  });

  it('replaces {Description} before {Question}, everywhere, like chained str.replace', () => {
    expect(buildCaptionReasonerPrompt('see {Question} and $&', 'Q<image><image>?').split('\n').slice(0, 2))
      .toEqual(['Text description: see Q? and $&', 'Question: Q?']);
  });
});

describe('image placement and pass-1 content (docs/method.md, "Image placement")', () => {
  it('moves one <image> to the end, appends one when absent, leaves two alone', () => {
    expect(prefixImageToken('<image> What is shown?  ', true)).toBe(' What is shown?<image>');
    expect(prefixImageToken('What <image>is shown?', true)).toBe('What is shown?<image>');
    expect(prefixImageToken('What is shown?', true)).toBe('What is shown?<image>');
    expect(prefixImageToken('Compare <image> and <image>.', true)).toBe('Compare <image> and <image>.');
    expect(prefixImageToken('No images here <image>', false)).toBe('No images here <image>');
  });

  it('splits the rendered see-think prompt into [text, image, text]', () => {
    const parts = buildPass1Content('<image>\nHow many apples are there? ', { hasImages: true, template: jinjaTemplate(SEE_THINK_TEMPLATE) });
    expect(parts).toEqual([
      { type: 'text', text: 'How many apples are there?' },
      { type: 'image' },
      { type: 'text', text: ` ${SEE_THINK_INSTRUCTION}` },
    ]);
  });

  it('keeps several images in place, drops empty text pieces, and handles no images', () => {
    const t = promptTemplate('{content}!');
    expect(buildPass1Content('<image>A<image>', { hasImages: true, template: t })).toEqual([
      { type: 'image' }, { type: 'text', text: 'A' }, { type: 'image' }, { type: 'text', text: '!' },
    ]);
    expect(buildPass1Content('Q', { hasImages: false, template: jinjaTemplate(SEE_THINK_TEMPLATE) })).toEqual([
      { type: 'text', text: `Q ${SEE_THINK_INSTRUCTION}` },
    ]);
  });
});

describe('description extraction (docs/method.md, "Description extraction" and "Missing description")', () => {
  const r = ' <description>\n A cat. \n</description><think>t</think><description>dog</description> \\boxed{cat}';
  it('takes the first non-greedy match on the raw response, stripped', () => {
    expect(findDescription(r)).toBe('A cat.');
    expect(extractDescription(r)).toBe('A cat.');
    expect(findDescription('< description >x</description>')).toBeNull();
  });

  it("defaults to an empty description; 'whole-response' is the reference fallback", () => {
    const leaky = '<think>it is a cat</think> \\boxed{cat}';
    expect(extractDescription(leaky)).toBe('');
    expect(extractDescription(leaky, { onMissing: 'whole-response' })).toBe(leaky);
    expect(() => extractDescription(leaky, { onMissing: 'bogus' as 'empty' })).toThrow(/onMissing/);
  });
});

describe('templates from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsr1-prompts-'));
  it('loads plain {content} templates and reports unreadable or slotless ones', () => {
    writeFileSync(join(dir, 'plain.txt'), 'Q: {content}\nA:');
    expect(loadPromptTemplate(join(dir, 'plain.txt')).render('2+2')).toBe('Q: 2+2\nA:');
    writeFileSync(join(dir, 'bad.txt'), 'no slot');
    expect(() => loadPromptTemplate(join(dir, 'bad.txt'))).toThrow(/bad\.txt.*\{content\}/);
    expect(() => loadPromptTemplate(join(dir, 'missing.jinja'))).toThrow(/cannot read prompt template/);
  });
});

describe.runIf(oracleAvailable(['jinja2']))('jinja rendering vs Python jinja2', () => {
  const contents = ['How many?<image>', '  padded question \n<image>', '\u001cpy-space\u0085', 'tabs\there\t', 'unicode: \u00e9\u4e2d\u2014', '', 'a {{ not }} b'];

  it('the reference see-think file renders exactly as jinja2.Template(fmt.strip()).render(content=…)', () => {
    const source = readFileSync(join(FIXTURES, 'see_think_format.jinja'), 'utf8');
    const py = runOracle<{ renders: string[] }>('scripts/oracle/mathruler_prompts.py', { template: source, contents });
    const tpl = loadPromptTemplate(join(FIXTURES, 'see_think_format.jinja'));
    expect(contents.map((c) => tpl.render(c))).toEqual(py.renders);
    expect(count(py.renders[0]!, '\\n')).toBe(3);
  });

  it('the reference CoT file (trailing newline) renders as jinja2 does', () => {
    const source = readFileSync(join(FIXTURES, 'cot_format.jinja'), 'utf8');
    const py = runOracle<{ renders: string[] }>('scripts/oracle/mathruler_prompts.py', { template: source, contents });
    expect(contents.map((c) => loadPromptTemplate(join(FIXTURES, 'cot_format.jinja')).render(c))).toEqual(py.renders);
  });

  it('general templates go through @huggingface/jinja and agree on ordinary input', () => {
    const source = '{% if content %}Question: {{ content }}{% else %}empty{% endif %} \\boxed{} \\n done';
    const plain = contents.filter((c) => !/[\u001c\u0085]/.test(c));
    const py = runOracle<{ renders: string[] }>('scripts/oracle/mathruler_prompts.py', { template: source, contents: plain });
    expect(plain.map((c) => jinjaTemplate(source).render(c))).toEqual(py.renders);
  });
});
