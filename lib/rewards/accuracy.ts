/**
 * Answer accuracy reward (`accuracy_reward` in every Vision-SR1 reward file, docs/method.md, "Answer grading").
 */
import { extractBoxedContent, gradeAnswer } from './grader/index.js';

/**
 * 1.0 when MathRuler grades the content of the last `\boxed{}` in `text` equal to `groundTruth`.
 * A text without a closed box grades as the string "None" (so it matches a ground truth "none").
 *
 * The reference lets a grader exception crash pass 1 and turns it into 0 for pass 2; here both
 * score 0, since the only exception (`int(float(x))` of an odd comma string) is not a verdict.
 */
export function accuracyReward(text: string, groundTruth: string): number {
  try {
    return gradeAnswer(extractBoxedContent(text), groundTruth) ? 1.0 : 0.0;
  } catch {
    return 0.0;
  }
}
