/**
 * The pass-1 description that pass 2 reasons from (`extract_description`; docs/method.md, "Description extraction" and "Missing description").
 */
import { pyStrip } from './py.js';

/** What to hand pass 2 when the response has no `<description>…</description>`. */
export type OnMissingDescription = 'empty' | 'whole-response';

/** The first `<description>...</description>` block (lazy: the first closing tag ends it). */
export const DESCRIPTION_BLOCK = /<description>([\s\S]*?)<\/description>/;

/** The stripped text of the first `<description>…</description>` (non-greedy) in the raw response, or null. */
export function findDescription(response: string): string | null {
  const m = DESCRIPTION_BLOCK.exec(response);
  return m ? pyStrip(m[1]!) : null;
}

/**
 * The description pass 2 receives. The match runs on the raw decoded response (not the
 * whitespace-normalised one), so "< description >" does not count as a tag.
 *
 * `onMissing` decides the no-match case:
 * - 'empty' (default, the safe choice): an empty description. Use it together with a zero visual
 *   reward for such samples (the 'description_accuracy' reward does this).
 * - 'whole-response': the reference behaviour. The whole pass-1 response, including its
 *   `\boxed{}` answer, goes into pass 2, which can then copy the answer: a policy that drops the
 *   description tags farms the visual reward, with only the 0.1 format weight pushing back
 *   (docs/method.md, "Missing description"). Use it only to reproduce CODE-MAIN.
 */
export function extractDescription(response: string, options: { onMissing?: OnMissingDescription } = {}): string {
  const onMissing = options.onMissing ?? 'empty';
  if (onMissing !== 'empty' && onMissing !== 'whole-response') {
    throw new Error(`extractDescription: onMissing must be 'empty' or 'whole-response', got ${JSON.stringify(onMissing)}`);
  }
  const found = findDescription(response);
  if (found !== null) return found;
  return onMissing === 'empty' ? '' : response;
}
