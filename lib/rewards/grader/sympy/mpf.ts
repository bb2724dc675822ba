/**
 * Binary floating point with a chosen precision and round-half-even, the arithmetic behind
 * sympy's `Float` (mpmath `mpf`). Needed because MathRuler's sympy check says "equal" only when
 * Float arithmetic cancels exactly: 3/2 - 1.5 is 0, 1/3 - 0.3333333333333333 is not (sympy reads
 * that literal at 56 bits, more than a double).
 */

/** value = man * 2^exp, |man| < 2^prec. */
export interface Mpf { readonly man: bigint; readonly exp: number; readonly prec: number }

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds the exact value (man * 2^exp, plus a sticky nonzero tail below it) to `prec` bits. */
function roundBits(man: bigint, exp: number, prec: number, sticky = false): Mpf {
  if (man === 0n) return { man: 0n, exp: 0, prec };
  const neg = man < 0n;
  let m = neg ? -man : man;
  const shift = bitLength(m) - prec;
  if (shift > 0) {
    const low = m & ((1n << BigInt(shift)) - 1n);
    m >>= BigInt(shift);
    exp += shift;
    const half = 1n << BigInt(shift - 1);
    if (low > half || (low === half && (sticky || (m & 1n) === 1n))) m += 1n;
    if (bitLength(m) > prec) { m >>= 1n; exp += 1; }
  }
  // Canonical (odd) mantissa so equal values have equal representations.
  while ((m & 1n) === 0n) { m >>= 1n; exp += 1; }
  return { man: neg ? -m : m, exp, prec };
}

/** The rational n/d (d > 0) rounded to `prec` bits. */
export function mpfFromRational(n: bigint, d: bigint, prec: number): Mpf {
  if (d < 0n) { n = -n; d = -d; }
  if (n === 0n) return { man: 0n, exp: 0, prec };
  const neg = n < 0n;
  const a = neg ? -n : n;
  const e = bitLength(a) - bitLength(d) - prec - 3;
  const num = e >= 0 ? a : a << BigInt(-e);
  const den = e >= 0 ? d << BigInt(e) : d;
  const q = num / den;
  const r = num % den;
  return roundBits(neg ? -q : q, e, prec, r !== 0n);
}

/** Exact rational value [n, d] of an mpf. */
export function mpfToRational(x: Mpf): [bigint, bigint] {
  if (x.exp >= 0) return [x.man << BigInt(x.exp), 1n];
  return [x.man, 1n << BigInt(-x.exp)];
}

export function mpfIsZero(x: Mpf): boolean {
  return x.man === 0n;
}

export function mpfNeg(x: Mpf): Mpf {
  return { man: -x.man, exp: x.exp, prec: x.prec };
}

export function mpfAdd(a: Mpf, b: Mpf, prec: number): Mpf {
  if (a.man === 0n) return roundBits(b.man, b.exp, prec);
  if (b.man === 0n) return roundBits(a.man, a.exp, prec);
  const e = Math.min(a.exp, b.exp);
  const s = (a.man << BigInt(a.exp - e)) + (b.man << BigInt(b.exp - e));
  return roundBits(s, e, prec);
}

export function mpfMul(a: Mpf, b: Mpf, prec: number): Mpf {
  return roundBits(a.man * b.man, a.exp + b.exp, prec);
}

/** a / b rounded; b must be nonzero. */
export function mpfDiv(a: Mpf, b: Mpf, prec: number): Mpf {
  const [an, ad] = mpfToRational(a);
  const [bn, bd] = mpfToRational(b);
  return mpfFromRational(an * bd, ad * bn, prec);
}

/** a^k for an integer k, from the exact power (mpmath rounds its integer powers correctly). */
export function mpfPowInt(a: Mpf, k: bigint, prec: number): Mpf {
  const [n, d] = mpfToRational(a);
  if (k >= 0n) return mpfFromRational(n ** k, d ** k, prec);
  return mpfFromRational(d ** -k, n ** -k, prec);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) {
      while (x * x > n) x -= 1n;
      while ((x + 1n) * (x + 1n) <= n) x += 1n;
      return x;
    }
    x = y;
  }
}

/** Correctly rounded square root of a nonnegative mpf. */
export function mpfSqrt(a: Mpf, prec: number): Mpf {
  if (a.man === 0n) return a;
  let man = a.man;
  let exp = a.exp;
  const extra = 2 * (prec + 4) - bitLength(man);
  let shift = Math.max(0, extra);
  if ((exp - shift) % 2 !== 0) shift += 1;
  man <<= BigInt(shift);
  exp -= shift;
  const r = isqrt(man);
  return roundBits(r, exp / 2, prec, r * r !== man);
}

/** sympy `Float(str)`: precision from the digit count (`dps = max(15, digits)`), value rounded to it. */
export function mpfFromDecimalString(s: string): Mpf {
  const t = s.trim().replace(/_/g, '').toLowerCase();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`string-float not recognized: ${s}`);
  const intPart = m[2]!;
  const frac = m[3] ?? '';
  const e10 = Number(m[4] ?? '0') - frac.length;
  const coeffDigits = (intPart + frac).replace(/^0+/, '') || '0';
  let coeff = BigInt(coeffDigits);
  if (m[1] === '-') coeff = -coeff;
  let dps = coeffDigits.length;
  const isInt = !t.includes('.');
  const [n, d] = e10 >= 0 ? [coeff * 10n ** BigInt(e10), 1n] : [coeff, 10n ** BigInt(-e10)];
  if (isInt && e10 >= 0) dps = Math.max(dps, (n < 0n ? -n : n).toString().length);
  dps = Math.max(15, dps);
  const prec = Math.max(1, Math.round((dps + 1) * 3.3219280948873626));
  return mpfFromRational(n, d, prec);
}

/** The exact value of a finite double, rounded to `prec` bits. */
export function mpfFromNumber(x: number, prec: number): Mpf {
  if (x === 0) return { man: 0n, exp: 0, prec };
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) { m *= 2; e -= 1; }
  return roundBits(BigInt(m), e, prec);
}

/** Nearest double (for numeric evaluation). */
export function mpfToNumber(x: Mpf): number {
  if (x.man === 0n) return 0;
  const bl = bitLength(x.man < 0n ? -x.man : x.man);
  const drop = Math.max(0, bl - 60);
  const m = Number(x.man >> BigInt(drop));
  return m * 2 ** (x.exp + drop);
}
