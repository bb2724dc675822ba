/**
 * Multiple-choice grading (docs/method.md, "Evaluation"): the options of a question are read
 * from its text, and a response's final answer is matched against the gold answer by option
 * letter or by option text, as MMStar/MMMU graders do. MathRuler alone marks `A.` or
 * `A. cat` wrong against a gold `A`, and cannot tell an option's text from its letter.
 */
import { extractBoxedContent } from '../rewards/grader/index.js';

export interface McqOption {
  /** Upper-case option letter, A, B, C, ... in order. */
  letter: string;
  text: string;
}

/** 'letter': the answer named an option letter; 'text': it spelled an option's text; 'none': neither. */
export type McqHow = 'letter' | 'text' | 'none';

export interface McqGrade {
  correct: boolean;
  /** The option the answer chose, or null (none or several). */
  chosen: string | null;
  how: McqHow;
  /** Why no option was chosen, when that is not just "nothing matched". */
  note?: string;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const nextLetter = (l: string) => LETTERS[LETTERS.indexOf(l) + 1];

interface Marker { letter: string; start: number; end: number }

/** All option markers `re` finds (its group 1..3 hold the letter), in text order. */
function markers(text: string, re: RegExp): Marker[] {
  const out: Marker[] = [];
  for (const m of text.matchAll(re)) {
    const letter = m[1] ?? m[2] ?? m[3];
    if (letter) out.push({ letter, start: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

/**
 * The longest chain A, B, C, ... of markers (each the first of its letter after the previous
 * one); the later chain wins a tie, since options follow the question. At least two options.
 */
function longestChain(ms: Marker[]): Marker[] | null {
  let best: Marker[] | null = null;
  for (let s = 0; s < ms.length; s++) {
    if (ms[s].letter !== 'A') continue;
    const chain = [ms[s]];
    for (let k = s + 1; k < ms.length; k++) {
      if (ms[k].letter === nextLetter(chain[chain.length - 1].letter)) chain.push(ms[k]);
    }
    if (chain.length >= 2 && (!best || chain.length >= best.length)) best = chain;
  }
  return best;
}

const cleanOption = (t: string) => t.trim().replace(/[\s,;]+$/, '');

/** Options from a chain: each runs to the next marker; `lineOnly` cuts each at its line end. */
function chainOptions(text: string, chain: Marker[], lineOnly: boolean): McqOption[] {
  return chain.map((m, i) => {
    const stop = i + 1 < chain.length ? chain[i + 1].start : text.length;
    let t = text.slice(m.end, stop);
    if (lineOnly || i + 1 === chain.length) t = t.split('\n')[0];
    return { letter: m.letter, text: cleanOption(t) };
  });
}

/** A Python/JSON list of quoted strings, `['x', "y"]`, or null when it is not one. */
function parseQuotedList(s: string): string[] | null {
  const out: string[] = [];
  let i = 1;
  const ws = () => { while (i < s.length && /\s/.test(s[i])) i++; };
  for (let guard = 0; guard < s.length; guard++) {
    ws();
    if (s[i] === ']' && out.length === 0) return null;
    const q = s[i];
    if (q !== "'" && q !== '"') return null;
    let v = '';
    for (i++; i < s.length && s[i] !== q; i++) {
      if (s[i] === '\\' && i + 1 < s.length) { i++; v += s[i] === 'n' ? '\n' : s[i]; } else v += s[i];
    }
    if (i >= s.length) return null;
    out.push(v);
    i++;
    ws();
    if (s[i] === ']') return out;
    if (s[i] !== ',') return null;
    i++;
  }
  return null;
}

const LABEL = /(?:^|\n)[^\S\n]*(?:options?|choices?|answer choices|candidates?)[^\S\n]*[:：]/i;
// A marker at a line start (after an optional "Options:" label): (A) x, [A] x, A. x, A) x, A: x.
const LINE_MARKER = /(?:^|\n)[^\S\n]*(?:(?:options?|choices?)[^\S\n]*[:：][^\S\n]*)?(?:\(([A-Z])\)|\[([A-Z])\]|([A-Z])[^\S\n]*[.)．:：])/g;
const PAREN_MARKER = /(?:^|[\s,;:])(?:\(([A-Z])\)|\[([A-Z])\])/g;
const INLINE_MARKER = /(?:^|[\s,;:])(?:\(([A-Z])\)|\[([A-Z])\]|([A-Z])[.):：](?=\s))/g;

/**
 * The options of a multiple-choice question, or null when its text has fewer than two. Layouts,
 * tried in this order: one option per line (`A. x`, `(A) x`, `A) x`, `A: x`); an MMMU-style
 * quoted list after a label (`Options: ['x', 'y']`); inline `(A) x (B) y`; inline `A: x B: y`
 * after an `Options:`/`Choices:` label, then anywhere. Letters must run A, B, C, ...
 */
export function parseOptions(problem: string): McqOption[] | null {
  const text = problem.replace(/<image>/g, ' ').replace(/\r\n?/g, '\n');
  const lines = longestChain(markers(text, LINE_MARKER));
  if (lines) return chainOptions(text, lines, true);
  const list = /(?:options?|choices?)\s*[:：]?\s*(\[[\s\S]*?\])(?=\s*(?:\n|$))/i.exec(text) ?? /(?:options?|choices?)\s*[:：]?\s*(\[[^\n]*\])/i.exec(text);
  const items = list ? parseQuotedList(list[1]) : null;
  if (items && items.length >= 2 && items.length <= LETTERS.length) return items.map((t, i) => ({ letter: LETTERS[i], text: t.trim() }));
  const paren = longestChain(markers(text, PAREN_MARKER));
  if (paren) return chainOptions(text, paren, false);
  const label = LABEL.exec(text);
  if (label) {
    const after = text.slice(label.index + label[0].length);
    const inl = longestChain(markers(after, INLINE_MARKER));
    if (inl) return chainOptions(after, inl, false);
  }
  const any = longestChain(markers(text, INLINE_MARKER));
  return any ? chainOptions(text, any, false) : null;
}

/**
 * Text as compared with an option: LaTeX `\text{}` unwrapped, markdown and `$` dropped, lower
 * case, whitespace collapsed, surrounding quotes and trailing punctuation removed.
 */
export function normalizeOptionText(s: string): string {
  let t = s.normalize('NFKC').replace(/\\(?:text|textbf|mathrm|mathbf)\{([^{}]*)\}/g, '$1').replace(/[*$`]/g, '');
  t = t.toLowerCase().replace(/\s+/g, ' ').trim();
  t = t.replace(/^["'“‘]+/, '').replace(/["'”’]+$/, '').trim();
  return t.replace(/[\s.,;:!?。，；：！？]+$/u, '');
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;
/** Equal normalised texts, or equal numbers ("3.50" and "3.5"). Empty texts never match. */
function sameText(a: string, b: string): boolean {
  const x = normalizeOptionText(a), y = normalizeOptionText(b);
  if (!x || !y) return false;
  return x === y || (NUMBER.test(x) && NUMBER.test(y) && Number(x) === Number(y));
}

/**
 * The final answer of a response: the content of its last closed `\boxed{}`, else the whole
 * text. (MathRuler's extractor returns "None" for an unclosed box; here that means "no box".)
 */
export function finalAnswer(response: string): string {
  const i = response.lastIndexOf('\\boxed{');
  if (i >= 0) {
    const c = extractBoxedContent(response);
    if (c !== 'None' || /^\\boxed\{\s*None\s*\}/.test(response.slice(i))) return c;
  }
  return response.trim();
}

const ANSWER_LEAD = /(?:final answer|correct answer|correct option|correct choice|the answer|answer)\s*(?:is|:|=|-)\s*/gi;

/** The span after the last "answer is"/"Answer:" lead, to its line end; else the whole text. */
function answerSpan(f: string): string {
  let last: RegExpExecArray | null = null;
  for (const m of f.matchAll(ANSWER_LEAD)) last = m as RegExpExecArray;
  const s = last ? f.slice(last.index + last[0].length).split('\n')[0] : f;
  return s.trim().replace(/^(?:option|choice)\s+/i, '').trim();
}

interface Choice { letter: string | null; how: McqHow; note?: string }
const NONE: Choice = { letter: null, how: 'none' };
const AMBIGUOUS: Choice = { letter: null, how: 'none', note: 'names more than one option' };

/** The option a short answer names (see gradeMcq for the accepted forms). */
function chooseOption(span: string, options: readonly McqOption[]): Choice {
  const has = (l: string) => options.some((o) => o.letter === l);
  const s = span.replace(/\\(?:text|textbf|mathrm|mathbf)\{([^{}]*)\}/g, '$1').replace(/[*$`]/g, '').trim();
  const bare = /^[([{]?([A-Za-z])[)\]}]?[.:)]?$/.exec(s);
  if (bare) return has(bare[1].toUpperCase()) ? { letter: bare[1].toUpperCase(), how: 'letter' } : NONE;
  const list = /^[([]?[A-Z][)\]]?(?:\s*(?:,|;|&|\/|\band\b|\bor\b)\s*[([]?[A-Z][)\]]?)+\.?$/.exec(s);
  if (list) {
    const ls = new Set(s.match(/(?<![A-Za-z])[A-Z](?![A-Za-z])/g));
    return ls.size === 1 ? chooseOption([...ls][0], options) : AMBIGUOUS;
  }
  const lead = /^(?:\(([A-Z])\)|\[([A-Z])\]|([A-Z])[.:)])\s*([\s\S]+)$/.exec(s);
  if (lead) {
    const l = lead[1] ?? lead[2] ?? lead[3];
    if (has(l)) {
      const rest = lead[4];
      const other = options.find((o) => o.letter !== l && sameText(rest, o.text));
      const otherMarker = markers(rest, INLINE_MARKER).some((m) => m.letter !== l && has(m.letter));
      return (other && !sameText(rest, options.find((o) => o.letter === l)!.text)) || otherMarker ? AMBIGUOUS : { letter: l, how: 'letter' };
    }
  }
  const byText = options.filter((o) => sameText(s, o.text));
  if (byText.length === 1) return { letter: byText[0].letter, how: 'text' };
  const named = new Set<string>();
  for (const m of s.matchAll(/\(([A-Z])\)|\b(?:[Oo]ption|[Cc]hoice)\s*\(?([A-Z])\b/g)) named.add(m[1] ?? m[2]);
  const valid = [...named].filter(has);
  if (valid.length === 1) return { letter: valid[0], how: 'letter' };
  if (valid.length > 1) return AMBIGUOUS;
  return NONE;
}

/** The letter the gold answer stands for: a letter, a letter with text, or an option's text. */
export function goldLetter(gold: string, options: readonly McqOption[]): string | null {
  const c = chooseOption(gold, options);
  return c.letter;
}

/**
 * Grades a response's final answer (the last `\boxed{}`, else the text) against `gold` (a letter
 * or an option's text). Accepted: `(A)`, `A`, `A.`, `Answer: B`, `the answer is C`, `Option D`,
 * the option's text (case, whitespace and trailing punctuation ignored), a letter with its text.
 * An answer naming two different options (`A and B`, `A. x B. y`) is wrong; a word that starts
 * with a letter ("Apple") is not that option. A gold that is none of the options is compared as text.
 */
export function gradeMcq(response: string, gold: string, options: readonly McqOption[]): McqGrade {
  const f = finalAnswer(response);
  const span = answerSpan(f);
  let c = chooseOption(span, options);
  if (c.letter === null && c.note === undefined && span.includes('\n')) {
    c = chooseOption(span.trim().split('\n').pop()!, options);
  }
  const g = goldLetter(gold, options);
  if (g === null) {
    const same = sameText(span, gold);
    return { correct: same, chosen: c.letter, how: same ? 'text' : c.how, note: 'gold answer is not one of the options' };
  }
  const out: McqGrade = { correct: c.letter === g, chosen: c.letter, how: c.how };
  if (c.note) out.note = c.note;
  return out;
}
