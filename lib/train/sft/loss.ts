/**
 * The SFT objective (docs/method.md, "Cold-start SFT"): cross-entropy on the assistant tokens only (the response and
 * its <|im_end|>), averaged over every such token of the optimizer batch. Each micro-batch adds
 * its token sum divided by the batch's token count, so gradient accumulation gives the same
 * gradient as one big batch (HF Trainer's num_items_in_batch normalisation).
 */
import * as torch from '../../torch/index.js';
import type { QwenVLModel } from '../../models/qwen2_5_vl/model.js';
import type { TrainingBatch } from '../../rollout/pack.js';
import { scoreResponsesAsync } from '../../rollout/score_responses.js';

/**
 * Forward and backward of one micro-batch, both on the addon's task thread. Returns the summed negative log-likelihood of its
 * response tokens (a number, for logging). `batchTokens` is the response-token count of the
 * whole optimizer batch.
 */
export async function sftMicroStep(model: QwenVLModel, batch: TrainingBatch, batchTokens: number): Promise<number> {
  if (!batch.responseIds || !batch.responseMask) throw new Error('sftMicroStep: the batch has no responses');
  return maskedNllStep((await scoreResponsesAsync(model, batch)).logProbs, batch.responseMask!, batchTokens);
}

/**
 * Backward of Σ mask·(−log p) / batchTokens for one micro-batch; returns the summed NLL. Frees
 * `logProbs` (the caller's scored tokens).
 */
export async function maskedNllStep(logProbs: torch.Tensor, mask: torch.Tensor, batchTokens: number): Promise<number> {
  try {
    const { loss, nll } = torch.scope(() => {
      const nll = logProbs.mul(mask).sum().neg();
      return { loss: nll.div(batchTokens), nll: nll.item() };
    });
    try {
      await loss.backwardAsync();
    } finally {
      loss.dispose();
    }
    return nll;
  } finally {
    logProbs.dispose();
  }
}
