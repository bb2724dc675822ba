/**
 * The Vision-R1 baseline chain-of-thought format prompt (train_examples/format_prompt/cot_format.jinja,
 * docs/method.md, "CoT baseline prompt"). The reference file ends with a newline, which `.strip()` removes before rendering.
 */
import { pyStrip } from '../text/py.js';

export const COT_INSTRUCTION =
  'You FIRST think about the reasoning process as an internal monologue and then provide the final answer. ' +
  'The reasoning process MUST BE enclosed within <think> </think> tags. The final answer MUST BE put in \\boxed{}.';

/** The jinja source after the reference's `.strip()`. */
export const COT_TEMPLATE = `{{ content | trim }} ${COT_INSTRUCTION}`;

/** Renders the CoT prompt: `strip(content) + ' ' + instruction`. */
export function renderCot(content: string): string {
  return `${pyStrip(content)} ${COT_INSTRUCTION}`;
}
