/**
 * MathRuler's structural checks (`split_tuple`, `should_allow_eval`) and its sympy equality test
 * `are_equal_under_sympy`: parse `(gt)-(given)` the way sympy's `parse_expr` with implicit
 * multiplication would, then decide whether `simplify` of it is 0 (docs/method.md, "Answer grading", test (c)).
 */
import { codePoints, isPyAlpha, pyStrip } from '../../text/py.js';
import { stripProperlyFormattedCommas } from './normalize.js';
import { numericallyZero } from './sympy/numeric.js';
import { parseTokens } from './sympy/parse.js';
import { polyZero, SympyRaises } from './sympy/poly.js';
import { tokenize } from './sympy/tokenize.js';
import { transformTokens } from './sympy/transform.js';

const TUPLE_CHARS = '()[]';

/** Distinct letters once "sqrt" and "frac" are removed (`count_unknown_letters_in_expr`). */
export function countUnknownLetters(expr: string): number {
  const rest = expr.split('sqrt').join('').split('frac').join('');
  return new Set(codePoints(rest).filter(isPyAlpha)).size;
}

/** `should_allow_eval`: at most two unknown letters, no `^{`/`^(`, no stacked or multi-digit exponents. */
export function shouldAllowEval(expr: string): boolean {
  if (countUnknownLetters(expr) > 2) return false;
  if (expr.includes('^{') || expr.includes('^(')) return false;
  if (/\^[0-9]+\^/.test(expr) || /\^[0-9][0-9]+/.test(expr)) return false;
  return true;
}

/**
 * `are_equal_under_sympy(gt, given)`: true when sympy would simplify `(gt)-(given)` to 0.
 * Expressions in the exact canonical form (polynomials over symbols, pi, i and square roots with
 * Rational/Float coefficients) are decided exactly; others by numeric evaluation.
 */
export function areEqualUnderSympy(groundTruth: string, given: string): boolean {
  const expr = `(${groundTruth})-(${given})`;
  if (!shouldAllowEval(expr)) return false;
  const tokens = tokenize(expr.split('^').join('**'));
  if (!tokens) return false;
  const transformed = transformTokens(tokens);
  if (!transformed) return false;
  const ast = parseTokens(transformed);
  if (!ast) return false;
  try {
    const verdict = polyZero(ast);
    if (verdict !== 'unknown') return verdict === 'zero';
  } catch (e) {
    if (e instanceof SympyRaises) return false;
    throw e;
  }
  return numericallyZero(ast);
}

/** `split_tuple`: elements of "(a, b)" / "[a, b)" when the outer characters are brackets. */
export function splitTuple(expr: string): string[] {
  expr = stripProperlyFormattedCommas(expr);
  if (expr.length === 0) return [];
  const cps = codePoints(expr);
  const inner = cps.slice(1, -1);
  if (cps.length > 2 && TUPLE_CHARS.includes(cps[0]!) && TUPLE_CHARS.includes(cps[cps.length - 1]!) &&
      !inner.some((c) => TUPLE_CHARS.includes(c))) {
    return inner.join('').split(',').map(pyStrip);
  }
  return [expr];
}
