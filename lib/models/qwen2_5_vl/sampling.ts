/** The generation engine's sampling step on its own: next-token choice from fixed logits. */
import { native } from '../../native.js';
import type * as torch from '../../torch/index.js';
import { wrap } from '../../torch/tensor.js';

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  topK?: number;
  greedy?: boolean;
  logitBias?: Record<number, number>;
}

/** Samples one token per row of `logits` [R, V]; returns tokens [R] and their log-probs [R]. */
export function sampleTokens(logits: torch.Tensor, o: SamplingOptions, seed: number): { tokens: torch.Tensor; logProbs: torch.Tensor } {
  const params = {
    temperature: o.temperature ?? 1, topP: o.topP ?? 1, topK: o.topK ?? -1, greedy: o.greedy ?? false,
    logitBias: Object.entries(o.logitBias ?? {}).map(([k, v]): [number, number] => [Number(k), v]),
  };
  const [t, lp] = native.qwenSample(logits.handle, params, seed) as number[];
  return { tokens: wrap(t), logProbs: wrap(lp) };
}
