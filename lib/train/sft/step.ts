/**
 * One SFT optimizer step: encode the batch (a record whose image does not decode is skipped and
 * counted, never the run), run its micro-batches' forward and backward, clip and step. On a
 * data-parallel rank the batch is this rank's share: the loss is normalised by the token count of
 * the whole global batch, so the averaged gradients are the one-process gradients.
 */
import type { SftConfig } from '../../config/sft.js';
import type { QwenVLModel } from '../../models/qwen2_5_vl/model.js';
import type { CollatedBatch, PromptEncoder } from '../../rollout/collate.js';
import type { DecodedImageCache } from '../../rollout/image_cache.js';
import { trainingBatch } from '../../rollout/training_batch.js';
import type * as torch from '../../torch/index.js';
import type { ProcessGroup } from '../../distributed/process_group.js';
import type { GradientStep } from '../optim_step.js';
import { microBatches, type PreparedExample, prepareExamples } from './batch.js';
import type { SftRecord } from './data.js';
import { sftMicroStep } from './loss.js';
import { promptLossTokens, sftPromptLossMicroStep } from './prompt_loss.js';

export interface SftStepContext {
  cfg: SftConfig;
  model: QwenVLModel;
  encoder: PromptEncoder;
  images: DecodedImageCache;
  /** Clip and update (exchanging gradients first on a data-parallel rank). */
  gradientStep: GradientStep;
  /** The data-parallel group, when this process is one rank of several. */
  group: ProcessGroup | null;
  device: string;
  compute: torch.DType;
  log: (line: string) => void;
}

export interface SftStepResult {
  /** Token-mean NLL of the batch; NaN when every record was skipped. */
  loss: number;
  gradNorm: number;
  /** False when the update was not applied (a non-finite gradient norm, or nothing to train on). */
  applied: boolean;
  responseTokens: number;
  allTokens: number;
  truncated: number;
  /** Records left out because an image did not decode. */
  skippedSamples: number;
  /** Seconds spent decoding and encoding the batch (overlapped with the previous step's compute when the trainer prefetched it). */
  dataSeconds: number;
}

/** A batch encoded for one SFT step (prepareSftBatch), ready for sftTrainPrepared. */
export interface PreparedSftBatch {
  prepared: PreparedExample[];
  /** Records left out of this process's share because an image did not decode. */
  skippedSamples: number;
  /** Seconds spent decoding and encoding. */
  dataSeconds: number;
}

/**
 * Decodes and encodes `records` for step `step` (1-based). It needs no collective and does not
 * touch the model, so the trainer runs it for the next step while this one computes.
 */
export async function prepareSftBatch(c: SftStepContext, records: readonly SftRecord[], step: number): Promise<PreparedSftBatch> {
  const t0 = performance.now();
  let skippedSamples = 0;
  const prepared = await prepareExamples(records, c.encoder, c.images, c.cfg.data.max_length, (r, why) => {
    skippedSamples++;
    c.log(`data: skipped ${r.id} at step ${step}: ${why}`);
  });
  return { prepared, skippedSamples, dataSeconds: (performance.now() - t0) / 1000 };
}

/** One optimizer step on a prepared batch; `step` (1-based) names the step in log lines. */
export async function sftTrainPrepared(c: SftStepContext, batch: PreparedSftBatch, step: number): Promise<SftStepResult> {
  const tr = c.cfg.trainer, model = c.model;
  const { prepared, skippedSamples, dataSeconds } = batch;
  const localResponse = prepared.reduce((a, e) => a + e.response.length, 0);
  const localAll = localResponse + prepared.reduce((a, e) => a + e.prompt.ids.length, 0);
  // trainer.loss_on_prompt: the loss also covers the prompt tokens (sft_prompt_loss.ts).
  const localLoss = prepared.length === 0 ? 0 : tr.loss_on_prompt ? promptLossTokens(prepared, model.config.imageTokenId) : localResponse;
  const localTruncated = prepared.filter((e) => e.truncated).length;
  // Over every rank (the same numbers in one process).
  const [lossTokens, responseTokens, allTokens, truncated, skippedAll] = c.group
    ? c.group.sum([localLoss, localResponse, localAll, localTruncated, skippedSamples], 'SFT batch token counts')
    : [localLoss, localResponse, localAll, localTruncated, skippedSamples];
  if (lossTokens === 0) {
    c.log(`step ${step}: every record of the batch was skipped; no update`);
    return { loss: NaN, gradNorm: NaN, applied: false, responseTokens: 0, allTokens: 0, truncated: 0, skippedSamples: skippedAll, dataSeconds };
  }
  // The ranks' gradients are averaged, so each normalises by its share of the global count.
  const worldSize = c.group?.worldSize ?? 1;
  let nll = 0;
  for (const mb of microBatches(prepared, tr.micro_batch_size_per_device, tr.micro_batch_max_tokens)) {
    // loss_on_prompt: packed batches score every token (span 'sequence'); padded ones go through prompt_loss.ts.
    const batch = trainingBatch(mb.map((e) => e.prompt), mb.map((e) => e.response), {
      padId: model.config.padTokenId, imageTokenId: model.config.imageTokenId, mergeSize: model.config.vision.spatialMergeSize, device: c.device, pixelDtype: c.compute,
      packed: tr.padding_free, span: tr.loss_on_prompt ? 'sequence' : 'response',
    });
    try {
      const share = lossTokens / worldSize;
      nll += tr.loss_on_prompt && !tr.padding_free ? await sftPromptLossMicroStep(model, batch as CollatedBatch, share, model.config.imageTokenId) : await sftMicroStep(model, batch, share);
    } finally {
      batch.dispose();
    }
  }
  const { norm, applied } = c.gradientStep.step(tr.max_grad_norm);
  if (!applied) c.log(`step ${step}: gradient norm ${norm} is not finite; update skipped`);
  const nllAll = c.group ? c.group.sum([nll], 'SFT batch loss')[0] : nll;
  return { loss: nllAll / lossTokens, gradNorm: norm, applied, responseTokens, allTokens, truncated, skippedSamples: skippedAll, dataSeconds };
}
