/**
 * Builds the canonical form (poly_ring.ts) of the expression tree with sympy's automatic
 * evaluation rules: square factors leave square roots, Float powers and Float roots are
 * evaluated, factorials of integers are computed. What sympy leaves unevaluated (a power of a
 * sum, ln(2), frac(x)) becomes an opaque factor, so identical pieces still cancel.
 *
 * A zero canonical form means `simplify(d) == 0`; a nonzero one without opaque factors means it
 * is not; anything else is left to numeric evaluation (numeric.ts).
 */
import * as C from './coef.js';
import type { Coef } from './coef.js';
import { type Mpf, mpfFromDecimalString, mpfFromNumber, mpfIsZero, mpfSqrt, mpfToNumber } from './mpf.js';
import { gammaReal } from './numeric.js';
import type { Ast } from './parse.js';
import {
  addP, constant, invP, mulP, negP, OPAQUE, opaquePower, type Poly, polyKey, powP, resetPowerBases, single,
} from './poly_ring.js';

/** n = s^2 * r with r square-free; null when n is too large to factor by trial division. */
function extractSquare(n: bigint): [bigint, bigint] | null {
  let s = 1n;
  let r = 1n;
  for (let q = 2n; q <= 10000n && q * q <= n; q += q === 2n ? 1n : 2n) {
    let e = 0;
    while (n % q === 0n) { n /= q; e++; }
    s *= q ** BigInt(e >> 1);
    if (e & 1) r *= q;
  }
  if (n === 1n) return [s, r];
  const root = BigInt(Math.round(Math.sqrt(Number(n))));
  for (const x of [root - 1n, root, root + 1n]) if (x > 0n && x * x === n) return [s * x, r];
  if (n < 100_000_000n) return [s, r * n];
  return null;
}

/** The single symbol of a one-term poly `c*x` (c a positive Rational), else null. */
function bareSymbol(p: Poly): [Coef, string] | null {
  if (p.size !== 1) return null;
  const t = [...p.values()][0]!;
  const { syms, pi, rad, i } = t.m;
  if (syms.length !== 1 || pi !== 0 || rad !== 1n || i !== 0 || !C.isExact(t.c) || t.c.q[0] <= 0n) return null;
  const e = syms[0]![1];
  return C.isExact(e) && e.q[0] === 1n && e.q[1] === 1n ? [t.c, syms[0]![0]] : null;
}

/** sqrt of a constant (sympy auto-simplifies square factors; negative radicands give i). */
function sqrtP(p: Poly): Poly | null {
  const bare = bareSymbol(p);
  if (bare) {
    const root = sqrtP(single(bare[0]));
    return root && mulP(root, single(C.ONE, { syms: [[bare[1], C.rat(1n, 2n)]], pi: 0, rad: 1n, i: 0 }));
  }
  const c = constant(p);
  if (!c) return null;
  if (!C.isExact(c)) {
    if (c.f.man < 0n) return single({ f: mpfSqrt({ ...c.f, man: -c.f.man }, c.f.prec) }, { syms: [], pi: 0, rad: 1n, i: 1 });
    return single({ f: mpfSqrt(c.f, c.f.prec) });
  }
  const [n, d] = c.q;
  if (n === 0n) return single(C.ZERO);
  const sq = extractSquare((n < 0n ? -n : n) * d);
  if (!sq) return null;
  return single(C.rat(sq[0], d), { syms: [], pi: 0, rad: sq[1], i: n < 0n ? 1 : 0 });
}

function factorial(n: bigint, step: bigint): bigint {
  let r = 1n;
  for (let j = n; j > 1n; j -= step) r *= j;
  return r;
}

/** p ** f for a Float f: numbers evaluate to a Float, a bare symbol keeps x**f; else null. */
function floatPower(p: Poly, f: Mpf): Poly | null {
  const c = constant(p);
  if (c) {
    if (C.toNumber(c) < 0) return numericFloatPow(C.toNumber(c), mpfToNumber(f), Math.max('f' in c ? c.f.prec : 0, f.prec));
    const r = C.powFloat(c, f);
    return r && single(r);
  }
  const t = p.size === 1 ? [...p.values()][0]! : null;
  if (t && t.m.syms.length === 0 && t.m.pi === 0 && t.m.i === 0 && C.toNumber(t.c) > 0) {
    // c*sqrt(r) ** f: sympy splits the positive factors and evaluates each as a Float.
    const v = C.toNumber(t.c) * Math.sqrt(Number(t.m.rad));
    return numericFloatPow(v, mpfToNumber(f), Math.max('f' in t.c ? t.c.f.prec : 0, f.prec));
  }
  const bare = bareSymbol(p);
  if (!bare || !(C.isExact(bare[0]) && bare[0].q[0] === 1n && bare[0].q[1] === 1n)) return opaquePower(p, { f });
  return single(C.ONE, { syms: [[bare[1], { f }]], pi: 0, rad: 1n, i: 0 });
}

/**
 * A Float base to a non-integer power, which sympy evaluates numerically (mpmath `mpf_pow`, or
 * `mpc_pow` for a negative base: r·(cos πe + i sin πe), whose real part is a tiny nonzero Float
 * for e = 1/2). Computed in double precision, then held at the Float's precision.
 */
function numericFloatPow(base: number, e: number, prec: number): Poly | null {
  if (base === 0) return e > 0 ? single(C.ZERO) : null;
  const r = Math.pow(Math.abs(base), e);
  let re: number;
  let im: number;
  if (base > 0 || Number.isInteger(e)) [re, im] = [Math.pow(base, e), 0];
  else if (Number.isInteger(2 * e)) {
    // mpmath goes through sqrt for half-integer exponents: the real part is exactly 0.
    const k = (((2 * e) % 4) + 4) % 4;
    [re, im] = [0, k === 1 ? r : -r];
  } else [re, im] = [r * Math.cos(Math.PI * e), r * Math.sin(Math.PI * e)];
  if (!Number.isFinite(re) || !Number.isFinite(im)) return null;
  const flt = (v: number): Coef => (v === 0 ? C.ZERO : { f: mpfFromNumber(v, prec) });
  return addP(single(flt(re)), single(flt(im), { syms: [], pi: 0, rad: 1n, i: 1 }));
}

/** Thrown where sympy itself raises while building the expression (MathRuler then says False). */
export class SympyRaises extends Error {}

/**
 * Decides `simplify(ast) == 0` where the canonical form can: 'zero', 'nonzero', or 'unknown' when
 * the expression leaves the modelled ring or a nonzero result still holds opaque function factors
 * (sympy might relate ln(4) and ln(2); numeric evaluation decides those).
 */
export function polyZero(ast: Ast): 'zero' | 'nonzero' | 'unknown' {
  let p: Poly | null;
  resetPowerBases();
  try { p = build(ast); } catch (e) {
    if (e instanceof SympyRaises) throw e;
    return 'unknown';
  }
  if (!p) return 'unknown';
  if (p.size === 0) return 'zero';
  const opaque = [...p.values()].some((t) => t.m.syms.some(([s]) => s.startsWith(OPAQUE)));
  return opaque ? 'unknown' : 'nonzero';
}

function build(a: Ast): Poly | null {
  switch (a.k) {
    case 'int': return single(C.rat(a.v));
    case 'float': {
      const f = mpfFromDecimalString(a.s);
      return single(mpfIsZero(f) ? C.ZERO : { f });
    }
    case 'sym': return single(C.ONE, { syms: [[a.name, C.ONE]], pi: 0, rad: 1n, i: 0 });
    case 'const':
      if (a.name === 'pi') return single(C.ONE, { syms: [], pi: 1, rad: 1n, i: 0 });
      if (a.name === 'I') return single(C.ONE, { syms: [], pi: 0, rad: 1n, i: 1 });
      return null;
    case 'neg': { const x = build(a.a); return x && negP(x); }
    case 'add': case 'sub': case 'mul': case 'div': {
      const x = build(a.a);
      const y = build(a.b);
      if (!x || !y) return null;
      if (a.k === 'add') return addP(x, y);
      if (a.k === 'sub') return addP(x, negP(y));
      if (a.k === 'mul') return mulP(x, y);
      const cx = constant(x);
      const cy = constant(y);
      if (cx && cy) { const q = C.div(cx, cy); return q && single(q); }
      const iy = invP(y) ?? opaquePower(y, C.rat(-1n));
      return iy && mulP(x, iy);
    }
    case 'pow': {
      const x = build(a.a);
      const e = build(a.b);
      const ce = e && constant(e);
      if (!x || !ce) return null;
      if (!C.isExact(ce)) return floatPower(x, ce.f);
      const [n, d] = ce.q;
      if (d === 1n) return powP(x, n);
      const cx = constant(x);
      if (cx && !C.isExact(cx) && !(C.toNumber(cx) < 0 && d % 2n === 1n)) {
        return numericFloatPow(C.toNumber(cx), Number(n) / Number(d), cx.f.prec);
      }
      if (d === 2n && (n === 1n || n === -1n)) {
        const r = sqrtP(x);
        if (r) return n === 1n ? r : invP(r) ?? opaquePower(x, ce);
      }
      return opaquePower(x, ce);
    }
    case 'call': {
      const x = build(a.args[0]!);
      if (!x) return null;
      if (a.fn === 'sqrt') return sqrtP(x) ?? opaquePower(x, C.rat(1n, 2n));
      if (a.fn === 'factorial' || a.fn === 'factorial2') {
        const c = constant(x);
        const double = a.fn === 'factorial2';
        if (c && C.isExact(c) && c.q[1] === 1n && c.q[0] <= 2000n) {
          if (c.q[0] < 0n) {
            if (double && c.q[0] % 2n !== 0n) return null;
            throw new SympyRaises(`${a.fn} of a negative integer`);
          }
          return single(C.rat(factorial(c.q[0], double ? 2n : 1n)));
        }
        if (double && c) throw new SympyRaises('factorial2 of a non-integer number');
        if (c && !C.isExact(c)) {
          const g = gammaReal(C.toNumber(c) + 1);
          if (Number.isFinite(g)) return single(g === 0 ? C.ZERO : { f: mpfFromNumber(g, c.f.prec) });
        }
      }
      if (a.fn === 'fu') return x;
      // Unevaluated applications (factorial(x), li(2), frac(x), ln(2)...) become opaque factors keyed
      // by their argument, so identical ones cancel as they do in sympy.
      return single(C.ONE, { syms: [[`${OPAQUE}${a.fn}(${polyKey(x)})`, C.ONE]], pi: 0, rad: 1n, i: 0 });
    }
  }
}
