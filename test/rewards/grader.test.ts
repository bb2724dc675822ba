import { describe, expect, it } from 'vitest';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import {
  extractBoxedContent, gradeAnswer, normalizeAnswer, normalizeExpr, shouldAllowEval, splitTuple,
} from '../../lib/rewards/grader/index.js';
import { pyFloat, pyRound, pyStrip } from '../../lib/text/py.js';
import { extractCorpus, gradeCorpus, METHOD_EXTRACT, METHOD_VECTORS } from './corpus.js';

type PyResult = boolean | string | null | { error: string };

/** TS result in the oracle's shape (an exception becomes {error}). */
function guarded<T>(fn: () => T): T | { error: string } {
  try { return fn(); } catch (e) { return { error: String(e) }; }
}

/** Python raised / TS threw count as agreement; otherwise values must be identical. */
function agrees(ts: unknown, py: unknown): boolean {
  const isErr = (x: unknown) => typeof x === 'object' && x !== null && 'error' in x;
  if (isErr(ts) || isErr(py)) return isErr(ts) && isErr(py);
  return ts === py;
}

describe('MathRuler port: the vectors of docs/method.md, "Answer grading"', () => {
  it.each(METHOD_VECTORS.map(([[given, gt], want]) => [given, gt, want] as const))('grade_answer(%j, %j) = %s', (given, gt, want) => {
    expect(gradeAnswer(given, gt)).toBe(want);
  });

  it.each(METHOD_EXTRACT)('extract_boxed_content(%j) = %j', (text, want) => {
    expect(extractBoxedContent(text)).toBe(want);
  });

  it('a null given is never correct, an empty normalised given neither', () => {
    expect(gradeAnswer(null, 'None')).toBe(false);
    expect(gradeAnswer('\\text{}', '0')).toBe(false);
  });
});

describe('MathRuler port: Python string semantics', () => {
  it('strips Python whitespace, not JavaScript whitespace', () => {
    expect(pyStrip('\u001cA\u0085')).toBe('A');
    expect(pyStrip('\ufeffA\ufeff')).toBe('\ufeffA\ufeff');
    expect(extractBoxedContent('\\boxed{\u3000C\u00a0}')).toBe('C');
  });

  it('parses floats like Python float()', () => {
    expect(pyFloat('1_000.5')).toBe(1000.5);
    expect(pyFloat(' 12 ')).toBe(12);
    expect(pyFloat('\u0661\u0662')).toBe(12);
    expect(pyFloat('-inf')).toBe(-Infinity);
    expect(pyFloat('0x10')).toBeNull();
    expect(pyFloat('')).toBeNull();
    expect(pyFloat('1__0')).toBeNull();
  });

  it('rounds half to even like Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999].map(pyRound)).toEqual([0, 2, 2, 4, 2]);
  });

  it('normalises the documented examples', () => {
    expect(normalizeAnswer('\\text{ 0.5 }')).toBe('\\frac{1}{2}');
    expect(normalizeAnswer('\\dfrac12')).toBe('\\frac{1}{2}');
    expect(normalizeAnswer('k = 3')).toBe('3');
    expect(normalizeExpr('1,000,000')).toBe('1000000');
    expect(normalizeExpr('7 3/4')).toBe('7+3/4');
    expect(normalizeExpr('5 hours')).toBe('5');
    expect(normalizeExpr('\\frac{\\sqrt{2}}{2}')).toBe('sqrt(2)/2');
    expect(splitTuple('(1,000, 2]')).toEqual(['1000', '2']);
    expect(shouldAllowEval('(x+y)-(z)')).toBe(false);
    expect(shouldAllowEval('(x^{2})-(y)')).toBe(false);
    expect(shouldAllowEval('(x^12)-(y)')).toBe(false);
  });
});

describe.runIf(oracleAvailable(['mathruler', 'sympy', 'pylatexenc']))('MathRuler port vs Python mathruler (differential)', () => {
  const pairs = gradeCorpus();
  const texts = extractCorpus();
  const strings = pairs.flat().filter((s): s is string => s !== null);
  const py = runOracle<{ grade: PyResult[]; extract: PyResult[]; normalize: PyResult[]; normalize_answer: PyResult[] }>(
    'scripts/oracle/mathruler_grade.py', { grade: pairs, extract: texts, normalize: strings, normalize_answer: strings },
  );

  it(`grade_answer agrees on every (given, gt) pair of the corpus (${pairs.length} pairs)`, () => {
    expect(pairs.length).toBeGreaterThanOrEqual(300);
    const diffs: string[] = [];
    pairs.forEach(([given, gt], i) => {
      const ts = guarded(() => gradeAnswer(given, gt));
      if (!agrees(ts, py.grade[i])) diffs.push(`${JSON.stringify([given, gt])}: ts=${JSON.stringify(ts)} py=${JSON.stringify(py.grade[i])}`);
    });
    const trues = py.grade.filter((v) => v === true).length;
    console.log(`grade_answer agreement: ${pairs.length - diffs.length}/${pairs.length} (Python true on ${trues})`);
    expect(diffs).toEqual([]);
  });

  it('the corpus exercises both verdicts', () => {
    const trues = py.grade.filter((v) => v === true).length;
    expect(trues).toBeGreaterThan(100);
    expect(pairs.length - trues).toBeGreaterThan(100);
  });

  it(`extract_boxed_content agrees (${texts.length} texts)`, () => {
    const ts = texts.map((t) => extractBoxedContent(t));
    expect(ts).toEqual(py.extract);
  });

  it(`both normalisers agree on every corpus string (${strings.length} strings)`, () => {
    const diffs: string[] = [];
    strings.forEach((s, i) => {
      const a = guarded(() => normalizeExpr(s));
      const b = guarded(() => normalizeAnswer(s));
      if (!agrees(a, py.normalize[i])) diffs.push(`_normalize(${JSON.stringify(s)}): ts=${JSON.stringify(a)} py=${JSON.stringify(py.normalize[i])}`);
      if (!agrees(b, py.normalize_answer[i])) diffs.push(`normalize_answer(${JSON.stringify(s)}): ts=${JSON.stringify(b)} py=${JSON.stringify(py.normalize_answer[i])}`);
    });
    expect(diffs).toEqual([]);
  });
});
