/**
 * log πθ (and entropy) of a training micro-batch's responses, as [B, R] rows matching its
 * response mask, whichever layout the batch has (packed or left-padded).
 */
import type * as torch from '../torch/index.js';
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { isPacked, type TrainingBatch } from './pack.js';

export interface ScoreOptions {
  /** Logits are divided by this before log-softmax (the rollout temperature; default 1). */
  temperature?: number;
  entropy?: boolean;
}

export function scoreResponses(model: QwenVLModel, batch: TrainingBatch, o: ScoreOptions = {}): { logProbs: torch.Tensor; entropy: torch.Tensor | null } {
  const opts = { temperature: o.temperature ?? 1, entropy: o.entropy ?? false };
  if (isPacked(batch)) {
    return model.packedLogProbs(batch, { starts: batch.responseStarts, lengths: batch.responseTokens, columns: batch.responseLength }, opts);
  }
  if (!batch.responseIds) throw new Error('scoreResponses: the batch has no responses');
  return model.logProbs(batch, batch.responseIds, batch.promptLength, opts);
}

/** scoreResponses with the forward pass on a worker thread (the JS thread stays free). */
export function scoreResponsesAsync(model: QwenVLModel, batch: TrainingBatch, o: ScoreOptions = {}): Promise<{ logProbs: torch.Tensor; entropy: torch.Tensor | null }> {
  const opts = { temperature: o.temperature ?? 1, entropy: o.entropy ?? false };
  if (isPacked(batch)) {
    return model.packedLogProbsAsync(batch, { starts: batch.responseStarts, lengths: batch.responseTokens, columns: batch.responseLength }, opts);
  }
  if (!batch.responseIds) throw new Error('scoreResponses: the batch has no responses');
  return model.logProbsAsync(batch, batch.responseIds, batch.promptLength, opts);
}
