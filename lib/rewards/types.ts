/**
 * Shared types of the reward layer.
 */

/** One scored rollout: the pass-1 response, its pass-2 (caption-reasoner) answer, and the row. */
export interface RewardSample {
  /** Decoded pass-1 response (special tokens skipped), before any normalisation. */
  readonly response: string;
  /** Decoded pass-2 answer produced from the pass-1 description alone; needed by visual rewards. */
  readonly pass2Response?: string;
  /** Dataset answer. */
  readonly groundTruth: string;
  /** Dataset problem after image-token placement, without the format prompt. */
  readonly question: string;
}

/** A reward: any function of the sample, synchronous or asynchronous (e.g. an external judge). */
export type RewardFn = (sample: RewardSample) => number | Promise<number>;
