#!/usr/bin/env python3
"""Oracle: MathRuler verdicts for the TypeScript grader port (test/rewards/).

stdin JSON (every key optional):
  {"grade": [[given|null, ground_truth], ...],   -> mathruler.grader.grade_answer
   "extract": [text, ...],                       -> mathruler.grader.extract_boxed_content
   "normalize_answer": [s, ...],                 -> mathruler.math_normalize.normalize_answer
   "normalize": [s, ...],                        -> mathruler.grader._normalize
   "latex": [s, ...],                            -> pylatexenc LatexNodes2Text().latex_to_text
   "sympy": [[gt, given], ...]}                  -> mathruler.grader.are_equal_under_sympy
stdout JSON: the same keys with one result per input. A Python exception becomes
{"error": "<type>: <message>"} so the test can compare failures too.
"""
import json
import sys

from mathruler import grader
from mathruler.math_normalize import normalize_answer
from pylatexenc.latex2text import LatexNodes2Text


def guarded(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # the port must fail where Python fails
        return {"error": f"{type(e).__name__}: {e}"}


def main() -> None:
    req = json.load(sys.stdin)
    l2t = LatexNodes2Text()
    out = {}
    if "grade" in req:
        out["grade"] = [guarded(grader.grade_answer, given, gt) for given, gt in req["grade"]]
    if "extract" in req:
        out["extract"] = [guarded(grader.extract_boxed_content, t) for t in req["extract"]]
    if "normalize_answer" in req:
        out["normalize_answer"] = [guarded(normalize_answer, s) for s in req["normalize_answer"]]
    if "normalize" in req:
        out["normalize"] = [guarded(grader._normalize, s) for s in req["normalize"]]
    if "latex" in req:
        out["latex"] = [guarded(l2t.latex_to_text, s) for s in req["latex"]]
    if "sympy" in req:
        out["sympy"] = [guarded(grader.are_equal_under_sympy, gt, given) for gt, given in req["sympy"]]
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
