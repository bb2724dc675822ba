/**
 * Whitespace normalisation of pass-1 text before the format and accuracy checks
 * (`re.sub(r"\s*(<|>|/)\s*", r"\1", predict)` in every Vision-SR1 reward file, docs/method.md, "Response normalisation").
 */
import { PY_WS_CLASS } from '../text/py.js';

const AROUND_TAG_CHARS = new RegExp(`[${PY_WS_CLASS}]*([<>/])[${PY_WS_CLASS}]*`, 'g');

/**
 * Deletes all whitespace (Python `\s`) around every `<`, `>` and `/` anywhere in the text:
 * "< think >" becomes "<think>" but also "1 / 2" becomes "1/2", which changes graded answers.
 * The reference applies it to pass-1 text only; pass-2 text is graded as generated.
 */
export function normalizeResponse(text: string): string {
  return text.replace(AROUND_TAG_CHARS, '$1');
}
