/**
 * Log-probs of the pass-1 responses under the current policy (old log-probs, recomputed after
 * generation, METHOD §9.1) and under the frozen reference model, computed in
 * micro-batches without gradients. Kept per sample as Float32Arrays (one value per response
 * token), so the update can regroup samples into any mini/micro-batch.
 */
import * as torch from '../torch/index.js';
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { collate, type CollateOptions, type EncodedPrompt } from './collate.js';

/**
 * Per-sample log-probs of `responses[i]` after `prompts[i]` (same order), of the logits divided by
 * `temperature`: the rollout's sampling temperature, as verl scores every pass (1.0 in the method).
 */
export function responseLogProbs(
  model: QwenVLModel, prompts: readonly EncodedPrompt[], responses: readonly number[][], microBatch: number, o: CollateOptions, temperature = 1,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let s = 0; s < prompts.length; s += microBatch) {
    const idx = Array.from({ length: Math.min(microBatch, prompts.length - s) }, (_, k) => s + k);
    const batch = collate(idx.map((i) => prompts[i]), idx.map((i) => responses[i]), o);
    try {
      const flat = torch.scope(() => torch.noGrad(() => {
        const { logProbs } = model.logProbs(batch, batch.responseIds!, batch.promptLength, { temperature });
        return logProbs.toFlatArray();
      }));
      const R = batch.responseLength;
      idx.forEach((i, k) => out.push(Float32Array.from(flat.slice(k * R, k * R + batch.responseTokens[k]))));
    } finally {
      batch.dispose();
    }
  }
  return out;
}

/** Right-pads per-sample arrays into a [B, R] float32 tensor (zeros past each sample's length). */
export function padRows(rows: readonly Float32Array[], R: number): torch.Tensor {
  const data = new Float32Array(rows.length * R);
  rows.forEach((r, b) => data.set(r.subarray(0, R), b * R));
  return torch.tensor(data, { shape: [rows.length, R] });
}
