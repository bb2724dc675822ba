/**
 * The pass-1 "see-think" format prompt (train_examples/format_prompt/see_think_format.jinja,
 * docs/method.md, "Pass-1 prompt"): describe, reason, answer in \boxed{}.
 *
 * The three `\n` in the instruction are LITERAL backslash-n pairs (the released checkpoints were
 * trained on those bytes; jinja does not unescape template text) and "description—detailed"
 * holds an em-dash U+2014.
 */
import { pyStrip } from '../text/py.js';

/** The instruction text that follows the question (810 characters, 3 literal `\n`, 1 em-dash). */
export const SEE_THINK_INSTRUCTION =
  'You are tasked with analyzing an image/video to generate a detailed description to help you answer the question. ' +
  'First analyze the image/video and produce a self-contained description\u2014detailed enough that can lead to the correct answer. ' +
  'Wrap the entire description in <description> </description> tags.\\n Next, engage in an internal dialogue and include ' +
  'self-reflection or verification in your reasoning process. Provide your detailed, step-by-step reasoning based on the ' +
  'image/video description information and image/video, and enclose this part within <think> </think> tags.\\n Finally, ' +
  'provide a single word or phrase answer to the question in \\boxed{}.\\nThe output format should be: <description> ' +
  'image/video description here </description> <think> reasoning process here </think> \\boxed{FINAL ANSWER here}.';

/** The jinja source, byte for byte the reference file (which has no trailing newline). */
export const SEE_THINK_TEMPLATE = `{{ content | trim }} ${SEE_THINK_INSTRUCTION}`;

/** Renders the see-think prompt for `content` (the problem with `<image>` placed): `strip(content) + ' ' + instruction`. */
export function renderSeeThink(content: string): string {
  return `${pyStrip(content)} ${SEE_THINK_INSTRUCTION}`;
}
