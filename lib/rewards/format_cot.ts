/**
 * Chain-of-thought format reward of the Vision-R1 baseline (`format_reward` in cot_val.py,
 * docs/method.md, "Format rewards").
 */
import { PY_WS_CLASS } from '../text/py.js';

const WS = `[${PY_WS_CLASS}]*`;
/** Python `re.fullmatch` with DOTALL of `<think>.*?</think>\s*\\boxed\{.*?\}\s*$`. */
const COT = new RegExp(`^<think>[\\s\\S]*?</think>${WS}\\\\boxed\\{[\\s\\S]*?\\}${WS}$`);

/**
 * 1.0 when the text is `<think>…</think> \boxed{…}`; fullmatch anchors at the start, so the text
 * must begin exactly with `<think>` (no leading whitespace), unlike the see-think format.
 */
export function cotFormatReward(text: string): number {
  return COT.test(text) ? 1.0 : 0.0;
}
