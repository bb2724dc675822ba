/**
 * MathRuler's second normaliser, `grader._normalize`, and the small numeric-string helpers of
 * `grader.py` (docs/method.md, "Answer grading", test (b)).
 */
import { latexToText } from './latex_to_text.js';
import { pyFloat, pyIntStr, pyIsIntFloat, pyLower, pyRound, pyStrip } from '../../text/py.js';

const UNITS = [
  'degree', 'cm', 'centimeter', 'meter', 'mile', 'second', 'minute', 'hour', 'day', 'week', 'month',
  'year', 'foot', 'feet', 'inch', 'yard',
];
const UNIT_RES = UNITS.map((u) => new RegExp(`${u}(es)?(s)? *(\\^[0-9]+)?`, 'g'));

function rep(s: string, a: string, b: string): string {
  return s.split(a).join(b);
}

/** `_strip_properly_formatted_commas`: "1,234,567" → "1234567" but tuple commas survive. */
export function stripProperlyFormattedCommas(expr: string): string {
  const re = /(\p{Nd})(,)(\p{Nd}\p{Nd}\p{Nd})($|\P{Nd})/gu;
  for (;;) {
    const next = expr.replace(re, '$1$3$4');
    if (next === expr) return next;
    expr = next;
  }
}

/** `_str_is_int`: parses as a float within 1e-7 of an integer (after stripping thousands commas). */
export function strIsInt(x: string): boolean {
  const v = pyFloat(stripProperlyFormattedCommas(x));
  return v !== null && pyIsIntFloat(v);
}

/** `_str_to_int`: all commas removed, then `int(float(x))`. Throws where Python raises. */
export function strToInt(x: string): string {
  const v = pyFloat(rep(x, ',', ''));
  if (v === null) throw new Error(`could not convert string to float: '${x}'`);
  return pyIntStr(v);
}

/** `_is_frac`: "a/b"-shaped, one optional arbitrary character after each number. */
export function isFrac(expr: string): boolean {
  return /^-?[0-9]+[^\n]?\/0*[1-9][0-9]*[^\n]?(?=\n?$)/u.test(expr);
}

/** `_parse_latex`: LaTeX → text via the pylatexenc port, then the grader's symbol renames. */
function parseLatex(expr: string): string {
  expr = rep(expr, '\\tfrac', '\\frac');
  expr = rep(expr, '\\dfrac', '\\frac');
  expr = rep(expr, '\\frac', ' \\frac');
  expr = latexToText(expr);
  expr = rep(expr, '\u221a', 'sqrt');
  expr = rep(expr, '\u03c0', 'pi');
  expr = rep(expr, '\u221e', 'inf');
  expr = rep(expr, '\u222a', 'U');
  expr = rep(expr, '\u00b7', '*');
  expr = rep(expr, '\u00d7', '*');
  return pyStrip(expr);
}

/**
 * `grader._normalize`: unwraps `\text{}`, drops `%`/`$`, maps " or "/" and " to commas, expands
 * million/billion/trillion, deletes unit words, strips one outer brace pair, turns
 * float-integers into integers, renders LaTeX to text, removes spaces and braces, lowercases,
 * and canonicalises integers (thousands commas removed). Null stays null.
 */
export function normalizeExpr(expr: string | null): string | null {
  if (expr === null) return null;
  const m = /^\\text\{([^\n]+?)\}(?=\n?$)/.exec(expr);
  if (m) expr = m[1]!;
  expr = rep(expr, '\\%', '%');
  expr = rep(expr, '\\$', '$');
  expr = rep(expr, '$', '');
  expr = rep(expr, '%', '');
  expr = rep(expr, ' or ', ' , ');
  expr = rep(expr, ' and ', ' , ');
  expr = rep(expr, 'million', '*10^6');
  expr = rep(expr, 'billion', '*10^9');
  expr = rep(expr, 'trillion', '*10^12');
  for (const re of UNIT_RES) expr = expr.replace(re, '');
  expr = expr.replace(/\^ *\\circ/g, '');
  if (expr.length > 0 && expr[0] === '{' && expr[expr.length - 1] === '}') expr = expr.slice(1, -1);
  expr = expr.replace(/,\\! */g, '');
  const f = pyFloat(expr);
  if (f !== null && pyIsIntFloat(f)) expr = pyIntStr(pyRound(f));
  if (expr.includes('\\')) {
    try {
      expr = parseLatex(expr);
    } catch {
      // Python: `except: pass`, the expression stays as it was.
    }
  }
  expr = expr.replace(/- */g, '-');
  expr = expr.replace(/([0-9]) +([0-9])/g, '$1+$2');
  expr = rep(expr, ' ', '');
  expr = rep(expr, '{', '');
  expr = rep(expr, '}', '');
  expr = pyLower(expr);
  if (strIsInt(expr)) expr = strToInt(expr);
  return expr;
}
