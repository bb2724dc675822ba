/**
 * Loss aggregation: how the per-token losses of one micro-batch become the scalar that is
 * back-propagated, so that the gradients accumulated over a mini-batch give the intended
 * objective (docs/method.md, "Loss aggregation").
 */
import * as torch from '../torch/index.js';
import { maskLike, maskedMean } from './masked.js';

type Tensor = torch.Tensor;

/**
 * - 'micro-token-mean' (Vision-SR1 fork, the reference): token-mean over the micro-batch, ÷ gradAccum.
 * - 'token' (EasyR1 upstream `loss_avg_mode: token`): token-mean over the micro-batch ×
 *   microTokens·worldSize/globalTokens, so the accumulated gradient is a true token-mean over
 *   the whole mini-batch (all ranks).
 * - 'seq-mean-token-mean': each sequence's token-mean, averaged over the micro-batch's
 *   sequences, ÷ gradAccum (what micro-batch size 1 gives in the fork).
 * - 'seq-mean-token-sum': each sequence's token-sum, averaged over sequences, ÷ gradAccum.
 * Sequence modes count sequences without valid tokens in the average (as a 0).
 */
export type LossAggregation = 'micro-token-mean' | 'token' | 'seq-mean-token-mean' | 'seq-mean-token-sum';

export const LOSS_AGGREGATIONS: readonly LossAggregation[] = ['micro-token-mean', 'token', 'seq-mean-token-mean', 'seq-mean-token-sum'];

export interface AggregationContext {
  /** Micro-batches per optimizer step on this rank (16 in SR1). */
  gradAccum: number;
  /** 'token' mode: valid tokens of this micro-batch; read from the mask when omitted. */
  microTokens?: number;
  /** 'token' mode: valid tokens of the whole mini-batch over all ranks (required there). */
  globalTokens?: number;
  /** 'token' mode: data-parallel ranks whose gradients are averaged (default 1). */
  worldSize?: number;
}

/**
 * The per-micro-batch reduction of a mode, before the accumulation scale.
 * @param x [B, T] per-token values
 * @param mask [B, T] 0/1
 * @returns a scalar tensor, owned by the caller
 */
export function reduceTokens(x: Tensor, mask: Tensor, mode: LossAggregation): Tensor {
  switch (mode) {
    case 'micro-token-mean':
    case 'token':
      return maskedMean(x, mask);
    case 'seq-mean-token-mean':
      return torch.scope(() => maskedMean(x, mask, -1).mean());
    case 'seq-mean-token-sum':
      return torch.scope(() => x.mul(maskLike(mask, x)).sum(-1).mean());
    default:
      throw new Error(`loss aggregation: unknown mode '${String(mode)}'; expected one of ${LOSS_AGGREGATIONS.join(', ')}`);
  }
}

/**
 * The factor that turns a micro-batch reduction into its share of the mini-batch objective.
 * @param mask [B, T] 0/1, read only in 'token' mode without ctx.microTokens (one device sync)
 */
export function accumulationScale(mode: LossAggregation, ctx: AggregationContext, mask?: Tensor): number {
  if (!(Number.isInteger(ctx.gradAccum) && ctx.gradAccum >= 1)) {
    throw new Error(`loss aggregation: context.gradAccum must be an integer >= 1, got ${ctx.gradAccum}`);
  }
  if (mode !== 'token') {
    if (!LOSS_AGGREGATIONS.includes(mode)) {
      throw new Error(`loss aggregation: unknown mode '${String(mode)}'; expected one of ${LOSS_AGGREGATIONS.join(', ')}`);
    }
    return 1 / ctx.gradAccum;
  }
  const g = ctx.globalTokens;
  if (g === undefined || !(g > 0)) {
    throw new Error(`loss aggregation 'token': context.globalTokens (valid tokens of the mini-batch over all ranks) must be > 0, got ${g}`);
  }
  const world = ctx.worldSize ?? 1;
  if (!(Number.isInteger(world) && world >= 1)) throw new Error(`loss aggregation 'token': context.worldSize must be an integer >= 1, got ${world}`);
  let micro = ctx.microTokens;
  if (micro === undefined) {
    if (!mask) throw new Error("loss aggregation 'token': give context.microTokens or the mask to count them");
    micro = torch.scope(() => mask.sum().item());
  }
  return (micro * world) / g;
}

/**
 * The scalar to call backward on for ONE micro-batch: reduceTokens(x) · accumulationScale.
 * With the reference mode this is masked_mean(x, mask)/gradAccum (docs/method.md, "Total loss").
 * @param x [B, T] per-token losses (with grad)
 * @param mask [B, T] 0/1
 * @returns a scalar tensor, owned by the caller
 */
export function aggregateLoss(x: Tensor, mask: Tensor, mode: LossAggregation, ctx: AggregationContext): Tensor {
  const scale = accumulationScale(mode, ctx, mask);
  return torch.scope(() => reduceTokens(x, mask, mode).mul(scale));
}
