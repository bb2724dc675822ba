/**
 * pylatexenc 2.x `LatexNodes2Text().latex_to_text` with default options (math_mode 'text',
 * strict_latex_spaces 'macros'), for the macro subset in latex_symbols.ts / latex_specs.ts.
 *
 * Where pylatexenc raises (a `%(2)s` placeholder with no argument, an empty matrix, `\href`
 * without arguments) this throws too: MathRuler's `_normalize` then keeps the un-parsed string.
 */
import { codePoints, pyStrip } from '../../text/py.js';
import { type LNode, parseLatex } from './latex_walker.js';
import { TEXT_MACRO_STRINGS } from './latex_symbols.js';

/** Raised where pylatexenc raises; callers treat it like Python's bare `except`. */
export class LatexToTextError extends Error {}

interface Strict { macroChars: boolean; constructs: boolean }
const STRICT_MACROS: Strict = { macroChars: true, constructs: true };
const STRICT_EQUATIONS: Strict = { macroChars: false, constructs: false };

const ACCENTS: ReadonlyMap<string, string> = new Map([
  ["'", '\u0301'], ['`', '\u0300'], ['"', '\u0308'], ['c', '\u0327'], ['^', '\u0302'], ['~', '\u0303'],
  ['H', '\u030b'], ['k', '\u0328'], ['=', '\u0304'], ['b', '\u0331'], ['.', '\u0307'], ['d', '\u0323'],
  ['r', '\u030a'], ['u', '\u0306'], ['v', '\u030c'], ['vec', '\u20d7'], ['dot', '\u0307'], ['hat', '\u0302'],
  ['check', '\u030c'], ['breve', '\u0306'], ['acute', '\u0301'], ['grave', '\u0300'], ['tilde', '\u0303'],
  ['bar', '\u0305'], ['ddot', '\u0308'], ['not', '\u0338'],
]);

/** Math alphabets: [upper-case A offset, lower-case a offset] and code-point holes. */
const STYLES: Record<string, [number, number]> = {
  bold: [0x1d400, 0x1d41a], italic: [0x1d434, 0x1d44e], script: [0x1d49c, 0x1d4b6], fraktur: [0x1d504, 0x1d51e],
  doublestruck: [0x1d538, 0x1d552], sans: [0x1d5a0, 0x1d5ba], monospace: [0x1d670, 0x1d68a],
};
const STYLE_HOLES: Record<string, Record<string, number>> = {
  italic: { h: 0x210e },
  script: { B: 0x212c, E: 0x2130, F: 0x2131, H: 0x210b, I: 0x2110, L: 0x2112, M: 0x2133, R: 0x211b, e: 0x212f, g: 0x210a, o: 0x2134 },
  fraktur: { C: 0x212d, H: 0x210c, I: 0x2111, R: 0x211c, Z: 0x2128 },
  doublestruck: { C: 0x2102, H: 0x210d, N: 0x2115, P: 0x2119, Q: 0x211a, R: 0x211d, Z: 0x2124 },
};
const STYLE_MACROS: Record<string, string> = {
  mathbf: 'bold', mathit: 'italic', mathsf: 'sans', mathbb: 'doublestruck', mathtt: 'monospace',
  mathcal: 'script', mathscr: 'script', mathfrak: 'fraktur',
};
/** Macros rendered as the concatenation of their arguments (pylatexenc `discard=False`). */
const ARG_MACROS = new Set(['mathrm', 'emph', 'textrm', 'textit', 'textbf', 'textsc', 'textsl', 'text']);
const SPECIALS: ReadonlyMap<string, string> = new Map([
  ['&', '   '], ['~', '\u00a0'], ['``', '\u201c'], ["''", '\u201d'], ['--', '\u2013'], ['---', '\u2014'], ['!`', '\u00a1'], ['?`', '\u00bf'],
]);
const MATRIX_ENVS = new Set(['array', 'pmatrix', 'bmatrix', 'smallmatrix', 'psmallmatrix', 'bsmallmatrix']);
const EQUATION_ENVS = new Set(['equation', 'equation*', 'eqnarray', 'eqnarray*', 'align', 'multline', 'gather', 'align*', 'multline*', 'gather*', 'dmath', 'dmath*']);
const BLOCK_ENVS = new Set(['center', 'flushleft', 'flushright']);
const SECTIONS: Record<string, (t: string) => string> = {
  part: (t) => `\n\nPART: ${t.toUpperCase()}\n`,
  chapter: (t) => `\n\nCHAPTER: ${t.toUpperCase()}\n`,
  section: (t) => `\n\n\u00a7 ${t.toUpperCase()}\n`,
  subsection: (t) => `\n\n \u00a7.\u00a7 ${t}\n`,
  subsubsection: (t) => `\n\n  \u00a7.\u00a7.\u00a7 ${t}\n`,
  paragraph: (t) => `\n\n  ${t}\n`,
  subparagraph: (t) => `\n\n    ${t}\n`,
};

function styleText(text: string, style: string): string {
  const [up, lo] = STYLES[style]!;
  return codePoints(text).map((c) => {
    const hole = STYLE_HOLES[style]?.[c];
    if (hole !== undefined) return String.fromCodePoint(hole);
    const o = c.codePointAt(0)!;
    if (o >= 65 && o <= 90) return String.fromCodePoint(up + o - 65);
    if (o >= 97 && o <= 122) return String.fromCodePoint(lo + o - 97);
    return c;
  }).join('');
}

/** Python `fmt % args` for the `%s`, `%(key)s` and `%%` conversions the spec strings use. */
function pyPercent(fmt: string, args: string[] | Record<string, string>): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') { out += fmt[i]; continue; }
    const c = fmt[++i];
    if (c === '%') { out += '%'; continue; }
    if (c === '(') {
      const close = fmt.indexOf(')', i);
      const key = fmt.slice(i + 1, close);
      i = close + 1;
      if (Array.isArray(args)) throw new TypeError('format requires a mapping');
      if (!(key in args)) throw new LatexToTextError(`KeyError: ${key}`);
      out += args[key];
    } else if (c === 's') {
      if (!Array.isArray(args)) { out += String(args); continue; }
      if (next >= args.length) throw new TypeError('not enough arguments for format string');
      out += args[next++];
    } else throw new TypeError('unsupported format character');
  }
  if (Array.isArray(args) && next < args.length) throw new TypeError('not all arguments converted');
  return out;
}

class Converter {
  private strict = STRICT_MACROS;

  nodelist(nodes: (LNode | null)[]): string {
    let s = '';
    let prev: LNode | null = null;
    for (const node of nodes) {
      if (prev && prev.kind === 'macro' && prev.optArg === null && (prev.args ?? []).length === 0 &&
          node?.kind === 'chars' && !this.strict.macroChars) s += prev.postSpace;
      s += this.node(node);
      prev = node;
    }
    return s;
  }

  private groupContents(n: LNode | null): string {
    if (n === null) return '';
    return n.kind === 'group' ? this.nodelist(n.nodes) : this.node(n);
  }

  private node(n: LNode | null): string {
    if (n === null) return '';
    switch (n.kind) {
      case 'chars':
        return !this.strict.constructs && pyStrip(n.chars).length === 0 ? '' : n.chars;
      case 'group': return this.nodelist(n.nodes);
      case 'macro': return this.macro(n);
      case 'env': return this.environment(n);
      case 'specials': return SPECIALS.get(n.chars) ?? n.chars;
      case 'math': return this.math(n.nodes, n.display);
    }
  }

  private math(nodes: LNode[], block: boolean): string {
    const saved = this.strict;
    this.strict = STRICT_EQUATIONS;
    let content: string;
    try { content = pyStrip(this.nodelist(nodes)); } finally { this.strict = saved; }
    return block ? indentedBlock(content) : content;
  }

  private macro(n: Extract<LNode, { kind: 'macro' }>): string {
    const name = n.name;
    const argnlist = n.argd?.argnlist ?? [];
    const argText = (k: number) => (n.argd && argnlist.length ? this.groupContents(argnlist[k] ?? null) : '');
    if (ARG_MACROS.has(name)) return argnlist.map((a) => this.groupContents(a)).join('');
    if (name in STYLE_MACROS) return styleText(argText(0), STYLE_MACROS[name]!);
    const accent = ACCENTS.get(name);
    if (accent !== undefined) {
      const c = n.args && n.args.length ? pyStrip(this.nodelist([n.args[0]!])) : ' ';
      return codePoints(c).map((ch) => ((ch === '\u0131' ? 'i' : ch === '\u0237' ? 'j' : ch) + accent).normalize('NFC')).join('');
    }
    switch (name) {
      case 'input': case 'include': return '';
      case '%': return '%';
      case 'title': case 'author': case 'date':
        if (!n.argd) throw new LatexToTextError(`\\${name} without arguments`);
        return '';
      case 'item': return '\n  ' + (n.optArg ? this.nodelist([n.optArg]) : '* ');
      case 'href': throw new LatexToTextError('\\href without arguments');
      case 'texorpdfstring':
        if (n.args === null) throw new LatexToTextError('\\texorpdfstring in argument position');
        return this.nodelist(n.args.slice(1, 2));
      case 'includegraphics': return indentedBlock('< g r a p h i c s >');
    }
    if (name in SECTIONS) return SECTIONS[name]!(argText(2));
    const repl = TEXT_MACRO_STRINGS.get(name);
    if (repl === undefined) return '';
    if (!repl.includes('%') || repl.length === 1) return repl;
    const texts = argnlist.map((a) => this.groupContents(a));
    const hasPercentS = /(^|[^%])(%%)*%s/.test(repl);
    const args = hasPercentS ? texts : Object.fromEntries(texts.map((t, j) => [String(j + 1), t]));
    try { return pyPercent(repl, args); } catch (e) {
      if (e instanceof TypeError) return repl;
      throw e;
    }
  }

  private environment(n: Extract<LNode, { kind: 'env' }>): string {
    if (EQUATION_ENVS.has(n.name)) return this.math(n.nodes, true);
    if (BLOCK_ENVS.has(n.name)) return '\n' + this.nodelist(n.nodes) + '\n';
    if (MATRIX_ENVS.has(n.name)) return this.matrix(n.nodes);
    return this.nodelist(n.nodes);
  }

  /** `fmt_matrix_environment_node`: columns split on `&`, rows on `\\`, rendered `[ a b; c d ]`. */
  private matrix(nodes: LNode[]): string {
    const rows: string[][] = [];
    let row: string[] = [];
    let cell: LNode[] = [];
    const newColumn = () => { if (cell.length) row.push(pyStrip(this.nodelist(cell))); cell = []; };
    const newRow = () => { newColumn(); rows.push(row); row = []; };
    for (const x of nodes) {
      if (x.kind === 'specials' && x.chars === '&') newColumn();
      else if (x.kind === 'macro' && x.name === '\\') newRow();
      else cell.push(x);
    }
    newRow();
    const lens = rows.flat().map((x) => codePoints(x).length);
    if (lens.length === 0) throw new LatexToTextError('max() arg is an empty sequence');
    const w = Math.max(...lens);
    return '[ ' + rows.map((r) => r.map((x) => ' '.repeat(Math.max(0, w - codePoints(x).length)) + x).join(' ')).join('; ') + ' ]';
  }
}

function indentedBlock(contents: string): string {
  return '\n    ' + contents.split('\n').join('\n    ') + '\n';
}

/** Converts LaTeX to plain text as pylatexenc's `LatexNodes2Text().latex_to_text(latex)` does. */
export function latexToText(latex: string): string {
  return new Converter().nodelist(parseLatex(latex));
}
