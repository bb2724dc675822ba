/**
 * Prompt-length limits of the GRPO trainer, with EasyR1's meaning:
 * - data.max_prompt_length bounds the chat-templated prompt in tokens after each <|image_pad|>
 *   is expanded to its image's token count (what the model actually reads);
 * - worker.rollout.max_model_len bounds prompt + response (vLLM's max_model_len), so a sample may
 *   generate min(data.max_response_length, max_model_len − prompt length) new tokens.
 * With data.filter_overlong_prompts the rows over either limit are dropped when the dataset is
 * loaded (lib/rollout/prompt_filter.ts); otherwise such a prompt is an error when the rollout encodes it.
 */

export interface PromptLimits {
  /** data.max_prompt_length. */
  maxPromptLength: number;
  /** worker.rollout.max_model_len; null = no bound on prompt + response. */
  maxModelLen: number | null;
}

/** Why a prompt of `length` tokens is over the limits, or null when it fits. */
export function promptProblem(length: number, limits: PromptLimits): string | null {
  if (length > limits.maxPromptLength) {
    return `the prompt has ${length} tokens (image pads expanded), more than data.max_prompt_length ${limits.maxPromptLength}`;
  }
  if (limits.maxModelLen !== null && length >= limits.maxModelLen) {
    return `the prompt has ${length} tokens (image pads expanded), which leaves no room for a response within worker.rollout.max_model_len ${limits.maxModelLen}`;
  }
  return null;
}

/** Throws naming the row when its prompt is over the limits (data.filter_overlong_prompts: false). */
export function checkPromptLength(id: string, length: number, limits: PromptLimits): void {
  const why = promptProblem(length, limits);
  if (why) throw new Error(`${id}: ${why}; set data.filter_overlong_prompts: true to drop such rows, or raise the limit`);
}

/** New tokens a prompt of `length` tokens may generate: min(maxNewTokens, max_model_len − length). */
export function responseBudget(length: number, maxNewTokens: number, maxModelLen: number | null): number {
  return maxModelLen === null ? maxNewTokens : Math.min(maxNewTokens, maxModelLen - length);
}
