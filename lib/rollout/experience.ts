/**
 * Log-probs of the pass-1 responses under the current policy (old log-probs, recomputed after
 * generation, docs/method.md, "Log-probs") and under the frozen reference model, computed in
 * micro-batches without gradients. Kept per sample as Float32Arrays (one value per response
 * token), so the update can regroup samples into any mini/micro-batch.
 */
import * as torch from '../torch/index.js';
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import type { CollateOptions, EncodedPrompt } from './collate.js';
import { microBatchesByTokens } from './pack.js';
import { trainingBatch } from './training_batch.js';
import { scoreResponsesAsync } from './score_responses.js';

/** How a log-prob pass splits and lays out its micro-batches. */
export interface ExperienceLayout {
  /** Padding-free micro-batches (default true). */
  packed?: boolean;
  /** Packed only: each prompt once per micro-batch, read by its samples as a shared prefix (default false). */
  sharePrompts?: boolean;
  /** At most this many prompt + response tokens per micro-batch (null/absent = count only). */
  maxTokens?: number | null;
}

/**
 * Per-sample log-probs of `responses[i]` after `prompts[i]` (same order), of the logits divided by
 * `temperature`: the rollout's sampling temperature, as verl scores every pass (1.0 in the method).
 */
export async function responseLogProbs(
  model: QwenVLModel, prompts: readonly EncodedPrompt[], responses: readonly number[][], microBatch: number, o: CollateOptions & ExperienceLayout, temperature = 1,
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(prompts.length);
  const all = prompts.map((_, i) => i);
  const micros = microBatchesByTokens(all, (i) => prompts[i].ids.length + responses[i].length, microBatch, o.maxTokens ?? null);
  for (const idx of micros) {
    const batch = trainingBatch(idx.map((i) => prompts[i]), idx.map((i) => responses[i]), { ...o, device: model.device, packed: o.packed ?? true, sharePrompts: o.sharePrompts ?? false });
    try {
      // The forward pass runs on the addon's task thread without autograd (the task keeps the grad
      // mode of the call); one device-to-host transfer per micro-batch.
      const scored = await torch.noGradTask(() => scoreResponsesAsync(model, batch, { temperature }));
      let flat: number[];
      try {
        flat = torch.scope(() => scored.logProbs.to('cpu').toFlatArray());
      } finally {
        scored.logProbs.dispose();
        scored.entropy?.dispose();
      }
      const R = batch.responseLength;
      idx.forEach((i, k) => { out[i] = Float32Array.from(flat.slice(k * R, k * R + batch.responseTokens[k])); });
    } finally {
      batch.dispose();
    }
  }
  return out;
}

/** Right-pads per-sample arrays into a [B, R] float32 tensor on `device` (zeros past each sample's length). */
export function padRows(rows: readonly Float32Array[], R: number, device = 'cpu'): torch.Tensor {
  const data = new Float32Array(rows.length * R);
  rows.forEach((r, b) => data.set(r.subarray(0, R), b * R));
  return torch.tensor(data, { shape: [rows.length, R], device });
}
