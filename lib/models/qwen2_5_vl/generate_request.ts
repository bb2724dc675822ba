/**
 * The checks of a generate() request before anything reaches the engine: token ids are integers
 * within the vocabulary, counts are positive integers, sampling values make sense (a NaN or
 * negative temperature, or top_p 0, would otherwise quietly mean greedy), and the request fits
 * the model's context length, to which max_new_tokens is capped.
 */
import type { QwenVLConfig } from './config.js';
import type { GenerateRequest } from './model.js';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function tokenIds(ids: unknown, vocab: number, what: string): void {
  if (!Array.isArray(ids)) throw new TypeError(`generate: ${what} must be an array of token ids`);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!isInt(v) || v < 0 || v >= vocab) throw new RangeError(`generate: ${what}[${i}] must be an integer token id in [0, ${vocab}), got ${String(v)}`);
  }
}

/** Throws a RangeError/TypeError naming the bad field; returns max_new_tokens capped to the context left. */
export function checkGenerateRequest(r: GenerateRequest, config: QwenVLConfig): { maxNewTokens: number } {
  const vocab = config.text.vocabSize, context = config.text.maxPositionEmbeddings;
  r.inputIds.forEach((p, b) => {
    tokenIds(p, vocab, `inputIds[${b}]`);
    if (p.length === 0) throw new RangeError(`generate: inputIds[${b}] is empty; every prompt needs at least one token`);
  });
  if (r.n !== undefined && !(isInt(r.n) && r.n >= 1)) throw new RangeError(`generate: n must be an integer >= 1, got ${r.n}`);
  if (!(isInt(r.maxNewTokens) && r.maxNewTokens >= 1)) throw new RangeError(`generate: maxNewTokens must be an integer >= 1, got ${r.maxNewTokens}`);
  if (r.temperature !== undefined && !(Number.isFinite(r.temperature) && r.temperature >= 0)) throw new RangeError(`generate: temperature must be a finite number >= 0 (0 = greedy), got ${r.temperature}`);
  if (r.topP !== undefined && !(Number.isFinite(r.topP) && r.topP > 0 && r.topP <= 1)) throw new RangeError(`generate: topP must be in (0, 1], got ${r.topP}`);
  if (r.topK !== undefined && !(isInt(r.topK) && r.topK >= -1)) throw new RangeError(`generate: topK must be an integer >= -1 (-1 or 0 = off), got ${r.topK}`);
  if (r.seed !== undefined && !(isInt(r.seed) && r.seed >= 0)) throw new RangeError(`generate: seed must be a non-negative integer, got ${r.seed}`);
  if (r.stopTokenIds !== undefined) tokenIds(r.stopTokenIds, vocab, 'stopTokenIds');
  if (r.firstSequenceId !== undefined && !(isInt(r.firstSequenceId) && r.firstSequenceId >= 0)) throw new RangeError(`generate: firstSequenceId must be a non-negative integer, got ${r.firstSequenceId}`);
  for (const [k, v] of Object.entries(r.logitBias ?? {})) {
    const id = Number(k);
    if (!isInt(id) || id < 0 || id >= vocab) throw new RangeError(`generate: logitBias key ${k} must be a token id in [0, ${vocab})`);
    if (typeof v !== 'number' || Number.isNaN(v)) throw new RangeError(`generate: logitBias[${k}] must be a number, got ${String(v)}`);
  }
  if (r.onToken !== undefined && typeof r.onToken !== 'function') throw new TypeError('generate: onToken must be a function');
  if (r.maxRows !== undefined && !(isInt(r.maxRows) && r.maxRows >= 0)) throw new RangeError(`generate: maxRows must be a non-negative integer (0 = every row at once), got ${r.maxRows}`);
  if (r.maxRows && r.onToken) throw new RangeError('generate: onToken (streaming) does not work with continuous batching (maxRows); leave one of them out');
  const L = Math.max(...r.inputIds.map((p) => p.length));
  if (L >= context) throw new RangeError(`generate: the longest prompt has ${L} tokens; the model's context length (max_position_embeddings) is ${context}, which leaves no room to generate`);
  return { maxNewTokens: Math.min(r.maxNewTokens, context - L) };
}
