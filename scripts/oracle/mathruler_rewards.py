#!/usr/bin/env python3
"""Oracle: Vision-SR1 reward terms computed in Python (docs/method.md, "Response normalisation" and "Format rewards") for lib/rewards/.

stdin JSON: {"samples": [{"response": str, "pass2": str, "gt": str}, ...]}
stdout JSON: {"results": [{"normalized": str, "format": float, "cot_format": float, "accuracy": float,
  "description_accuracy": float, "description_format": float, "description": str|null}, ...]}

The regexes and the normalisation are those of the reference reward files (docs/method.md, "Format rewards"),
evaluated with Python's `re` so that the TypeScript regexes are checked against Python semantics
(Unicode \\s, DOTALL, fullmatch).
"""
import json
import re
import sys

from mathruler.grader import extract_boxed_content, grade_answer

SEE_THINK = re.compile(r"^\s*<description>.*?</description>\s*<think>.*?</think>\s*\\boxed\{.*?\}\s*$", re.DOTALL)
COT = re.compile(r"<think>.*?</think>\s*\\boxed\{.*?\}\s*$", re.DOTALL)
DESCRIPTION = re.compile(r"<description>([\s\S]*?)</description>", re.DOTALL)


def accuracy(text: str, gt: str) -> float:
    try:
        return 1.0 if grade_answer(extract_boxed_content(text), gt) else 0.0
    except Exception:
        return 0.0


def main() -> None:
    req = json.load(sys.stdin)
    out = []
    for s in req["samples"]:
        norm = re.sub(r"\s*(<|>|/)\s*", r"\1", s["response"])
        m = DESCRIPTION.search(s["response"])
        out.append({
            "normalized": norm,
            "format": 1.0 if SEE_THINK.fullmatch(norm) else 0.0,
            "cot_format": 1.0 if COT.fullmatch(norm) else 0.0,
            "accuracy": accuracy(norm, s["gt"]),
            "description_accuracy": accuracy(s["pass2"], s["gt"]),
            "description_format": 1.0 if SEE_THINK.fullmatch(s["pass2"]) else 0.0,
            "description": m.group(1).strip() if m else None,
        })
    json.dump({"results": out}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
