/**
 * MathRuler's `grade_answer(given, ground_truth)` (docs/method.md, "Answer grading").
 */
import { areEqualUnderSympy, splitTuple } from './equivalence.js';
import { isFrac, normalizeExpr, strIsInt } from './normalize.js';
import { normalizeAnswer } from './normalize_math.js';
import { codePoints } from '../../text/py.js';

/**
 * True when `given` matches `groundTruth` under any of MathRuler's three tests:
 * (a) equal Hendrycks-normalised strings; (b) equal `_normalize` strings (lower-cased, units
 * and thousands commas removed, LaTeX rendered to text); (c) element-wise over tuples/intervals
 * with matching brackets: fractions must match as strings, an integer only matches an integer,
 * anything else goes to the sympy `simplify(gt - given) == 0` test.
 *
 * A null `given` is false, and so is a `given` that normalises to the empty string.
 */
export function gradeAnswer(given: string | null, groundTruth: string): boolean {
  if (given === null) return false;
  if (normalizeAnswer(groundTruth) === normalizeAnswer(given)) return true;
  const gt = normalizeExpr(groundTruth)!;
  const gv = normalizeExpr(given)!;
  if (gt === gv) return true;
  if (gv.length === 0) return false;
  const gtElems = splitTuple(gt);
  const gvElems = splitTuple(gv);
  const gtCps = codePoints(gt);
  const gvCps = codePoints(gv);
  if (gtElems.length > 1 && (gtCps[0] !== gvCps[0] || gtCps[gtCps.length - 1] !== gvCps[gvCps.length - 1])) return false;
  if (gtElems.length !== gvElems.length) return false;
  let correct = false;
  for (let k = 0; k < gtElems.length; k++) {
    const a = gtElems[k]!;
    const b = gvElems[k]!;
    if (isFrac(a) && isFrac(b)) correct = a === b;
    else if (strIsInt(a) !== strIsInt(b)) correct = false;
    else correct = areEqualUnderSympy(a, b);
    if (!correct) break;
  }
  return correct;
}
