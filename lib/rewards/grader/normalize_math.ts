/**
 * MathRuler's first normaliser, `normalize_answer` (Hendrycks MATH `_strip_string`), docs/method.md, "Answer grading", test (a).
 *
 * The Python original indexes strings by code point and lets IndexError/AssertionError escape
 * from helpers; `normalize_answer` catches them and returns the partly processed answer. Both
 * behaviours are kept: helpers index with `Array.from` and throw `NormalizeError`.
 */
import { codePoints, pyStrip } from '../../text/py.js';

class NormalizeError extends Error {}

/** Python `s.replace(a, b)` (all occurrences, literal). */
function rep(s: string, a: string, b: string): string {
  return s.split(a).join(b);
}

/** `\frac12` → `\frac{1}{2}`, `\frac1{72}` → `\frac{1}{72}`; throws where Python raises IndexError. */
function fixFracs(str: string): string {
  const substrs = str.split('\\frac');
  let out = substrs[0]!;
  for (const substr of substrs.slice(1)) {
    out += '\\frac';
    const cps = codePoints(substr);
    if (cps.length === 0) throw new NormalizeError('empty \\frac tail');
    if (cps[0] === '{') {
      out += substr;
      continue;
    }
    if (cps.length < 2) return str;
    const a = cps[0]!;
    const b = cps[1]!;
    const post = cps.slice(2).join('');
    if (b !== '{') out += '{' + a + '}{' + b + '}' + post;
    else out += '{' + a + '}' + b + post;
  }
  return out;
}

/** An integer "a/b" in canonical form becomes `\frac{a}{b}` (Python: int() then an equality assert). */
function fixASlashB(str: string): string {
  const parts = str.split('/');
  if (parts.length !== 2) return str;
  const canonical = /^(?:0|-?[1-9][0-9]*)$/;
  if (!canonical.test(parts[0]!) || !canonical.test(parts[1]!)) return str;
  return '\\frac{' + parts[0] + '}{' + parts[1] + '}';
}

/** Drops everything after `\text{ ` (units); more than one occurrence raises in Python. */
function removeRightUnits(str: string): string {
  if (!str.includes('\\text{ ')) return str;
  const splits = str.split('\\text{ ');
  if (splits.length !== 2) throw new NormalizeError('several \\text{ units');
  return splits[0]!;
}

/** `\sqrt3` → `\sqrt{3}`; a trailing bare `\sqrt` raises in Python. */
function fixSqrt(str: string): string {
  if (!str.includes('\\sqrt')) return str;
  const splits = str.split('\\sqrt');
  let out = splits[0]!;
  for (const split of splits.slice(1)) {
    const cps = codePoints(split);
    if (cps.length === 0) throw new NormalizeError('empty \\sqrt tail');
    if (cps[0] !== '{') out += '\\sqrt{' + cps[0] + '}' + cps.slice(1).join('');
    else out += '\\sqrt' + split;
  }
  return out;
}

/** Hendrycks `_strip_string`. */
function stripString(input: string): string {
  let s = rep(input, '\n', '');
  s = rep(s, '\\!', '');
  s = rep(s, '\\\\', '\\');
  s = rep(s, 'tfrac', 'frac');
  s = rep(s, 'dfrac', 'frac');
  s = rep(s, '\\left', '');
  s = rep(s, '\\right', '');
  s = rep(s, '^{\\circ}', '');
  s = rep(s, '^\\circ', '');
  s = rep(s, '\\$', '');
  s = removeRightUnits(s);
  s = rep(s, '\\%', '');
  s = rep(s, '%', '');
  s = rep(s, ' .', ' 0.');
  s = rep(s, '{.', '{0.');
  if (s.length === 0) return s;
  if (s[0] === '.') s = '0' + s;
  const eq = s.split('=');
  if (eq.length === 2 && codePoints(eq[0]!).length <= 2) s = eq[1]!;
  s = fixSqrt(s);
  s = rep(s, ' ', '');
  s = fixFracs(s);
  if (s === '0.5') s = '\\frac{1}{2}';
  s = fixASlashB(s);
  return s;
}

/**
 * Hendrycks-MATH normalisation as in `mathruler.math_normalize.normalize_answer`: strip, unwrap
 * a whole-string `\text{…}`, then `_strip_string`. Returns null for null input.
 */
export function normalizeAnswer(answer: string | null): string | null {
  if (answer === null) return null;
  let a = pyStrip(answer);
  const m = /^\\text\{([^\n]+?)\}(?=\n?$)/.exec(a);
  if (m) a = pyStrip(m[1]!);
  try {
    return stripString(a);
  } catch (e) {
    if (e instanceof NormalizeError) return a;
    throw e;
  }
}
