/**
 * GRPO outcome advantages (docs/method.md, "GRPO advantage") and the multi-reward per-channel variant (docs/method.md, "Channel advantages").
 *
 * Scores are per-sample scalars, so this runs in plain JS (float64) and the result is broadcast
 * to tokens once (`broadcastToTokens`).
 */
import * as torch from '../torch/index.js';
import type { DType } from '../torch/dtype.js';

type Tensor = torch.Tensor;

export interface GrpoAdvantageOptions {
  /** Added to the group std: A = (s − μ)/(σ + eps). Default 1e-6. */
  eps?: number;
  /** σ divides by n − 1 (torch.std, CODE-MAIN) when true (default); by n (PAPER-v2 eq. 6) when false. */
  unbiased?: boolean;
  /** Divide by σ + eps (default); false gives the mean-centred A = s − μ (PAPER-v2 eq. 1). */
  normByStd?: boolean;
  /**
   * What a group with a single sample gets (its std is undefined):
   * - 'error' (default): throw, like EasyR1 ("GRPO needs rollout.n > 1"); a one-sample group
   *   means the batch was assembled wrongly.
   * - 'zero': advantage 0 (no learning signal, like an all-equal group).
   * - 'verl': verl's convention μ = 0, σ = 1, i.e. A = s/(1 + eps) (the raw score).
   */
  singleton?: 'error' | 'zero' | 'verl';
}

/**
 * Per-sample GRPO advantages: for each group G (the samples of one prompt, same `groupIds`
 * value), A_k = (s_k − μ_G)/(σ_G + eps) with σ_G the unbiased std.
 *
 * A group whose scores are all exactly equal gets A = 0 exactly (docs/method.md, "GRPO advantage"). Computing the
 * formula in floating point could leave ~1e-11 there (the mean of equal values need not equal
 * them), which would turn noise into a signal.
 *
 * @param scores [B] per-sample scores (the sum of token-level rewards)
 * @param groupIds [B] group key per sample (the prompt's uid); groups need not be contiguous
 * @returns [B] advantages, in the input order
 */
export function grpoAdvantages(
  scores: ArrayLike<number>,
  groupIds: ArrayLike<string | number>,
  options: GrpoAdvantageOptions = {},
): number[] {
  const { eps = 1e-6, unbiased = true, normByStd = true, singleton = 'error' } = options;
  if (scores.length !== groupIds.length) {
    throw new Error(`grpoAdvantages: scores has ${scores.length} entries but groupIds has ${groupIds.length}; expected one group id per score`);
  }
  if (!(eps >= 0)) throw new Error(`grpoAdvantages: eps must be >= 0, got ${eps}`);
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new Error(`grpoAdvantages: score ${i} (group ${String(groupIds[i])}) is ${s}; expected a finite number`);
    const g = groupIds[i];
    let members = groups.get(g);
    if (!members) groups.set(g, (members = []));
    members.push(i);
  }
  const adv = new Array<number>(scores.length).fill(0);
  for (const [g, members] of groups) {
    const n = members.length;
    if (n === 1) {
      if (singleton === 'error') {
        throw new Error(`grpoAdvantages: group ${String(g)} has a single sample (index ${members[0]}); GRPO needs at least 2 samples per prompt (or set singleton: 'zero' | 'verl')`);
      }
      adv[members[0]] = singleton === 'verl' ? (normByStd ? scores[members[0]] / (1 + eps) : scores[members[0]]) : 0;
      continue;
    }
    const first = scores[members[0]];
    if (members.every((i) => scores[i] === first)) continue; // all equal: A = 0
    let sum = 0;
    for (const i of members) sum += scores[i];
    const mean = sum / n;
    let ss = 0;
    for (const i of members) ss += (scores[i] - mean) ** 2;
    const std = Math.sqrt(ss / (unbiased ? n - 1 : n));
    for (const i of members) adv[i] = normByStd ? (scores[i] - mean) / (std + eps) : scores[i] - mean;
  }
  return adv;
}

/**
 * Multi-reward advantages (docs/method.md, "Channel advantages"; CODE-MR `compute_multi_advantage`): the GRPO z-score of
 * each channel within its own groups, times that channel's weight w_k.
 *
 * @param channels per channel name, [B] scores (e.g. { ans: [...], vis: [...] })
 * @param groupIds [B] group key per sample
 * @param weights per channel w_k (default 1, as CODE-MR); must be finite and >= 0, since a
 *   negative weight would flip the sign of A and so which side the dual clip acts on
 * @returns per channel name, [B] advantages
 */
export function multiChannelAdvantages(
  channels: Readonly<Record<string, ArrayLike<number>>>,
  groupIds: ArrayLike<string | number>,
  weights: Readonly<Record<string, number>> = {},
  options: GrpoAdvantageOptions = {},
): Record<string, number[]> {
  const names = Object.keys(channels);
  if (names.length === 0) throw new Error('multiChannelAdvantages: expected at least one reward channel');
  for (const w of Object.keys(weights)) {
    if (!names.includes(w)) throw new Error(`multiChannelAdvantages: weight given for unknown channel '${w}'; channels are ${names.join(', ')}`);
  }
  const out: Record<string, number[]> = {};
  for (const name of names) {
    const w = weights[name] ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new Error(`multiChannelAdvantages: weight of channel '${name}' must be a finite number >= 0, got ${w}`);
    let a: number[];
    try {
      a = grpoAdvantages(channels[name], groupIds, options);
    } catch (e) {
      throw new Error(`multiChannelAdvantages: channel '${name}': ${(e as Error).message}`);
    }
    out[name] = a.map((x) => x * w);
  }
  return out;
}

/**
 * The per-sample advantage on every valid response token: A[b, t] = adv[b] · mask[b, t]
 * (EOS included when the mask includes it, docs/method.md, "GRPO advantage").
 * @param adv [B] advantages (numbers or a tensor)
 * @param responseMask [B, T], 0/1
 * @param dtype of the result (default float32)
 * @returns [B, T], owned by the caller
 */
export function broadcastToTokens(adv: ArrayLike<number> | Tensor, responseMask: Tensor, dtype: DType = 'float32'): Tensor {
  const shape = responseMask.shape;
  if (shape.length !== 2) throw new Error(`broadcastToTokens: expected responseMask of shape [B, T], got [${shape.join(', ')}]`);
  const n = adv instanceof torch.Tensor ? adv.numel() : adv.length;
  if (n !== shape[0]) throw new Error(`broadcastToTokens: ${n} advantages for a responseMask with ${shape[0]} rows; expected one per row`);
  return torch.scope(() => {
    const a = adv instanceof torch.Tensor
      ? adv.to({ dtype, device: responseMask.device }).reshape([shape[0], 1])
      : torch.tensor(Float64Array.from(adv as ArrayLike<number>), { shape: [shape[0], 1], dtype, device: responseMask.device });
    return a.mul(responseMask.to(dtype));
  });
}
