/**
 * SFT records -> token ids and pixels, and the split of one optimizer batch into micro-batches.
 */
import type { EncodedPrompt, PromptEncoder } from '../../rollout/collate.js';
import type { DecodedImageCache } from '../../rollout/image_cache.js';
import type { SftRecord } from './data.js';
import { microBatchesByTokens } from '../../rollout/pack.js';

/** A record ready for collation. */
export interface PreparedExample {
  record: SftRecord;
  prompt: EncodedPrompt;
  /** Response ids including the closing <|im_end|>. */
  response: number[];
  /** True when the response was cut to fit data.max_length. */
  truncated: boolean;
}

/**
 * Encodes records (images decoded through the cache). Responses are cut so prompt + response
 * fits `maxLength` (LLaMA-Factory cutoff_len); a prompt that alone fills it is an error naming
 * the row. With `onSkip`, a record whose image does not decode is left out and reported there
 * (without it, that is an error).
 */
export async function prepareExamples(
  records: readonly SftRecord[], encoder: PromptEncoder, images: DecodedImageCache, maxLength: number, onSkip?: (record: SftRecord, reason: string) => void,
): Promise<PreparedExample[]> {
  const decodedAll = await Promise.all(records.map((r) => images.getAll(r.images, r.id).catch((e: Error) => {
    if (!onSkip) throw e;
    onSkip(r, `image does not decode: ${e.message}`);
    return null;
  })));
  const usable = records.flatMap((record, i) => (decodedAll[i] ? [{ record, decoded: decodedAll[i] }] : []));
  return Promise.all(usable.map(async ({ record, decoded }) => {
    const prompt = await encoder.encode({ content: record.content, images: decoded }, record.id);
    if (prompt.ids.length >= maxLength) {
      throw new Error(`${record.id}: the prompt has ${prompt.ids.length} tokens, not below data.max_length ${maxLength}`);
    }
    let response = encoder.encodeResponse(record.response);
    const room = maxLength - prompt.ids.length;
    const truncated = response.length > room;
    if (truncated) response = response.slice(0, room);
    return { record, prompt, response, truncated };
  }));
}

/**
 * Splits a batch into micro-batches of at most `size` examples (and at most `maxTokens` prompt +
 * response tokens when set), grouping examples of similar length so less padding is computed.
 * The loss is a token mean over the whole batch, so the grouping does not change the objective,
 * only the speed. Stable: equal lengths keep their batch order.
 */
export function microBatches<T extends PreparedExample>(examples: readonly T[], size: number, maxTokens: number | null = null): T[][] {
  const len = (e: T) => e.prompt.ids.length + e.response.length;
  const order = examples.map((e, i) => ({ e, i, len: len(e) }));
  order.sort((a, b) => a.len - b.len || a.i - b.i);
  return microBatchesByTokens(order.map((_, k) => k), (k) => order[k].len, size, maxTokens).map((ks) => ks.map((k) => order[k].e));
}
