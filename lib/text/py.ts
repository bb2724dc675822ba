/**
 * Python string semantics that the MathRuler port depends on.
 *
 * JavaScript's `trim`, `\s`, `\d`, `Number()` and `toLowerCase` differ from Python's `str.strip`,
 * `re` classes, `float()` and `str.lower` at the edges (U+FEFF, U+001C..U+001F, U+0085, Unicode
 * digits, underscores in numbers, "inf"). The grader must see strings exactly as Python does, so
 * every such operation goes through this file.
 */

/** Characters for which Python's `str.isspace()` (and `re`'s `\s`) is true. */
export const PY_WHITESPACE =
  '\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004' +
  '\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** A regex character-class body (no brackets) matching Python `\s`. */
export const PY_WS_CLASS = '\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WS_SET = new Set(Array.from(PY_WHITESPACE));

/** Python `ch.isspace()` for a single code point. */
export function isPySpace(ch: string): boolean {
  return WS_SET.has(ch);
}

/** Python `str.strip()` with no argument. */
export function pyStrip(s: string): string {
  return pyRstrip(pyLstrip(s));
}

/** Python `str.lstrip()` with no argument. */
export function pyLstrip(s: string): string {
  let i = 0;
  while (i < s.length && WS_SET.has(s[i]!)) i++;
  return s.slice(i);
}

/** Python `str.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  let j = s.length;
  while (j > 0 && WS_SET.has(s[j - 1]!)) j--;
  return s.slice(0, j);
}

/** Python `str.isalpha()` for one code point (Unicode categories L*). */
export function isPyAlpha(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/** Python `str.isdigit()` for one code point: decimal digits plus other digits (superscripts). */
export function isPyDigit(ch: string): boolean {
  return /^[\p{Nd}\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}]$/u.test(ch);
}

/** Python `str.lower()`. JS full case mapping agrees with Python's for all practical input. */
export function pyLower(s: string): string {
  return s.toLowerCase();
}

/** Code points of `s` (Python iterates strings by code point, JS by UTF-16 unit). */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Value 0..9 of a Unicode decimal digit (category Nd); Nd digits come in runs that start at zero. */
function decimalValue(ch: string): number {
  let cp = ch.codePointAt(0)!;
  let start = cp;
  while (start > 0 && /^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

const PY_FLOAT_RE = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const PY_SPECIAL_RE = /^[+-]?(?:inf|infinity|nan)$/i;

/**
 * Python `float(s)` for a str: returns the double, or null where Python raises ValueError.
 * Unicode decimal digits count as digits and Unicode whitespace around the number is ignored,
 * as in CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`.
 */
export function pyFloat(s: string): number | null {
  let ascii = '';
  for (const ch of s) {
    if (WS_SET.has(ch)) ascii += ' ';
    else if (ch.charCodeAt(0) < 128) ascii += ch;
    else if (/^\p{Nd}$/u.test(ch)) ascii += String(decimalValue(ch));
    else return null;
  }
  const t = ascii.replace(/^ +| +$/g, '');
  if (PY_SPECIAL_RE.test(t)) {
    const neg = t.startsWith('-');
    return /nan/i.test(t) ? NaN : neg ? -Infinity : Infinity;
  }
  if (!PY_FLOAT_RE.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** Python `round(x)` for a float (half to even); throws like Python on inf/nan. */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`cannot round ${x}`);
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Python `str(int(x))` for a finite double, exact for large magnitudes. */
export function pyIntStr(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot convert ${x} to int`);
  return BigInt(Math.trunc(x)).toString();
}

/** Python `abs(x - int(round(x))) <= 1e-7`, raising (returning false) on inf/nan. */
export function pyIsIntFloat(x: number): boolean {
  if (!Number.isFinite(x)) return false;
  return Math.abs(x - pyRound(x)) <= 1e-7;
}
