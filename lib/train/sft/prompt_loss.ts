/**
 * trainer.loss_on_prompt (LLaMA-Factory train_on_prompt): the SFT cross-entropy over the whole
 * sequence, prompt tokens included, rather than over the assistant tokens only (sft_loss.ts).
 * Left out are the image pads (placeholders whose embeddings the vision tower replaces, so
 * predicting them teaches nothing), padding, and each row's first token (nothing predicts it).
 * As in sft_loss.ts, each micro-batch adds its token sum divided by the optimizer batch's token
 * count, so gradient accumulation equals one big batch.
 */
import * as torch from '../../torch/index.js';
import type { QwenVLModel } from '../../models/qwen2_5_vl/model.js';
import type { CollatedBatch } from '../../rollout/collate.js';
import type { PreparedExample } from './batch.js';
import { maskedNllStep } from './loss.js';

/** Tokens the loss covers in `examples`: prompt + response, less the first token and the image pads. */
export function promptLossTokens(examples: readonly PreparedExample[], imageTokenId: number): number {
  return examples.reduce((a, e) => a + e.prompt.ids.length + e.response.length - 1 - e.prompt.ids.filter((id) => id === imageTokenId).length, 0);
}

/**
 * The [B, L-1] loss mask of a collated batch for the targets at columns 1..L-1: the target and
 * the column before it are real tokens (the row is [left padding, prompt, response, right
 * padding]) and the target is not an image pad.
 */
export function promptLossMask(batch: CollatedBatch, imageTokenId: number): torch.Tensor {
  const L = batch.inputIds.shape[1];
  return torch.scope(() => {
    const am = batch.attentionMask.float();
    const real = am.narrow(1, 1, L - 1).mul(am.narrow(1, 0, L - 1));
    return real.mul(batch.inputIds.narrow(1, 1, L - 1).ne(imageTokenId).float());
  });
}

/**
 * Forward and backward of one micro-batch with the loss on prompt and response tokens. Returns
 * the summed negative log-likelihood of its covered tokens; `batchTokens` is promptLossTokens of
 * the whole optimizer batch.
 */
export async function sftPromptLossMicroStep(model: QwenVLModel, batch: CollatedBatch, batchTokens: number, imageTokenId: number): Promise<number> {
  const L = batch.inputIds.shape[1];
  const targets = batch.inputIds.narrow(1, 1, L - 1).contiguous();
  const { logProbs } = await model.logProbsAsync(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, positionIds: batch.positionIds, pixelValues: batch.pixelValues, imageGridThw: batch.imageGridThw, imageSources: batch.imageSources },
    targets,
    1,
  );
  targets.dispose();
  const mask = promptLossMask(batch, imageTokenId);
  try {
    return await maskedNllStep(logProbs, mask, batchTokens);
  } finally {
    mask.dispose();
  }
}
