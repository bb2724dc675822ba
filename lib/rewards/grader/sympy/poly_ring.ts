/**
 * The ring behind the grader's exact zero test: sums of terms coefficient × monomial, where a
 * monomial is a product of symbols (and opaque factors) with Rational or Float exponents, a power
 * of pi, i, and one square-free square root. Products reduce sqrt(a)·sqrt(b) and i², and merge
 * powers of the same base, as sympy's automatic evaluation does.
 */
import * as C from './coef.js';
import type { Coef } from './coef.js';

/** Symbols with their exponents (Rational or Float: sympy keeps x**2.0 apart from x**2). */
export interface Mono { readonly syms: readonly (readonly [string, Coef])[]; readonly pi: number; readonly rad: bigint; readonly i: 0 | 1 }
export interface Term { readonly c: Coef; readonly m: Mono }
/** Terms keyed by monomial; zero coefficients are never stored. */
export type Poly = Map<string, Term>;

const MAX_TERMS = 500;
/** Prefix of the names of opaque function factors. */
export const OPAQUE = '\u0000';
const MAX_EXP = 64;
export const EMPTY: Mono = { syms: [], pi: 0, rad: 1n, i: 0 };

export function monoKey(m: Mono): string {
  return `${m.syms.map(([s, e]) => `${s}^${C.key(e)}`).join('*')}|${m.pi}|${m.rad}|${m.i}`;
}

export function single(c: Coef, m: Mono = EMPTY): Poly {
  const p: Poly = new Map();
  if (!C.isZero(c)) p.set(monoKey(m), { c, m });
  return p;
}

/** Canonical text of a poly, used to key opaque function factors by their argument. */
export function polyKey(p: Poly): string {
  return [...p.entries()].map(([k, t]) => `${C.key(t.c)}:${k}`).sort().join('+');
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** m1 * m2 = factor * m. */
function monoMul(a: Mono, b: Mono): [Coef, Mono] {
  const exps = new Map(a.syms);
  for (const [s, e] of b.syms) { const old = exps.get(s); exps.set(s, old ? C.add(old, e) : e); }
  const syms = [...exps].filter(([, e]) => !C.isZero(e)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  if (syms.some(([, e]) => Math.abs(C.toNumber(e)) > MAX_EXP)) throw new Error('exponent too large');
  const g = gcd(a.rad, b.rad);
  let factor = C.rat(g);
  const rad = (a.rad / g) * (b.rad / g);
  let i = a.i + b.i;
  if (i === 2) { factor = C.neg(factor); i = 0; }
  return [factor, { syms, pi: a.pi + b.pi, rad, i: i as 0 | 1 }];
}

function addTerm(p: Poly, t: Term): void {
  const k = monoKey(t.m);
  const old = p.get(k);
  const c = old ? C.add(old.c, t.c) : t.c;
  if (C.isZero(c)) p.delete(k);
  else p.set(k, { c, m: t.m });
  if (p.size > MAX_TERMS) throw new Error('too many terms');
}

export function addP(a: Poly, b: Poly): Poly {
  const out: Poly = new Map(a);
  for (const t of b.values()) addTerm(out, t);
  return out;
}

export function negP(a: Poly): Poly {
  const out: Poly = new Map();
  for (const [k, t] of a) out.set(k, { c: C.neg(t.c), m: t.m });
  return out;
}

export function mulP(a: Poly, b: Poly): Poly {
  const out: Poly = new Map();
  for (const x of a.values()) {
    for (const y of b.values()) {
      const [f, m] = monoMul(x.m, y.m);
      const c = C.mul(C.mul(x.c, y.c), f);
      if (!C.isZero(c)) addTerm(out, { c, m });
    }
  }
  return expandUnitPowers(out);
}

/** Constant part of a one-term, monomial-free poly (0 for the empty poly), else null. */
export function constant(p: Poly): Coef | null {
  if (p.size === 0) return C.ZERO;
  if (p.size !== 1) return null;
  const t = [...p.values()][0]!;
  return monoKey(t.m) === monoKey(EMPTY) ? t.c : null;
}

/** 1/p for a single term; null for sums and zero. */
export function invP(p: Poly): Poly | null {
  if (p.size !== 1) return null;
  const t = [...p.values()][0]!;
  let c = C.inv(t.c);
  if (!c) return null;
  if (t.m.rad !== 1n) c = C.mul(c, C.rat(1n, t.m.rad));
  if (t.m.i) c = C.neg(c);
  const m: Mono = { syms: t.m.syms.map(([s, e]) => [s, C.neg(e)] as const), pi: -t.m.pi, rad: t.m.rad, i: t.m.i };
  return single(c, m);
}

export function powP(p: Poly, k: bigint): Poly | null {
  const c = constant(p);
  if (c) {
    const r = C.powInt(c, k);
    return r && single(r);
  }
  if (k < 0n) {
    const inv = invP(p);
    return inv ? powP(inv, -k) : opaquePower(p, C.rat(k));
  }
  if (k > BigInt(MAX_EXP)) return null;
  let out = single(C.ONE);
  for (let j = 0n; j < k; j++) out = mulP(out, p);
  return out;
}

/** Bases of opaque powers by name, so a power that comes back to exponent 1 is the base again. */
const powerBases = new Map<string, Poly>();

/** Forgets the opaque power bases (call once per expression). */
export function resetPowerBases(): void {
  powerBases.clear();
}

/**
 * p ** e kept unevaluated (sympy's Pow of a sum, or a fractional power): an opaque base keyed by
 * p whose exponents add, as sympy merges powers of the same base. Null for a zero base.
 */
export function opaquePower(p: Poly, e: Coef): Poly | null {
  if (p.size === 0) return null;
  const name = `${OPAQUE}pow(${polyKey(p)})`;
  if (!powerBases.has(name)) powerBases.set(name, p);
  return expandUnitPowers(single(C.ONE, { syms: [[name, e]], pi: 0, rad: 1n, i: 0 }));
}

/** Replaces opaque powers whose exponent is exactly 1 by their base (sympy: (b**-1)**-1 is b). */
function expandUnitPowers(p: Poly): Poly {
  let out: Poly | null = null;
  for (const [k, t] of p) {
    const unit = t.m.syms.find(([s, e]) => powerBases.has(s) && C.isExact(e) && e.q[0] === 1n && e.q[1] === 1n);
    if (!unit) continue;
    out ??= new Map(p);
    out.delete(k);
    const rest: Mono = { ...t.m, syms: t.m.syms.filter((x) => x !== unit) };
    out = addP(out, mulP(single(t.c, rest), powerBases.get(unit[0])!));
  }
  return out ?? p;
}

