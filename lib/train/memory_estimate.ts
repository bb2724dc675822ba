/**
 * A start-up estimate of one device's memory for a training config, printed next to what the
 * device has: weights, gradients, fp32 masters and AdamW moments, the frozen reference, the
 * activations of one micro-batch with and without activation checkpointing, and the rollout's
 * KV cache. Activations are counted for the decoder (the vision tower is small beside it); the
 * per-token figure is what each layer keeps for backward: its input, the two norms' outputs,
 * q/k/v, the attention output and the MLP's four intermediate-size tensors, plus fp32 norm
 * statistics.
 */
import { kvBytesPerToken } from '../models/qwen2_5_vl/model_size.js';
import { cudaIndexOf } from '../torch/device.js';
import { freemem, totalmem } from 'node:os';
import type { QwenVLConfig } from '../models/qwen2_5_vl/config.js';
import * as torch from '../torch/index.js';

const GB = 2 ** 30;
const BYTES: Record<string, number> = { float32: 4, float64: 8, bfloat16: 2, float16: 2 };

export interface MemoryEstimateInput {
  config: QwenVLConfig;
  params: number;
  trainable: number;
  computeDtype: string;
  refDtype: string | null;
  refOffload: boolean;
  masterWeights: boolean;
  checkpointing: boolean;
  /** Tokens of the largest micro-batch (prompt + response). */
  microBatchTokens: number;
  /** Sequences generated at once and the length each can reach (0 rows = no rollout). */
  rolloutRows: number;
  rolloutLength: number;
}

export interface MemoryEstimate { parts: Array<[string, number]>; total: number; totalWithoutCheckpointing: number }

export function estimateMemory(x: MemoryEstimateInput): MemoryEstimate {
  const t = x.config.text, bc = BYTES[x.computeDtype] ?? 4;
  const kvDim = t.numKvHeads * (t.hiddenSize / t.numHeads);
  const perTokenLayer = (8 * t.hiddenSize + 2 * kvDim + 4 * t.intermediateSize) * bc + 2 * t.hiddenSize * 4;
  const full = t.numLayers * x.microBatchTokens * perTokenLayer;
  // Checkpointed: every layer's input, plus one layer's activations while it is recomputed.
  const ckpt = t.numLayers * x.microBatchTokens * t.hiddenSize * bc + x.microBatchTokens * perTokenLayer;
  const lmHead = 3 * 512 * t.vocabSize * 4; // one fp32 logits chunk of the log-prob kernel, forward and backward
  const parts: Array<[string, number]> = [
    ['weights', x.params * bc],
    ['gradients', x.trainable * bc],
    ['fp32 master weights', x.masterWeights ? x.trainable * 4 : 0],
    ['AdamW moments', 2 * x.trainable * (x.masterWeights ? 4 : bc)],
    [x.refOffload ? 'reference (on the CPU between phases)' : 'reference model', x.refDtype && !x.refOffload ? x.params * (BYTES[x.refDtype] ?? 4) : 0],
    [`activations${x.checkpointing ? ' (checkpointed)' : ''}`, (x.checkpointing ? ckpt : full) + lmHead],
    ['rollout KV cache', x.rolloutRows * x.rolloutLength * kvBytesPerToken(x.config, bc)],
  ];
  const total = parts.reduce((a, [, b]) => a + b, 0);
  return { parts, total, totalWithoutCheckpointing: total - (x.checkpointing ? ckpt - full : 0) };
}

/** The estimate as log lines, with the device's total and free memory. */
export function memoryEstimateLines(e: MemoryEstimate, device: string, checkpointing: boolean): string[] {
  const i = cudaIndexOf(device);
  const stats = i === null ? null : torch.cuda.memoryStats(i);
  const have = stats ? `${device} has ${(stats.total / GB).toFixed(1)} GB (${(stats.free / GB).toFixed(1)} free)` : `this machine has ${(totalmem() / GB).toFixed(1)} GB (${(freemem() / GB).toFixed(1)} free)`;
  const parts = e.parts.filter(([, b]) => b > 0).map(([k, b]) => `${k} ${(b / GB).toFixed(2)}`).join(', ');
  const alt = checkpointing ? `; ${(e.totalWithoutCheckpointing / GB).toFixed(2)} GB without activation checkpointing` : '';
  return [`memory estimate per device: ${(e.total / GB).toFixed(2)} GB (${parts})${alt}; ${have}`];
}

/** Elements of a parameter list. */
export function countElements(ts: readonly torch.Tensor[]): number {
  return ts.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}
