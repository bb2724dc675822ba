/**
 * Rollout in waves that fit a memory budget (worker.rollout.gpu_memory_utilization, kv_cache_gib,
 * max_num_seqs, like vLLM's): the engine preallocates a KV cache of rows x (prompt + new tokens)
 * per layer, so the paper's 512 prompts x 8 samples at 2048 tokens cannot go in one call on any
 * device. Prompts are cut into consecutive waves of whole prompts (a prompt's n samples share its
 * prefill); each wave passes its first sequence id, and sampling noise is keyed by sequence id, so
 * the waves sample exactly what one call would.
 */
import { freemem } from 'node:os';
import type { QwenVLConfig } from '../models/qwen2_5_vl/config.js';
import { kvBytesPerToken } from '../models/qwen2_5_vl/model_size.js';
import { dtypeBytes, type DType } from '../torch/dtype.js';

/** What one wave may hold. */
export interface WaveLimits {
  /** Bytes for the KV cache and per-row decode state of one wave. */
  bytes: number;
  /** Rows (sequences) per wave at most; null = no limit. */
  maxNumSeqs: number | null;
  /** Refill decode slots with pending sequences instead of running waves (planContinuous). */
  continuousBatching?: boolean;
}

/** Bytes one row needs: K and V of every layer for each of its tokens, plus two fp32 rows of logits. */
export function rowBytes(c: QwenVLConfig, dtype: DType, tokens: number): number {
  return kvBytesPerToken(c, dtypeBytes(dtype)) * tokens + 2 * 4 * c.text.vocabSize;
}

/**
 * Consecutive prompt ranges [start, end) covering `prompts` prompts. Every wave holds as many
 * whole prompts as fit; one prompt that does not fit alone is an error before any work.
 */
export function planWaves(prompts: number, n: number, perRow: number, limits: WaveLimits): Array<[number, number]> {
  const byBytes = Math.floor(limits.bytes / perRow);
  const rows = Math.min(byBytes, limits.maxNumSeqs ?? Infinity);
  const perWave = Math.floor(rows / n);
  if (perWave < 1) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    const why = byBytes < n
      ? `the KV-cache budget of ${gib(limits.bytes)} holds ${byBytes} sequence(s) of this length but one prompt's n = ${n} samples need ${gib(n * perRow)}; raise worker.rollout.gpu_memory_utilization or kv_cache_gib, or lower n or data.max_response_length`
      : `worker.rollout.max_num_seqs ${limits.maxNumSeqs} is below n = ${n}, so not even one prompt's samples fit a wave`;
    throw new Error(`rollout: ${why}`);
  }
  const waves: Array<[number, number]> = [];
  for (let s = 0; s < prompts; s += perWave) waves.push([s, Math.min(prompts, s + perWave)]);
  return waves;
}

/** Engine calls under continuous batching: prompt ranges and the decode slots of each call. */
export interface ContinuousPlan {
  calls: Array<[number, number]>;
  maxRows: number;
}

/**
 * Continuous batching within a budget, or null when every sequence fits one call at once (a
 * static batch with compaction then does the same work). The decode slots (full-length rows) take
 * at most 3/4 of the budget, capped by max_num_seqs; the prompts' cached prefills (`perPrompt`
 * bytes each, kept for the whole call) take the rest, so a call holds as many prompts as fit there.
 */
export function planContinuous(prompts: number, n: number, perRow: number, perPrompt: number, limits: WaveLimits): ContinuousPlan | null {
  const rowsAtOnce = Math.min(Math.floor(limits.bytes / perRow), limits.maxNumSeqs ?? Infinity); // what one static call holds
  if (rowsAtOnce >= prompts * n) return null;
  const maxRows = Math.min(Math.floor((0.75 * limits.bytes) / perRow), limits.maxNumSeqs ?? Infinity);
  const perCall = Math.min(prompts, Math.floor((limits.bytes - maxRows * perRow) / perPrompt));
  if (maxRows < 1 || perCall < 1) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    throw new Error(`rollout: the KV-cache budget of ${gib(limits.bytes)} holds no decode slot of ${gib(perRow)} next to one prompt's prefill of ${gib(perPrompt)}; raise worker.rollout.gpu_memory_utilization or kv_cache_gib, or lower data.max_response_length`);
  }
  const calls: Array<[number, number]> = [];
  for (let s = 0; s < prompts; s += perCall) calls.push([s, Math.min(prompts, s + perCall)]);
  return { calls, maxRows };
}

/** Bytes of one prompt's cached prefill: its K and V of every layer plus its fp32 last logits. */
export function promptBytes(c: QwenVLConfig, dtype: DType, tokens: number): number {
  return kvBytesPerToken(c, dtypeBytes(dtype)) * tokens + 4 * c.text.vocabSize;
}

/** The rollout settings the budget comes from (worker.rollout's keys). */
export interface WaveConfig {
  gpuMemoryUtilization: number;
  kvCacheGib: number | null;
  maxNumSeqs: number | null;
  continuousBatching?: boolean;
}

/**
 * The budget now: kv_cache_gib when set; else, on CUDA, gpu_memory_utilization of the memory the
 * allocator could still hand out (free on the device plus cached but unused); on the CPU, that
 * share of the free RAM.
 */
export function waveLimits(w: WaveConfig, device: { free: number; reserved: number; allocated: number } | null): WaveLimits {
  let bytes: number;
  if (w.kvCacheGib !== null) bytes = w.kvCacheGib * 2 ** 30;
  else if (device) bytes = w.gpuMemoryUtilization * (device.free + device.reserved - device.allocated);
  else bytes = w.gpuMemoryUtilization * freemem();
  return { bytes, maxNumSeqs: w.maxNumSeqs, continuousBatching: w.continuousBatching ?? false };
}
