/**
 * See-think format reward (`format_reward` in see_think_selfReward.py, docs/method.md, "Format rewards").
 */
import { PY_WS_CLASS } from '../text/py.js';

const WS = `[${PY_WS_CLASS}]*`;
/** Python `re.fullmatch` with DOTALL of `^\s*<description>.*?</description>\s*<think>.*?</think>\s*\\boxed\{.*?\}\s*$`. */
const SEE_THINK = new RegExp(
  `^${WS}<description>[\\s\\S]*?</description>${WS}<think>[\\s\\S]*?</think>${WS}\\\\boxed\\{[\\s\\S]*?\\}${WS}$`,
);

/**
 * 1.0 when the whole text is `<description>…</description> <think>…</think> \boxed{…}` with only
 * whitespace between the parts and after the box, else 0.0. Text between `</think>` and
 * `\boxed` ("The answer is \boxed{A}"), a period after the box or `<answer>` tags all fail.
 * Lazy matches may still expand, so nested braces inside the box pass.
 */
export function seeThinkFormatReward(text: string): number {
  return SEE_THINK.test(text) ? 1.0 : 0.0;
}
