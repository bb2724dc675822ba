/**
 * sympy's number tower for the grader: exact `Rational` and `Float` (mpf), combined with the
 * same precision and rounding rules as sympy's `Number.__add__/__mul__/__truediv__`
 * (a Rational meeting a Float is first rounded to the Float's precision; two Floats use the
 * larger precision; a zero result is the exact `S.Zero`).
 */
import { type Mpf, mpfAdd, mpfDiv, mpfFromNumber, mpfFromRational, mpfIsZero, mpfMul, mpfNeg, mpfPowInt, mpfToNumber } from './mpf.js';

/** An exact rational n/d (d > 0, reduced) or a binary float. */
export type Coef = { q: readonly [bigint, bigint] } | { f: Mpf };

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Reduced rational n/d; d must be nonzero. */
export function rat(n: bigint, d = 1n): Coef {
  if (d < 0n) { n = -n; d = -d; }
  const g = gcd(n, d) || 1n;
  return { q: [n / g, d / g] };
}

export const ZERO = rat(0n);
export const ONE = rat(1n);

/** A float result that rounds to zero becomes the exact zero, as `Float._new` does. */
function flt(x: Mpf): Coef {
  return mpfIsZero(x) ? ZERO : { f: x };
}

function toMpf(c: Coef, prec: number): Mpf {
  return 'f' in c ? c.f : mpfFromRational(c.q[0], c.q[1], prec);
}

function precOf(a: Coef, b: Coef): number {
  return Math.max('f' in a ? a.f.prec : 0, 'f' in b ? b.f.prec : 0);
}

export function isZero(c: Coef): boolean {
  return 'q' in c ? c.q[0] === 0n : mpfIsZero(c.f);
}

export function isExact(c: Coef): c is { q: readonly [bigint, bigint] } {
  return 'q' in c;
}

export function neg(c: Coef): Coef {
  return 'q' in c ? { q: [-c.q[0], c.q[1]] } : flt(mpfNeg(c.f));
}

export function add(a: Coef, b: Coef): Coef {
  if ('q' in a && 'q' in b) return rat(a.q[0] * b.q[1] + b.q[0] * a.q[1], a.q[1] * b.q[1]);
  const p = precOf(a, b);
  return flt(mpfAdd(toMpf(a, p), toMpf(b, p), p));
}

export function mul(a: Coef, b: Coef): Coef {
  if ('q' in a && 'q' in b) return rat(a.q[0] * b.q[0], a.q[1] * b.q[1]);
  const p = precOf(a, b);
  return flt(mpfMul(toMpf(a, p), toMpf(b, p), p));
}

/** Reciprocal; null for division by zero (sympy gives zoo, which never grades equal). */
export function inv(c: Coef): Coef | null {
  if (isZero(c)) return null;
  if ('q' in c) return rat(c.q[1], c.q[0]);
  return flt(mpfPowInt(c.f, -1n, c.f.prec));
}

/** a / b with sympy's rules: Float/x divides directly, Rational/Float multiplies by 1/Float. */
export function div(a: Coef, b: Coef): Coef | null {
  if (isZero(b)) return null;
  if ('q' in a && 'q' in b) return rat(a.q[0] * b.q[1], a.q[1] * b.q[0]);
  if ('f' in a) {
    const p = precOf(a, b);
    return flt(mpfDiv(a.f, toMpf(b, p), p));
  }
  const r = inv(b);
  return r && mul(a, r);
}

/** c ** k for an integer k; null for 0 ** negative. */
export function powInt(c: Coef, k: bigint): Coef | null {
  if ('q' in c) {
    if (k >= 0n) return rat(c.q[0] ** k, c.q[1] ** k);
    if (c.q[0] === 0n) return null;
    return rat(c.q[1] ** -k, c.q[0] ** -k);
  }
  if (mpfIsZero(c.f) && k < 0n) return null;
  return flt(mpfPowInt(c.f, k, c.f.prec));
}

/**
 * base ** e for a Float exponent: sympy evaluates it as a Float at the larger precision
 * (`mpf_pow`, approximated here through the double result). Null for complex results.
 */
export function powFloat(base: Coef, e: Mpf): Coef | null {
  const prec = Math.max('f' in base ? base.f.prec : 0, e.prec);
  const b = toNumber(base);
  const x = mpfToNumber(e);
  if (b < 0 || (b === 0 && x <= 0)) return null;
  const v = Math.pow(b, x);
  return Number.isFinite(v) ? flt(mpfFromNumber(v, prec)) : null;
}

export function toNumber(c: Coef): number {
  return 'q' in c ? Number(c.q[0]) / Number(c.q[1]) : mpfToNumber(c.f);
}

export function key(c: Coef): string {
  return 'q' in c ? `${c.q[0]}/${c.q[1]}` : `f${c.f.man}e${c.f.exp}p${c.f.prec}`;
}
