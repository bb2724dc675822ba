/**
 * Visual (self-)reward: accuracy of the pass-2 caption-reasoner answer (docs/method.md, "Self-visual reward").
 */
import { accuracyReward } from './accuracy.js';
import { seeThinkFormatReward } from './format_see_think.js';

/**
 * `description_accuracy`: 1.0 when the pass-2 answer, produced from the pass-1 description
 * alone (no image), grades equal to the ground truth. The pass-2 text is graded as generated,
 * without the pass-1 whitespace normalisation.
 */
export function visualReward(pass2Text: string, groundTruth: string): number {
  return accuracyReward(pass2Text, groundTruth);
}

/**
 * `description_format`: the see-think format check run on the pass-2 text. Pass 2 asks for
 * `<think>…</think> \boxed{}` with no `<description>`, so this is almost always 0; the reference
 * logs it and never weights it.
 */
export function visualFormatReward(pass2Text: string): number {
  return seeThinkFormatReward(pass2Text);
}
