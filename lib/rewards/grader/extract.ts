/**
 * MathRuler's `extract_boxed_content` (docs/method.md, "Answer grading").
 */
import { pyStrip } from '../../text/py.js';

const BOXED = '\\boxed{';

/**
 * Returns the stripped content of the **last** `\boxed{…}` in `text`, brace-matched from there.
 *
 * If there is no `\boxed{`, or its braces never close, the result is the string `"None"` (not
 * null). That string then grades equal to a ground truth of "none" (lowercased by the second
 * normaliser), a quirk the port keeps because training rewards depend on it.
 */
export function extractBoxedContent(text: string): string {
  const start = text.lastIndexOf(BOXED);
  if (start === -1) return 'None';
  const content = text.slice(start + BOXED.length);
  let depth = 0;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i];
    if (ch === '{') depth += 1;
    else if (ch === '}') depth -= 1;
    if (depth === -1) return pyStrip(content.slice(0, i));
  }
  return 'None';
}
