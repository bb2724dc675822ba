/**
 * The multi-reward update's channels from one rollout (docs/method.md, "Multi-reward variant"): per-channel GRPO advantages
 * (z-score per prompt group, times λ_k), the per-channel KL β_k, and the tokens each channel
 * trains (`algorithm.multi_reward.token_mask`):
 *   'pass1' (a, CODE-MR): both channels on every pass-1 token;
 *   'spans' (b): ans on the think+answer span, vis on the description span of pass 1;
 *   'pass2' (c, the paper's log-prob definition): ans on pass-1 tokens, vis on the pass-2 answer
 *           tokens (text-only context: the question and the description).
 */
import type { RewardResult } from '../../rewards/index.js';
import { descriptionSpanMasks } from './channel_masks.js';
import type { EncodedPrompt } from '../../rollout/collate.js';
import { multiChannelAdvantages } from '../../grpo/index.js';
import type { UpdateChannel } from './policy_update.js';
import type { Rollout } from '../../rollout/rollout.js';

export type ChannelTokenMask = 'pass1' | 'spans' | 'pass2';

export interface ChannelSettings {
  weights: { ans: number; vis: number };
  klCoefs: { ans: number; vis: number };
  tokenMask: ChannelTokenMask;
  /** Divide each channel's centred scores by the group std (algorithm.norm_adv_by_std_in_grpo). */
  normByStd: boolean;
}

export interface MultiRewardUpdate {
  channels: UpdateChannel[];
  /** Pass-2 sequences per sample (token mask 'pass2' only; empty response where pass 2 was skipped). */
  pass2: { prompts: EncodedPrompt[]; responses: number[][] } | null;
}

/** Builds the channels of `results` (scored from rollout `r`) for policyUpdate. */
export function multiRewardUpdate(
  results: readonly RewardResult[], channelNames: readonly string[], r: Rollout, s: ChannelSettings, decode: (ids: readonly number[]) => string,
): MultiRewardUpdate {
  for (const name of channelNames) if (name !== 'ans' && name !== 'vis') throw new Error(`multi-reward: unknown channel '${name}'; the method's channels are ans and vis`);
  const scores = Object.fromEntries(channelNames.map((c) => [c, results.map((x) => x.channels![c])]));
  const adv = multiChannelAdvantages(scores, r.groupIds, Object.fromEntries(channelNames.map((c) => [c, s.weights[c as 'ans' | 'vis']])), { normByStd: s.normByStd });
  // λ_k is already in the advantages (the PPO loss is linear in A for A scaled by λ ≥ 0).
  const channel = (name: 'ans' | 'vis'): UpdateChannel => ({ name, advantages: adv[name], weight: 1, klCoef: s.klCoefs[name] });
  const channels = channelNames.map((c) => channel(c as 'ans' | 'vis'));
  if (s.tokenMask === 'pass1') return { channels, pass2: null };
  if (s.tokenMask === 'spans') {
    const spans = descriptionSpanMasks(r.responses, decode);
    for (const c of channels) c.masks = c.name === 'vis' ? spans.description : spans.rest;
    return { channels, pass2: null };
  }
  // 'pass2'
  const seqs = r.pass2Sequences;
  if (!seqs) throw new Error("multi-reward token_mask 'pass2': the rollout ran no pass 2");
  const any = seqs.find((x) => x !== null);
  const vis = channels.find((c) => c.name === 'vis');
  if (!any) {
    // No sample had a description to answer from: the visual channel trains no token this step.
    if (vis) vis.masks = r.responses.map((x) => new Float32Array(x.length));
    return { channels, pass2: null };
  }
  if (vis) vis.sequence = 'pass2';
  return {
    channels,
    // Samples without a pass 2 borrow a pass-2 prompt with an empty response: no token of theirs trains.
    pass2: { prompts: seqs.map((x) => x?.prompt ?? any.prompt), responses: seqs.map((x) => x?.response ?? []) },
  };
}
