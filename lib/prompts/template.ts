/**
 * Format-prompt templates: the reference's jinja files (`{{ content | trim }} …`) or a plain
 * string with a `{content}` slot, given inline or loaded from disk.
 */
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import { pyStrip } from '../text/py.js';

/** A format prompt that wraps the problem text. */
export interface PromptTemplate {
  readonly kind: 'jinja' | 'plain';
  /** The template text as used (jinja sources are stripped, as `Template(fmt.strip())` does). */
  readonly source: string;
  render(content: string): string;
}

// A jinja source whose only expression is {{ content }} or {{ content | trim }}.
const SIMPLE = /^((?:[^{]|\{(?![{%#]))*)\{\{-?\s*content\s*(\|\s*trim\s*)?-?\}\}((?:[^{]|\{(?![{%#]))*)$/;

/**
 * A jinja template, rendered like Python jinja2 with `content` bound. The reference shape
 * (a single `{{ content }}` or `{{ content | trim }}`) is rendered here with Python's `str.strip`
 * semantics; other templates go through @huggingface/jinja, whose `trim` is JavaScript's
 * (it also strips U+FEFF and keeps U+001C..U+001F, U+0085, unlike Python).
 */
export function jinjaTemplate(source: string): PromptTemplate {
  const src = pyStrip(source);
  const m = SIMPLE.exec(src);
  if (m && !src.includes('{{-') && !src.includes('-}}')) {
    const [, before, trim, after] = m as unknown as [string, string, string | undefined, string];
    return { kind: 'jinja', source: src, render: (content) => before + (trim ? pyStrip(content) : content) + after };
  }
  let compiled: Template;
  try { compiled = new Template(src); } catch (e) {
    throw new Error(`jinja template does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { kind: 'jinja', source: src, render: (content) => compiled.render({ content }) };
}

/** A plain template: every `{content}` is replaced by the content, nothing else changes. */
export function plainTemplate(source: string): PromptTemplate {
  if (!source.includes('{content}')) throw new Error('plain prompt template must contain a {content} slot');
  return { kind: 'plain', source, render: (content) => source.split('{content}').join(content) };
}

/** A template from a string: jinja when it has `{{`/`{%`, otherwise plain `{content}`. */
export function promptTemplate(source: string): PromptTemplate {
  if (typeof source !== 'string') throw new Error(`prompt template must be a string, got ${typeof source}`);
  return /\{\{|\{%/.test(source) ? jinjaTemplate(source) : plainTemplate(source);
}

/** Loads a template file (UTF-8): `.jinja`/`.j2` files are jinja, others are detected by content. */
export function loadPromptTemplate(path: string): PromptTemplate {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new Error(`cannot read prompt template ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return /\.(jinja2?|j2)$/i.test(path) ? jinjaTemplate(text) : promptTemplate(text);
  } catch (e) {
    throw new Error(`prompt template ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
