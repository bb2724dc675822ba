/**
 * Token masks of the multi-reward channels (docs/method.md, "Channel token masks", option b): which pass-1 tokens carry
 * the visual advantage (the description span) and which the answer advantage (the think and
 * answer span after it). The paper is ambiguous about the assignment (docs/method.md, "Channel token masks"); option b is the
 * reading "each signal trains the tokens it grades".
 */
import { DESCRIPTION_BLOCK } from '../../text/response.js';

/**
 * The number of leading response tokens that together complete the first
 * `<description>...</description>` block, or 0 when the decoded response has none.
 *
 * Found by binary search over decoded prefixes (a prefix that holds a complete block stays one
 * when it grows), so multi-token tags and byte-level BPE pieces of non-ASCII text are handled
 * exactly, with O(log n) decodes per response.
 */
export function descriptionSpanTokens(ids: readonly number[], decode: (ids: readonly number[]) => string): number {
  const has = (k: number) => DESCRIPTION_BLOCK.test(decode(ids.slice(0, k)));
  if (!has(ids.length)) return 0;
  let lo = 1, hi = ids.length; // has(hi) is true; find the smallest k with has(k)
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (has(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface SpanMasks {
  /** Per sample, 1 on the description span (the visual channel's tokens). */
  description: Float32Array[];
  /** Per sample, 1 on every token after it: think, answer, end token (the answer channel's). */
  rest: Float32Array[];
}

/**
 * Per-sample 0/1 masks over each response's tokens. A response without a description block has
 * an empty description mask (its visual reward is 0 or ungraded anyway) and all tokens in `rest`.
 */
export function descriptionSpanMasks(responses: readonly (readonly number[])[], decode: (ids: readonly number[]) => string): SpanMasks {
  const description: Float32Array[] = [], rest: Float32Array[] = [];
  for (const ids of responses) {
    const k = descriptionSpanTokens(ids, decode);
    const d = new Float32Array(ids.length), r = new Float32Array(ids.length);
    d.fill(1, 0, k);
    r.fill(1, k);
    description.push(d);
    rest.push(r);
  }
  return { description, rest };
}
