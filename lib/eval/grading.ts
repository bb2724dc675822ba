/**
 * Grading modes of an evaluation (docs/method.md, "Evaluation"), chosen per run and applied per
 * item:
 * - 'mathruler': the accuracy reward (MathRuler on the normalised pass-1 text), as in training;
 * - 'mcq': option letter or option text (lib/eval/mcq.ts); items whose text has no options fall
 *   back to MathRuler;
 * - 'exact': the final answer equals the gold answer up to case, spaces and trailing punctuation;
 * - 'auto' (default): 'mcq' where the question has options, else 'mathruler';
 * - 'judge': as 'auto', then open answers that MathRuler rejects go to the judge (multiple-choice
 *   items stay rule-graded, as in the paper's evaluation).
 * A judgement that failed is 'unjudged' and scores 0: it is never counted correct.
 */
import { accuracyReward, normalizeResponse } from '../rewards/index.js';
import type { EvalSample } from './evaluate.js';
import type { Judge, Verdict, VerdictLabel } from './judge.js';
import { finalAnswer, gradeMcq, type McqHow, normalizeOptionText, parseOptions } from './mcq.js';

export const GRADE_MODES = ['auto', 'mathruler', 'mcq', 'exact', 'judge'] as const;
export type GradeMode = (typeof GRADE_MODES)[number];

/** How one sample was graded. */
export interface SampleGrade {
  /** The rule that decided: the mode after 'auto'/'judge' picked one. */
  rule: 'mathruler' | 'mcq' | 'exact' | 'judge';
  label: VerdictLabel;
  /** MCQ: how the answer named an option, and which. */
  how?: McqHow;
  chosen?: string | null;
  reason?: string;
  /** The judge's reply, when it gave one. */
  reply?: string;
}

/** An evaluation sample with its grade (and, when descriptions were judged, that verdict). */
export type GradedSample = EvalSample & { grade?: SampleGrade; descriptionJudge?: Verdict };

export interface GradingSummary {
  mode: GradeMode;
  judge: string | null;
  /** Samples decided by each rule. */
  byRule: Record<string, number>;
  /** Samples with a verdict (every rule-graded one, and the judge's readable verdicts). */
  judged: number;
  /** Samples the judge could not decide (counted wrong in `accuracy`). */
  unjudged: number;
  /** Samples sent to the judge. */
  judgeCalls: number;
  /** Correct / all samples (unjudged count as wrong). */
  accuracy: number;
  /** Correct / judged samples (null when none was judged). */
  accuracyJudged: number | null;
  /** The first 10 unjudged samples and why. */
  unjudgedSamples: Array<{ id: string; reason: string }>;
}

/** Parses `--grade`; an unknown mode is an error naming the choices. */
export function parseGradeMode(s: string): GradeMode {
  if ((GRADE_MODES as readonly string[]).includes(s)) return s as GradeMode;
  throw new Error(`--grade must be one of ${GRADE_MODES.join(', ')}, received ${JSON.stringify(s)}`);
}

/** String match of the final answer (last `\boxed{}`, else the text) with the gold answer. */
export function exactMatch(response: string, gold: string): boolean {
  const a = normalizeOptionText(finalAnswer(response));
  return a !== '' && a === normalizeOptionText(gold);
}

const label = (ok: boolean): VerdictLabel => (ok ? 'correct' : 'wrong');

/** Grades one sample under `mode`; only 'judge' calls the judge, and only for open answers MathRuler rejects. */
export async function gradeSample(s: Pick<EvalSample, 'question' | 'answer' | 'response'>, mode: GradeMode, judge?: Judge): Promise<SampleGrade> {
  if (mode === 'exact') return { rule: 'exact', label: label(exactMatch(s.response, s.answer)) };
  const options = mode === 'mathruler' ? null : parseOptions(s.question);
  if (options) {
    const g = gradeMcq(s.response, s.answer, options);
    return { rule: 'mcq', label: label(g.correct), how: g.how, chosen: g.chosen, ...(g.note ? { reason: g.note } : {}) };
  }
  const rule: SampleGrade = { rule: 'mathruler', label: label(accuracyReward(normalizeResponse(s.response), s.answer) === 1) };
  if (mode === 'mcq') rule.reason = 'no options found in the question';
  if (mode !== 'judge' || rule.label === 'correct') return rule;
  if (!judge) throw new Error("grade mode 'judge' needs a judge (--judge-url or --judge-policy)");
  const v = await judge.judgeAnswer(s.question, s.answer, s.response);
  return { rule: 'judge', label: v.label, reason: v.reason, ...(v.reply !== undefined ? { reply: v.reply } : {}) };
}

/** Runs `fn` over `xs` with at most `limit` calls in flight; results keep the order of `xs`. */
export async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, xs.length)) }, worker));
  return out;
}

/**
 * The regrade hook for `evaluate` (EvalOptions.regrade): grades every sample under `mode`, sets
 * its `accuracy` to 1 for 'correct' and 0 otherwise, and records the grade on the sample.
 */
export function sampleGrader(mode: GradeMode, judge?: Judge): (samples: EvalSample[]) => Promise<void> {
  if (mode === 'judge' && !judge) throw new Error("grade mode 'judge' needs a judge (--judge-url or --judge-policy)");
  return async (samples) => {
    const grades = await mapLimit(samples, judge?.concurrency ?? 1, (s) => gradeSample(s, mode, judge));
    samples.forEach((s, i) => {
      (s as GradedSample).grade = grades[i];
      s.accuracy = grades[i].label === 'correct' ? 1 : 0;
    });
  };
}

/** Counts of the grades `sampleGrader` recorded on `samples`. */
export function summarizeGrading(samples: readonly EvalSample[], mode: GradeMode, judge?: Judge): GradingSummary {
  const byRule: Record<string, number> = {};
  let judged = 0, correct = 0, calls = 0;
  const unjudged: Array<{ id: string; reason: string }> = [];
  for (const s of samples as readonly GradedSample[]) {
    const g = s.grade;
    if (!g) throw new Error(`summarizeGrading: sample ${s.id} has no grade (run sampleGrader first)`);
    byRule[g.rule] = (byRule[g.rule] ?? 0) + 1;
    if (g.rule === 'judge') calls++;
    if (g.label === 'unjudged') unjudged.push({ id: s.id, reason: g.reason ?? 'unjudged' });
    else judged++;
    if (g.label === 'correct') correct++;
  }
  const n = samples.length;
  return {
    mode, judge: judge?.name ?? null, byRule, judged, unjudged: unjudged.length, judgeCalls: calls,
    accuracy: n ? correct / n : 0, accuracyJudged: judged ? correct / judged : null, unjudgedSamples: unjudged.slice(0, 10),
  };
}
