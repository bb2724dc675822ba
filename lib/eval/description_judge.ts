/**
 * The self-containment test of descriptions with a judge (docs/method.md, "Language-shortcut
 * rate"): the judge reads each pass-1 description, without the image, and says whether it alone
 * answers the question with the gold answer. The paper asks an external model this; the
 * built-in measure asks the policy through the pass-2 prompt (descriptionAccuracy).
 */
import { findDescription, type OnMissingDescription } from '../prompts/index.js';
import type { EvalSample } from './evaluate.js';
import { type GradedSample, mapLimit } from './grading.js';
import type { Judge } from './judge.js';

export interface DescriptionJudgeSummary {
  judge: string;
  /** Samples with a verdict (a missing description is a 'wrong' verdict without a call). */
  judged: number;
  unjudged: number;
  /** Samples without a <description> block. */
  noDescription: number;
  /** Supported / all samples (unjudged count as not supported). */
  accuracy: number;
  /** Supported / judged samples (null when none). */
  accuracyJudged: number | null;
  /** Right answer, description not judged supporting (unjudged included) / all samples. */
  languageShortcutRate: number;
  /** Right answer, description judged not supporting / judged samples (null when none). */
  languageShortcutRateJudged: number | null;
  unjudgedSamples: Array<{ id: string; reason: string }>;
}

/**
 * Judges the description of every sample and records the verdict on it (`descriptionJudge`).
 * Without a description the verdict is 'wrong' unless `onMissing` is 'whole-response', which
 * hands the judge the whole response (the reference's fallback).
 */
export async function judgeDescriptions(samples: EvalSample[], judge: Judge, onMissing: OnMissingDescription = 'empty'): Promise<DescriptionJudgeSummary> {
  let noDescription = 0;
  const verdicts = await mapLimit(samples, judge.concurrency, async (s) => {
    const d = findDescription(s.response);
    if (d === null) noDescription++;
    if (d === null && onMissing !== 'whole-response') return { label: 'wrong' as const, reason: 'no <description> block' };
    return judge.judgeDescription(s.question, d ?? s.response, s.answer);
  });
  const n = samples.length;
  let judged = 0, supported = 0, shortcutAll = 0, shortcutJudged = 0;
  const unjudged: Array<{ id: string; reason: string }> = [];
  samples.forEach((s, i) => {
    const v = verdicts[i];
    (s as GradedSample).descriptionJudge = v;
    if (v.label === 'unjudged') unjudged.push({ id: s.id, reason: v.reason });
    else judged++;
    if (v.label === 'correct') supported++;
    if (s.accuracy === 1 && v.label !== 'correct') shortcutAll++;
    if (s.accuracy === 1 && v.label === 'wrong') shortcutJudged++;
  });
  return {
    judge: judge.name, judged, unjudged: unjudged.length, noDescription,
    accuracy: n ? supported / n : 0, accuracyJudged: judged ? supported / judged : null,
    languageShortcutRate: n ? shortcutAll / n : 0, languageShortcutRateJudged: judged ? shortcutJudged / judged : null,
    unjudgedSamples: unjudged.slice(0, 10),
  };
}
