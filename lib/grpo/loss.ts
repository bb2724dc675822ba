/**
 * The GRPO micro-batch loss (docs/method.md, "Policy update"): PPO clip/dual-clip policy loss plus the
 * KL-to-reference loss, aggregated into the scalar to back-propagate; and the multi-reward
 * variant (docs/method.md, "Multi-reward loss") with one PPO term per reward channel.
 */
import * as torch from '../torch/index.js';
import { type AggregationContext, type LossAggregation, accumulationScale, reduceTokens } from './aggregate.js';
import { type KlType, klPenalty } from './kl.js';
import { expectShape, maskedMean, zeroPadding } from './masked.js';
import { type ClipConfig, POLICY_METRIC_NAMES, type PolicyLossMetrics, ppoClipLossTensors } from './policy_loss.js';

type Tensor = torch.Tensor;

export interface KlConfig {
  /** β (0.01 in SR1). */
  coef: number;
  /** Estimator ('low_var_kl' in SR1). */
  type: KlType;
  /** low_var_kl: clamp of logπref − logπθ before exp (null in the fork, 20 upstream). */
  clampLogDiff?: number | null;
}

export interface GrpoLossInput {
  /** [B, T] logπθ of the response tokens (with grad). */
  logProbs: Tensor;
  /** [B, T] logπold (no grad). */
  oldLogProbs: Tensor;
  /** [B, T] logπref (no grad); required when kl is given. */
  refLogProbs?: Tensor | null;
  /** [B, T] per-token advantages, or [B] per sequence. */
  advantages: Tensor;
  /** [B, T] 0/1, the response tokens (EOS included). */
  responseMask: Tensor;
  clip: ClipConfig;
  /** KL loss against the reference; null/omitted = none. */
  kl?: KlConfig | null;
  /** Default 'micro-token-mean' (the fork). */
  aggregation?: LossAggregation;
  context: AggregationContext;
  /** [B, T] per-token entropy of πθ, logged only (no entropy bonus, docs/method.md, "Total loss"). */
  entropy?: Tensor | null;
}

/**
 * Plain-number diagnostics. pg_loss, kl_loss and total_loss are the mode's micro-batch reduction
 * (a token-mean in the token modes) before the accumulation scale; the fork logs total_loss
 * under the name actor/pg_loss. `loss` is the back-propagated value.
 */
export interface GrpoLossMetrics extends PolicyLossMetrics {
  pg_loss: number;
  kl_loss?: number;
  total_loss: number;
  loss: number;
  /** −masked_mean(logπθ), the fork's entropy estimate. */
  entropy_loss: number;
  /** masked_mean(entropy) when per-token entropy is given. */
  entropy?: number;
  response_tokens: number;
}

function checkKl(kl: KlConfig | null | undefined, ref: Tensor | null | undefined, what: string): void {
  if (!kl) return;
  if (!Number.isFinite(kl.coef)) throw new Error(`${what}: kl.coef must be a finite number, got ${kl.coef}`);
  if (!ref) throw new Error(`${what}: kl is set (type '${kl.type}', coef ${kl.coef}) but refLogProbs is missing`);
}

/** Named scalar metric tensors, still on the loss's device (read them with readScalars). */
export type MetricTensors = Array<[string, Tensor]>;

/**
 * Stacks named scalar tensors on their device and reads them in one device-to-host transfer
 * (one sync per call, however many metrics).
 */
export function readScalars(named: MetricTensors): Record<string, number> {
  if (named.length === 0) return {};
  const v = torch.noGrad(() => torch.scope(() => torch.stack(named.map(([, t]) => t.detach().to('float64'))).to('cpu').toFlatArray()));
  return Object.fromEntries(named.map(([k], i) => [k, v[i]]));
}

/** Reads and frees metric tensors. */
function takeScalars(named: MetricTensors): Record<string, number> {
  const metrics = readScalars(named);
  for (const [, t] of named) t.dispose();
  return metrics;
}

/** Metric tensors shared by both losses: entropy estimates and the token count. */
function commonMetrics(logProbs: Tensor, mask: Tensor, entropy: Tensor | null | undefined): Array<[string, Tensor]> {
  const safe = zeroPadding(logProbs, mask);
  const out: Array<[string, Tensor]> = [['entropy_loss', maskedMean(safe, mask).neg()], ['response_tokens', mask.sum()]];
  if (entropy) out.push(['entropy', maskedMean(zeroPadding(entropy, mask), mask)]);
  return out;
}

/**
 * One micro-batch of GRPO (docs/method.md, "Step pseudocode"):
 * loss = [reduce(L_ppo) + β·reduce(kl)] · scale, with reduce/scale from the aggregation mode
 * (reference: masked token-mean and 1/gradAccum). Call `loss.backward()`.
 * @returns loss (scalar with grad, owned by the caller) and metrics (one device sync)
 */
export function grpoMicroBatchLoss(input: GrpoLossInput): { loss: Tensor; metrics: GrpoLossMetrics } {
  const { loss, named } = grpoMicroBatchLossTensors(input);
  return { loss, metrics: takeScalars(named) as unknown as GrpoLossMetrics };
}

/** grpoMicroBatchLoss without reading the metrics: they stay tensors on the device (owned by the caller). */
export function grpoMicroBatchLossTensors(input: GrpoLossInput): { loss: Tensor; named: MetricTensors } {
  const mode = input.aggregation ?? 'micro-token-mean';
  const { logProbs, responseMask, kl, refLogProbs } = input;
  checkKl(kl, refLogProbs, 'grpoMicroBatchLoss');
  if (refLogProbs && kl) expectShape(refLogProbs, logProbs.shape, 'grpoMicroBatchLoss: refLogProbs');
  if (input.entropy) expectShape(input.entropy, logProbs.shape, 'grpoMicroBatchLoss: entropy');
  const scale = accumulationScale(mode, input.context, responseMask);
  const { loss, named } = torch.scope(() => {
    const { losses, metricTensors } = ppoClipLossTensors(input);
    const pg = reduceTokens(losses, responseMask, mode);
    let total = pg;
    const named: Array<[string, Tensor]> = POLICY_METRIC_NAMES.map((k, i) => [k, metricTensors[i]]);
    named.push(['pg_loss', pg]);
    if (kl && refLogProbs) {
      const klTok = klPenalty(zeroPadding(logProbs, responseMask), zeroPadding(refLogProbs, responseMask), kl.type, { clampLogDiff: kl.clampLogDiff });
      const klRed = reduceTokens(klTok, responseMask, mode);
      total = pg.add(klRed.mul(kl.coef));
      named.push(['kl_loss', klRed]);
    }
    const loss = total.mul(scale);
    named.push(['total_loss', total], ['loss', loss], ...commonMetrics(logProbs, responseMask, input.entropy));
    return { loss, named: named.map(([k, t]): [string, Tensor] => [k, t.detach()]) };
  });
  return { loss, named };
}

/** One reward channel of the multi-reward loss. */
export interface RewardChannelLoss {
  /** Metric prefix, e.g. 'ans', 'vis'. */
  name: string;
  /** [B, T] or [B] advantages of this channel (already × w_k if weights were applied there). */
  advantages: Tensor;
  /**
   * [B, T] 0/1: the tokens this channel trains. Default: the shared responseMask (docs/method.md, "Channel token masks":
   * option a, CODE-MR). Option b: a description span vs the think+answer span of pass 1.
   * Option c: pass-2 tokens, with this channel's own logProbs/oldLogProbs below.
   */
  mask?: Tensor;
  /** λ_k multiplying this channel's policy loss (CODE-MR 1, paper 0.5). Default 1. */
  weight?: number;
  /** β_k of a KL term over this channel's tokens (uses the shared kl.type); default 0 = none. */
  klCoef?: number;
  /** Override the shared tensors when this channel's tokens are another sequence (option c). */
  logProbs?: Tensor;
  oldLogProbs?: Tensor;
  refLogProbs?: Tensor;
  /** 'token' mode: this channel's token counts (defaults to the shared context). */
  context?: AggregationContext;
}

export interface MultiRewardLossInput extends Omit<GrpoLossInput, 'advantages'> {
  channels: readonly RewardChannelLoss[];
}

/**
 * Multi-reward micro-batch loss (docs/method.md, "Multi-reward loss"):
 * loss = Σ_k λ_k·reduce_k(L_ppo,k)·scale_k + β·reduce(kl)·scale + Σ_k β_k·reduce_k(kl_k)·scale_k,
 * with the PPO clip applied per channel and reduce_k over the channel's mask. CODE-MR is
 * λ_k = 1, all masks = responseMask, shared kl {coef 0.01, 'low_var_kl'}, no β_k.
 * Metrics are prefixed by channel name (`ans/pg_loss`, `vis/pg_clipfrac_higher`, ...); pg_loss
 * is Σ_k λ_k·pg_loss_k.
 */
export function grpoMultiRewardMicroBatchLoss(input: MultiRewardLossInput): { loss: Tensor; metrics: Record<string, number> } {
  const { loss, named } = grpoMultiRewardMicroBatchLossTensors(input);
  return { loss, metrics: takeScalars(named) };
}

/** grpoMultiRewardMicroBatchLoss without reading the metrics (tensors on the device, owned by the caller). */
export function grpoMultiRewardMicroBatchLossTensors(input: MultiRewardLossInput): { loss: Tensor; named: MetricTensors } {
  const mode = input.aggregation ?? 'micro-token-mean';
  const { logProbs, oldLogProbs, responseMask, kl, refLogProbs } = input;
  if (input.channels.length === 0) throw new Error('grpoMultiRewardMicroBatchLoss: expected at least one reward channel');
  checkKl(kl, refLogProbs, 'grpoMultiRewardMicroBatchLoss');
  const names = new Set<string>();
  for (const ch of input.channels) {
    if (names.has(ch.name)) throw new Error(`grpoMultiRewardMicroBatchLoss: duplicate channel name '${ch.name}'`);
    names.add(ch.name);
    const w = ch.weight ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new Error(`grpoMultiRewardMicroBatchLoss: channel '${ch.name}' weight must be finite and >= 0, got ${w}`);
    if (ch.klCoef) checkKl({ coef: ch.klCoef, type: kl?.type ?? 'low_var_kl' }, ch.refLogProbs ?? refLogProbs, `grpoMultiRewardMicroBatchLoss: channel '${ch.name}'`);
    if (ch.klCoef && !kl) throw new Error(`grpoMultiRewardMicroBatchLoss: channel '${ch.name}' has klCoef but no kl config gives the estimator type`);
  }
  const sharedScale = accumulationScale(mode, input.context, responseMask);
  const scales = input.channels.map((ch) => accumulationScale(mode, ch.context ?? input.context, ch.mask ?? responseMask));
  const { loss, named } = torch.scope(() => {
    const named: Array<[string, Tensor]> = [];
    let loss: Tensor | null = null;
    let pgSum: Tensor | null = null;
    let total: Tensor | null = null;
    const addTo = (acc: Tensor | null, t: Tensor) => (acc === null ? t : acc.add(t));
    input.channels.forEach((ch, k) => {
      const lp = ch.logProbs ?? logProbs;
      const mask = ch.mask ?? responseMask;
      const { losses, metricTensors } = ppoClipLossTensors({
        logProbs: lp, oldLogProbs: ch.oldLogProbs ?? oldLogProbs, advantages: ch.advantages, responseMask: mask, clip: input.clip,
      });
      POLICY_METRIC_NAMES.forEach((m, i) => named.push([`${ch.name}/${m}`, metricTensors[i]]));
      const pg = reduceTokens(losses, mask, mode);
      named.push([`${ch.name}/pg_loss`, pg]);
      let term = pg.mul(ch.weight ?? 1);
      pgSum = addTo(pgSum, term);
      if (ch.klCoef && kl) {
        const ref = (ch.refLogProbs ?? refLogProbs)!;
        const klTok = klPenalty(zeroPadding(lp, mask), zeroPadding(ref, mask), kl.type, { clampLogDiff: kl.clampLogDiff });
        const klRed = reduceTokens(klTok, mask, mode);
        named.push([`${ch.name}/kl_loss`, klRed]);
        term = term.add(klRed.mul(ch.klCoef));
      }
      total = addTo(total, term);
      loss = addTo(loss, term.mul(scales[k]));
    });
    named.push(['pg_loss', pgSum!]);
    if (kl && refLogProbs && kl.coef !== 0) {
      const klTok = klPenalty(zeroPadding(logProbs, responseMask), zeroPadding(refLogProbs, responseMask), kl.type, { clampLogDiff: kl.clampLogDiff });
      const klRed = reduceTokens(klTok, responseMask, mode);
      named.push(['kl_loss', klRed]);
      total = total!.add(klRed.mul(kl.coef));
      loss = loss!.add(klRed.mul(kl.coef * sharedScale));
    }
    named.push(['total_loss', total!], ['loss', loss!], ...commonMetrics(logProbs, responseMask, input.entropy));
    return { loss: loss!, named: named.map(([k, t]): [string, Tensor] => [k, t.detach()]) };
  });
  return { loss, named };
}
