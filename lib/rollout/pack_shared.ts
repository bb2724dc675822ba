/**
 * Packed training batches that hold each prompt once for all of its samples (prefix sharing).
 *
 * A GRPO micro-batch carries n responses per prompt. Laid out one sample after another, the
 * prompt (image tokens included) goes through every linear layer n times; in the built-in world
 * the prompt is more than half of a sample's tokens. Here the row is
 * `[prompt, response 1, ..., response k, next prompt, ...]`: each response is its own sequence
 * that reads the prompt as a shared prefix (attention sees the whole prompt, then the response
 * causally), keeps the positions it would have right after the prompt, and has its first token
 * predicted from the prompt's last token. The log-probs are those of the one-sample-per-sequence
 * layout (pack.ts) up to float rounding, and the prompt's gradient is the sum over its readers,
 * as it is there.
 *
 * Prompts are the same prompt when they are the same object, or have the same token ids and the
 * same pixel buffer (the rollout builds each prompt once for its n samples). A prompt with one
 * sample in the micro-batch keeps the plain prompt + response sequence.
 */
import { appendResponsePositions, getRopeIndex } from '../models/qwen2_5_vl/rope_index.js';
import type { CollateOptions, EncodedPrompt } from './collate.js';
import { type PackedBatch, packedBatchOf } from './pack.js';

/** Samples grouped by prompt, groups in order of first appearance. */
export function promptGroups(prompts: readonly EncodedPrompt[]): number[][] {
  const pixelIds = new Map<Float32Array, number>();
  const keyOf = (p: EncodedPrompt) => {
    let px = -1;
    if (p.pixelValues) {
      px = pixelIds.get(p.pixelValues) ?? pixelIds.size;
      pixelIds.set(p.pixelValues, px);
    }
    return `${px}|${p.ids.join(',')}`;
  };
  const groups = new Map<string, number[]>();
  prompts.forEach((p, b) => {
    const k = keyOf(p);
    const g = groups.get(k);
    if (g) g.push(b); else groups.set(k, [b]);
  });
  return [...groups.values()];
}

/** Packs prompts and responses (cut to maxResponseLength) with each distinct prompt once. */
export function packSharedPrompts(prompts: readonly EncodedPrompt[], responses: readonly (readonly number[])[], o: CollateOptions): PackedBatch {
  const B = prompts.length;
  if (B === 0) throw new Error('packSharedPrompts: empty batch');
  if (responses.length !== B) throw new Error(`packSharedPrompts: ${B} prompts but ${responses.length} responses`);
  const resp = responses.map((r) => (o.maxResponseLength !== undefined && r.length > o.maxResponseLength ? r.slice(0, o.maxResponseLength) : r));
  const groups = promptGroups(prompts);
  const T = groups.reduce((a, g) => a + prompts[g[0]].ids.length + g.reduce((s, b) => s + resp[b].length, 0), 0);
  const R = Math.max(1, ...resp.map((r) => r.length));
  const ids = new BigInt64Array(T);
  const pos = new BigInt64Array(3 * T);
  const rIds = new BigInt64Array(B * R).fill(BigInt(o.padId));
  const rMask = new Float32Array(B * R);
  const cuSeqlens = [0], segmentPrefix: number[] = [], responseStarts = new Array<number>(B).fill(0);
  let off = 0;
  // Appends tokens [from, to) of a sequence whose ids and mRoPE positions (3 x n) are given.
  const write = (seq: readonly number[], rope: ArrayLike<number>, n: number, from: number, to: number) => {
    for (let j = from; j < to; j++) {
      ids[off] = BigInt(seq[j]);
      for (let a = 0; a < 3; a++) pos[a * T + off] = BigInt(rope[a * n + j]);
      off++;
    }
  };
  const endSequence = (prefix: number) => { cuSeqlens.push(off); segmentPrefix.push(prefix); };
  for (const g of groups) {
    const p = prompts[g[0]], P = p.ids.length;
    if (P === 0) throw new Error(`packSharedPrompts: prompt ${g[0]} has no tokens`);
    const longest = Math.max(...g.map((b) => resp[b].length));
    const grids = p.imageGridThw.map((x) => [...x]);
    const n = P + longest;
    const rope = appendResponsePositions(getRopeIndex([p.ids], [p.ids.map(() => 1)], grids, { imageTokenId: o.imageTokenId, spatialMergeSize: o.mergeSize }), longest).positionIds;
    for (const b of g) resp[b].forEach((id, j) => { rIds[b * R + j] = BigInt(id); rMask[b * R + j] = 1; });
    const seqOf = (b: number) => [...p.ids, ...resp[b]];
    if (g.length === 1) {
      write(seqOf(g[0]), rope, n, 0, P + resp[g[0]].length);
      responseStarts[g[0]] = off - resp[g[0]].length;
      endSequence(-1);
      continue;
    }
    write(p.ids, rope, n, 0, P);
    const promptSeq = cuSeqlens.length - 1;
    endSequence(-1);
    for (const b of g) {
      responseStarts[b] = off;
      if (resp[b].length === 0) continue;  // nothing to score; an empty sequence is not allowed
      write(seqOf(b), rope, n, P, P + resp[b].length);
      endSequence(promptSeq);
    }
  }
  const rows = { ids, pos, rIds, rMask, R, cuSeqlens, responseStarts, responseTokens: resp.map((r) => r.length) };
  return packedBatchOf(segmentPrefix.some((x) => x >= 0) ? { ...rows, segmentPrefix } : rows, groups.map((g) => prompts[g[0]]), prompts, o);
}
