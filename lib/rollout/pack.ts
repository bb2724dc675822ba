/**
 * Padding-free ("packed") training batches. The samples of a micro-batch are laid end to end in
 * one row, each with its own mRoPE positions (exactly the positions it has in a left-padded
 * batch) and a boundary in `cuSeqlens`; attention is confined to each sample inside the native
 * decoder. No pad token goes through a linear layer, so a micro-batch costs its real tokens only.
 *
 * The responses' log-probs still come back as the padded [B, R] rows (with the same response
 * mask) that collate() gives, so every loss runs unchanged on either layout.
 */
import * as torch from '../torch/index.js';
import { appendResponsePositions, getRopeIndex } from '../models/qwen2_5_vl/rope_index.js';
import { type CollatedBatch, type CollateOptions, type EncodedPrompt, collate, concatPixelValues, distinctImages } from './collate.js';

/** A packed micro-batch; tensors are owned by the batch (call dispose). */
export interface PackedBatch {
  layout: 'packed';
  /** [1, T] int64: prompt then response of each sample, back to back. */
  inputIds: torch.Tensor;
  /** [3, 1, T] int64 mRoPE positions, each sample's own. */
  positionIds: torch.Tensor;
  pixelValues?: torch.Tensor;
  imageGridThw: number[][];
  /** As in CollatedBatch: each distinct image's pixels once, and the image each occurrence shows. */
  imageSources?: number[];
  /** Sequence boundaries: 0, len0, len0 + len1, ..., T. */
  cuSeqlens: number[];
  /** Per sequence, the prompt sequence it reads as a shared prefix (-1 for none); absent when none does (pack_shared.ts). */
  segmentPrefix?: number[];
  /** Packed index of each sample's first response token. */
  responseStarts: number[];
  /** Columns of the [B, R] response rows (the longest response, at least 1). */
  responseLength: number;
  /** [B, R] int64 and [B, R] float32, as in CollatedBatch. */
  responseIds: torch.Tensor;
  responseMask: torch.Tensor;
  promptTokens: number[];
  responseTokens: number[];
  dispose(): void;
}

/** Either layout of a training micro-batch. */
export type TrainingBatch = CollatedBatch | PackedBatch;

export function isPacked(b: TrainingBatch): b is PackedBatch {
  return (b as PackedBatch).layout === 'packed';
}

/**
 * Which tokens a packed batch scores: the responses (GRPO, SFT), or every token after each
 * sample's first but image pads (SFT's loss_on_prompt): its "response" rows then start at token 1.
 */
export type ScoredSpan = 'response' | 'sequence';

/** Packs prompts and their responses (cut to maxResponseLength like collate) into one row. */
export function packBatch(prompts: readonly EncodedPrompt[], responses: readonly (readonly number[])[], o: CollateOptions & { span?: ScoredSpan }): PackedBatch {
  const B = prompts.length;
  if (B === 0) throw new Error('packBatch: empty batch');
  if (responses.length !== B) throw new Error(`packBatch: ${B} prompts but ${responses.length} responses`);
  const resp = responses.map((r) => (o.maxResponseLength !== undefined && r.length > o.maxResponseLength ? r.slice(0, o.maxResponseLength) : r));
  const T = prompts.reduce((a, p, b) => a + p.ids.length + resp[b].length, 0);
  const whole = o.span === 'sequence';
  const scored = prompts.map((p, b) => (whole ? p.ids.length + resp[b].length - 1 : resp[b].length));
  const R = Math.max(1, ...scored);
  const ids = new BigInt64Array(T);
  const pos = new BigInt64Array(3 * T);
  const rIds = new BigInt64Array(B * R).fill(BigInt(o.padId));
  const rMask = new Float32Array(B * R);
  const cuSeqlens = [0], responseStarts: number[] = [];
  let off = 0;
  for (let b = 0; b < B; b++) {
    const p = prompts[b], r = resp[b], n = p.ids.length + r.length;
    if (p.ids.length === 0) throw new Error(`packBatch: prompt ${b} has no tokens`);
    const grids = p.imageGridThw.map((g) => [...g]);
    const rope = appendResponsePositions(getRopeIndex([p.ids], [p.ids.map(() => 1)], grids, { imageTokenId: o.imageTokenId, spatialMergeSize: o.mergeSize }), r.length);
    for (let a = 0; a < 3; a++) for (let j = 0; j < n; j++) pos[a * T + off + j] = BigInt(rope.positionIds[a * n + j]);
    const seq = [...p.ids, ...r];
    seq.forEach((id, j) => { ids[off + j] = BigInt(id); });
    const from = whole ? 1 : p.ids.length;
    for (let j = from; j < n; j++) {
      rIds[b * R + j - from] = BigInt(seq[j]);
      // Image pads are placeholders the vision tower overwrites: nothing to predict.
      rMask[b * R + j - from] = whole && seq[j] === o.imageTokenId ? 0 : 1;
    }
    responseStarts.push(off + from);
    off += n;
    cuSeqlens.push(off);
  }
  return packedBatchOf({ ids, pos, rIds, rMask, R, cuSeqlens, responseStarts, responseTokens: scored }, prompts, prompts, o);
}

/** The host arrays of a packed micro-batch, before they become tensors. */
export interface PackedRows {
  /** [T] token ids and [3 * T] mRoPE positions (axis-major) of the row. */
  ids: BigInt64Array;
  pos: BigInt64Array;
  /** [B * R] response ids (pad elsewhere) and 0/1 mask. */
  rIds: BigInt64Array;
  rMask: Float32Array;
  R: number;
  cuSeqlens: number[];
  segmentPrefix?: number[];
  responseStarts: number[];
  responseTokens: number[];
}

/**
 * The tensors of a packed batch on `o.device`. `inRow` are the prompts in the order the row holds
 * them (their images, in that order, are the row's image tokens); `samples` one per sample.
 */
export function packedBatchOf(rows: PackedRows, inRow: readonly EncodedPrompt[], samples: readonly EncodedPrompt[], o: CollateOptions): PackedBatch {
  const device = o.device ?? 'cpu', T = rows.ids.length, B = samples.length;
  const owned: torch.Tensor[] = [];
  const keep = <X extends torch.Tensor | undefined>(t: X): X => { if (t) owned.push(t); return t; };
  const images = distinctImages(inRow);
  return {
    layout: 'packed',
    imageSources: images.sources,
    inputIds: keep(torch.tensor(rows.ids, { shape: [1, T], device })),
    positionIds: keep(torch.tensor(rows.pos, { shape: [3, 1, T], device })),
    pixelValues: keep(concatPixelValues(images.prompts, { device, dtype: o.pixelDtype })),
    imageGridThw: inRow.flatMap((p) => p.imageGridThw.map((g) => [...g])),
    cuSeqlens: rows.cuSeqlens,
    ...(rows.segmentPrefix ? { segmentPrefix: rows.segmentPrefix } : {}),
    responseStarts: rows.responseStarts,
    responseLength: rows.R,
    responseIds: keep(torch.tensor(rows.rIds, { shape: [B, rows.R], device })),
    responseMask: keep(torch.tensor(rows.rMask, { shape: [B, rows.R], device })),
    promptTokens: samples.map((p) => p.ids.length),
    responseTokens: rows.responseTokens,
    dispose() { for (const t of owned) if (t.alive) t.dispose(); },
  };
}

/**
 * Splits sample indices into micro-batches: at most `maxSamples` each and, when `maxTokens` is
 * set, at most that many prompt + response tokens (verl's dynamic batch size); a sample longer
 * than the budget gets a micro-batch of its own. Order is kept, so results do not depend on it.
 */
export function microBatchesByTokens(indices: readonly number[], tokens: (i: number) => number, maxSamples: number, maxTokens: number | null): number[][] {
  const out: number[][] = [];
  let cur: number[] = [], curTokens = 0;
  for (const i of indices) {
    const t = tokens(i);
    const full = cur.length >= maxSamples || (maxTokens !== null && cur.length > 0 && curTokens + t > maxTokens);
    if (full) { out.push(cur); cur = []; curTokens = 0; }
    cur.push(i);
    curTokens += t;
  }
  if (cur.length) out.push(cur);
  return out;
}
