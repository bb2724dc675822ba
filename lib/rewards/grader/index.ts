/**
 * TypeScript port of MathRuler's answer grader (hiyouga/MathRuler `grader.py`,
 * `math_normalize.py`), the accuracy check behind every Vision-SR1 reward. See docs/method.md, "Answer grading".
 */
export { extractBoxedContent } from './extract.js';
export { gradeAnswer } from './grade.js';
export { normalizeAnswer } from './normalize_math.js';
export { normalizeExpr } from './normalize.js';
export { areEqualUnderSympy, shouldAllowEval, splitTuple } from './equivalence.js';
export { latexToText } from './latex_to_text.js';
