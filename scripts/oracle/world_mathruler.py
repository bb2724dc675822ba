"""Oracle for the synthetic world: MathRuler's verdicts on world answers and responses.

stdin JSON: {"answers": [str], "responses": [{"text": str, "gt": str}]}
stdout JSON: {"grade": [[bool]] (grade_answer(answers[i], answers[j])),
              "boxed": [str] (extract_boxed_content(text)),
              "correct": [bool] (grade_answer(boxed, gt))}
"""
import json
import sys

from mathruler.grader import extract_boxed_content, grade_answer


def main():
    inp = json.load(sys.stdin)
    answers = inp["answers"]
    grade = [[bool(grade_answer(a, b)) for b in answers] for a in answers]
    boxed = [extract_boxed_content(r["text"]) for r in inp["responses"]]
    correct = [bool(grade_answer(b, r["gt"])) for b, r in zip(boxed, inp["responses"])]
    json.dump({"grade": grade, "boxed": boxed, "correct": correct}, sys.stdout)


if __name__ == "__main__":
    main()
