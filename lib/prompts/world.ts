/**
 * Shorter prompts for the built-in synthetic world (docs/method.md, "CoT baseline prompt": the built-in world may use
 * shorter ones of the same structure). Same shape as the method's prompts, fewer tokens, so
 * the tiny model's sequences stay short on a CPU:
 * - pass 1 (see-think) and the CoT baseline: `{trimmed content} {instruction}`, the image placed
 *   between the question and the instruction by buildPass1Content (docs/method.md, "Image placement");
 * - pass 2 (caption reasoner): description, question, instruction on three lines (real newlines).
 * Every word here is lowercase and inside the tiny tokenizer's vocabulary (tiny_tokenizer.ts
 * builds its vocabulary from these strings).
 */
import { pyStrip } from '../text/py.js';
import type { PromptTemplate } from './template.js';

/** Instruction after the question in the world's see-think prompt. */
export const WORLD_SEE_THINK_INSTRUCTION =
  'describe the image in <description> </description>, reason in <think> </think>, then answer in \\boxed{}.';

/** Instruction after the question in the world's CoT (Vision-R1 baseline) prompt. */
export const WORLD_COT_INSTRUCTION = 'reason in <think> </think>, then answer in \\boxed{}.';

/** The world's caption-reasoner (pass-2) prompt, `{Description}` and `{Question}` slots. */
export const WORLD_CAPTION_REASONER_TEMPLATE =
  'text description: {Description}\nquestion: {Question}\nanswer from the text description. reason in <think> </think>, then answer in \\boxed{}.';

function trimmedTemplate(instruction: string): PromptTemplate {
  // Python's str.strip on the content, as the method's `{{ content | trim }}` does.
  return { kind: 'jinja', source: `{{ content | trim }} ${instruction}`, render: (content) => `${pyStrip(content)} ${instruction}` };
}

/** The world's pass-1 see-think format prompt. */
export const worldSeeThinkTemplate: PromptTemplate = trimmedTemplate(WORLD_SEE_THINK_INSTRUCTION);
/** The world's CoT format prompt. */
export const worldCotTemplate: PromptTemplate = trimmedTemplate(WORLD_COT_INSTRUCTION);

/**
 * The world's pass-2 user text: slots replaced in the method's order (description first), every
 * `<image>` removed from the question.
 */
export function buildWorldCaptionReasonerPrompt(description: string, question: string): string {
  return WORLD_CAPTION_REASONER_TEMPLATE.split('{Description}').join(description)
    .split('{Question}').join(question.split('<image>').join(''));
}

/** Every prompt text of the world, for building a vocabulary that covers them. */
export function worldPromptTexts(): string[] {
  return [WORLD_SEE_THINK_INSTRUCTION, WORLD_COT_INSTRUCTION, WORLD_CAPTION_REASONER_TEMPLATE.replace(/\{(Description|Question)\}/g, '')];
}
