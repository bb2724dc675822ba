/**
 * Fallback zero test for expressions outside the exact canonical form (rational functions,
 * logarithms, symbolic powers): evaluate at a few fixed pseudo-random complex points, principal
 * branches throughout (sympy symbols are complex, so sqrt(x^2) is not x). A true identity that
 * sympy's `simplify` proves is zero at every point; an expression that is not identically zero
 * is, with overwhelming probability, not zero at the sample points.
 */
import { mpfFromDecimalString, mpfToNumber } from './mpf.js';
import type { Ast } from './parse.js';

type Cx = readonly [number, number];

const cadd = (a: Cx, b: Cx): Cx => [a[0] + b[0], a[1] + b[1]];
const csub = (a: Cx, b: Cx): Cx => [a[0] - b[0], a[1] - b[1]];
/** Complex product; real operands multiply as reals so that oo*2 stays oo instead of NaN. */
const cmul = (a: Cx, b: Cx): Cx => (a[1] === 0 && b[1] === 0 ? [a[0] * b[0], 0] : [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]]);
const cabs = (a: Cx): number => Math.hypot(a[0], a[1]);

function cdiv(a: Cx, b: Cx): Cx {
  // sympy: finite/oo is 0.
  if (Number.isFinite(a[0]) && Number.isFinite(a[1]) && (!Number.isFinite(b[0]) || !Number.isFinite(b[1])) && !Number.isNaN(b[0]) && !Number.isNaN(b[1])) return [0, 0];
  const d = b[0] * b[0] + b[1] * b[1];
  if (d === 0) return [NaN, NaN];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
}
const clog = (a: Cx): Cx => [Math.log(cabs(a)), Math.atan2(a[1], a[0])];
const cexp = (a: Cx): Cx => [Math.exp(a[0]) * Math.cos(a[1]), Math.exp(a[0]) * Math.sin(a[1])];
function csqrt(a: Cx): Cx {
  const r = cabs(a);
  const re = Math.sqrt((r + a[0]) / 2);
  const im = Math.sqrt(Math.max(0, (r - a[0]) / 2));
  return [re, a[1] < 0 ? -im : im];
}
const csin = (a: Cx): Cx => [Math.sin(a[0]) * Math.cosh(a[1]), Math.cos(a[0]) * Math.sinh(a[1])];

function cpowInt(a: Cx, k: number): Cx {
  if (k < 0) return cdiv([1, 0], cpowInt(a, -k));
  let r: Cx = [1, 0];
  let b = a;
  while (k > 0) {
    if (k & 1) r = cmul(r, b);
    b = cmul(b, b);
    k >>= 1;
  }
  return r;
}

function cpow(a: Cx, b: Cx): Cx {
  if (b[1] === 0 && Number.isInteger(b[0]) && Math.abs(b[0]) <= 1024) return cpowInt(a, b[0]);
  if (a[0] === 0 && a[1] === 0) return b[0] > 0 ? [0, 0] : [Infinity, 0];
  if (a[0] === Infinity && a[1] === 0 && b[1] === 0) return b[0] > 0 ? [Infinity, 0] : b[0] < 0 ? [0, 0] : [NaN, NaN];
  return cexp(cmul(b, clog(a)));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Real Gamma function (Lanczos, g = 7), about 15 significant digits. */
export function gammaReal(x: number): number {
  if (Number.isInteger(x) && x <= 0) return NaN;
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaReal(1 - x));
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let k = 1; k < 9; k++) a += LANCZOS[k]! / (z + k);
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * a;
}

function factorialReal(a: Cx, step: number): Cx | null {
  if (a[1] !== 0 || a[0] > 170) return null;
  if (step === 1 && !Number.isInteger(a[0])) return [gammaReal(a[0] + 1), 0];
  if (!Number.isInteger(a[0]) || a[0] < 0) return null;
  let r = 1;
  for (let j = a[0]; j > 1; j -= step) r *= j;
  return [r, 0];
}

class Unsupported extends Error {}

function evaluate(a: Ast, env: (name: string) => Cx): Cx {
  switch (a.k) {
    case 'int': return [Number(a.v), 0];
    case 'float': return [mpfToNumber(mpfFromDecimalString(a.s)), 0];
    case 'sym': return env(a.name);
    case 'const':
      if (a.name === 'pi') return [Math.PI, 0];
      if (a.name === 'I') return [0, 1];
      if (a.name === 'oo') return [Infinity, 0];
      return [NaN, NaN];
    case 'neg': { const x = evaluate(a.a, env); return [-x[0], -x[1]]; }
    case 'add': return cadd(evaluate(a.a, env), evaluate(a.b, env));
    case 'sub': return csub(evaluate(a.a, env), evaluate(a.b, env));
    case 'mul': return cmul(evaluate(a.a, env), evaluate(a.b, env));
    case 'div': return cdiv(evaluate(a.a, env), evaluate(a.b, env));
    case 'pow': return cpow(evaluate(a.a, env), evaluate(a.b, env));
    case 'call': {
      const x = evaluate(a.args[0]!, env);
      switch (a.fn) {
        case 'sqrt': return csqrt(x);
        case 'ln': return clog(x);
        case 're': return [x[0], 0];
        case 'im': return [x[1], 0];
        case 'csc': return cdiv([1, 0], csin(x));
        case 'fu': return x;
        case 'factorial': case 'factorial2': {
          const r = factorialReal(x, a.fn === 'factorial' ? 1 : 2);
          if (!r) throw new Unsupported(a.fn);
          return r;
        }
      }
      throw new Unsupported(a.fn);
    }
  }
}

/** Deterministic sample value for symbol `name` at sample `k`. */
function sample(name: string, k: number): Cx {
  let h = 2166136261 ^ k;
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  const u = ((h >>> 0) % 100003) / 100003;
  const v = ((Math.imul(h, 2654435761) >>> 0) % 100019) / 100019;
  return [0.37 + 1.6 * u, 0.21 + 1.3 * v];
}

/**
 * True when `diff` (the tree of `(gt)-(given)`) is numerically zero at every sample point,
 * relative to the size of the two sides. Non-finite values and unmodelled functions give false.
 */
export function numericallyZero(diff: Ast): boolean {
  const sides = diff.k === 'sub' ? [diff.a, diff.b] : [];
  try {
    for (let k = 0; k < 4; k++) {
      const env = (name: string) => sample(name, k);
      const d = evaluate(diff, env);
      const scale = Math.max(1, ...sides.map((s) => cabs(evaluate(s, env))));
      if (!Number.isFinite(d[0]) || !Number.isFinite(d[1]) || !Number.isFinite(scale)) return false;
      if (cabs(d) > 1e-9 * scale) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof Unsupported) return false;
    throw e;
  }
}
