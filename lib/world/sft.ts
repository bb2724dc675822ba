/**
 * The three cold-start SFT data styles of Vision-SR1-Cold-9K (docs/method.md, "Cold-start data" and "Cold-start SFT"), built
 * from one world item. Only responses and fields are produced here; the prompt wording
 * around them (see-think, CoT and caption-reasoner instructions) belongs to lib/prompts/.
 */
import type { WorldItem } from './generate.js';

/** The fields of an item the SFT styles need. */
export type SftSource = Pick<WorldItem, 'problem' | 'question' | 'answer' | 'description' | 'think' | 'imagePath'>;

export interface SftStyles {
  /** Style 1, image + question -> description, reasoning, answer. */
  seeThink: { problem: string; images: string[]; response: string };
  /**
   * Style 2, image + question -> reasoning, answer (the Vision-R1 baseline). Without a
   * description block, the think starts with what is seen so the reasoning stays grounded.
   */
  cot: { problem: string; images: string[]; response: string };
  /** Style 3, text only: description + question -> reasoning, answer (the pass-2 reader). */
  captionReasoner: { description: string; question: string; response: string };
}

/** `<description> {desc} </description> <think> {think} </think> \boxed{answer}` */
export function seeThinkResponse(it: Pick<SftSource, 'description' | 'think' | 'answer'>): string {
  return `<description> ${it.description} </description> <think> ${it.think} </think> \\boxed{${it.answer}}`;
}

/** `<think> {desc} {think} </think> \boxed{answer}` (starts exactly with `<think>`, as cot_val requires). */
export function cotResponse(it: Pick<SftSource, 'description' | 'think' | 'answer'>): string {
  return `<think> ${it.description} ${it.think} </think> \\boxed{${it.answer}}`;
}

/** `<think> {think} </think> \boxed{answer}` for the text-only caption reasoner. */
export function captionReasonerResponse(it: Pick<SftSource, 'think' | 'answer'>): string {
  return `<think> ${it.think} </think> \\boxed{${it.answer}}`;
}

/** All three styles of one item. */
export function sftStyles(it: SftSource): SftStyles {
  return {
    seeThink: { problem: it.problem, images: [it.imagePath], response: seeThinkResponse(it) },
    cot: { problem: it.problem, images: [it.imagePath], response: cotResponse(it) },
    captionReasoner: { description: it.description, question: it.question, response: captionReasonerResponse(it) },
  };
}
