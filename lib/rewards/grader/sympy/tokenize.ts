/**
 * The part of Python 3.11's `tokenize.generate_tokens` that sympy's `parse_expr` sees for a
 * one-line arithmetic expression: NUMBER, NAME, OP and ERRORTOKEN, then NEWLINE and ENDMARKER.
 *
 * Anything that would make the Python side fail for sure (an unterminated bracket, a stray
 * character other than `!`, quotes, comments, a line break outside brackets) is reported as
 * `null`: MathRuler's sympy comparison catches every exception and answers False. A line break
 * inside brackets is an NL token, invisible to Python but not to sympy's implicit multiplication.
 */

export type TokType = 'NUMBER' | 'NAME' | 'OP' | 'ERRORTOKEN' | 'NL' | 'NEWLINE' | 'ENDMARKER';
/** A token as sympy's transformations see it: [type, string]. */
export type Token = readonly [TokType, string];

const D = '[0-9](?:_?[0-9])*';
const EXPONENT = `[eE][-+]?${D}`;
const POINTFLOAT = `(?:${D}\\.(?:${D})?|\\.${D})(?:${EXPONENT})?`;
const FLOAT = `(?:${POINTFLOAT}|${D}${EXPONENT})`;
const IMAG = `(?:${D}[jJ]|${FLOAT}[jJ])`;
const INT = '(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?0)*|[1-9](?:_?[0-9])*)';
const NUMBER_RE = new RegExp(`^(?:${IMAG}|${FLOAT}|${INT})`);
/** Python's exact-token operators, longest first (as `sorted(EXACT_TOKEN_TYPES, reverse=True)` tries them). */
const OPERATORS = [
  '**=', '...', '//=', '<<=', '>>=', '!=', '%=', '&=', '**', '*=', '+=', '-=', '->', '//', '/=', ':=', '<<',
  '<=', '==', '>=', '>>', '@=', '^=', '|=', '%', '&', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '<',
  '=', '>', '@', '[', ']', '^', '{', '|', '}', '~',
];
const NAME_RE = /^[\p{L}\p{N}_]+/u;
const IDENT_START = /^[\p{L}_]/u;

/** Tokenizes `s`; null where Python's tokenizer or compiler would reject it outright. */
export function tokenize(s: string): Token[] | null {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\f') { i++; continue; }
    if (c === '\n' || (c === '\r' && s[i + 1] === '\n')) {
      if (depth <= 0) return null;
      out.push(['NL', c === '\n' ? '\n' : '\r\n']);
      i += c === '\n' ? 1 : 2;
      continue;
    }
    const rest = s.slice(i);
    const num = NUMBER_RE.exec(rest);
    if (num) {
      out.push(['NUMBER', num[0]]);
      i += num[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      if ('([{'.includes(op)) depth++;
      else if (')]}'.includes(op)) depth--;
      out.push(['OP', op]);
      i += op.length;
      continue;
    }
    const name = NAME_RE.exec(rest);
    if (name) {
      if (!IDENT_START.test(name[0])) return null;
      out.push(['NAME', name[0]]);
      i += name[0].length;
      continue;
    }
    // '!' (factorial) and a lone '\r' (which Python's compiler reads as a line break inside the
    // brackets) are the only stray characters that do not end in a SyntaxError.
    if (c === '!' || c === '\r') { out.push(['ERRORTOKEN', c]); i++; continue; }
    return null;
  }
  if (depth !== 0) return null;
  out.push(['NEWLINE', ''], ['ENDMARKER', '']);
  return out;
}
