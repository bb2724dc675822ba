/**
 * Qwen2.5-VL 3D (t, h, w) rotary position ids, `get_rope_index` (docs/method.md, "mRoPE positions").
 *
 * Text tokens advance one running index on all three axes. An image block of
 * (gh/m)·(gw/m) tokens starting after running index s gets (s, s+i, s+j) for merged-grid cell
 * (i, j); the next text token starts at s + max(gh, gw)/m, i.e. one past the largest index
 * used. Masked (padding) positions are skipped and get `padPosition`.
 */

/** Options of {@link getRopeIndex}. */
export interface RopeIndexOptions {
  /** <|image_pad|> id (151655). */
  imageTokenId?: number;
  /** <|video_pad|> id (151656); videos are not supported and make the call throw. */
  videoTokenId?: number;
  /** Vision merge size (2). */
  spatialMergeSize?: number;
  /** Value written where attention_mask is 0 (0 as in verl and transformers 5; 4.49 used 1). */
  padPosition?: number;
}

/** Position ids [3, B, L] (axis-major, row-major) and per-row rope deltas. */
export interface RopeIndexResult {
  positionIds: Int32Array;
  shape: [3, number, number];
  /** max(position) + 1 - (number of unmasked tokens), per row; used to continue decoding. */
  ropeDeltas: Int32Array;
}

type Row = ArrayLike<number | bigint>;

/**
 * Computes mRoPE position ids for a batch of token rows (equal length, e.g. left-padded).
 * `imageGridThw` lists the grids of all images of the batch in order of appearance (row by
 * row), as the image processor returns them. Each image must appear as exactly
 * t·h·w/merge² consecutive image-pad tokens; a mismatch throws naming the row and image.
 */
export function getRopeIndex(
  inputIds: readonly Row[],
  attentionMask: readonly Row[] | null,
  imageGridThw: ReadonlyArray<readonly number[]>,
  opts: RopeIndexOptions = {},
): RopeIndexResult {
  const imageId = opts.imageTokenId ?? 151655;
  const videoId = opts.videoTokenId ?? 151656;
  const m = opts.spatialMergeSize ?? 2;
  const padPos = opts.padPosition ?? 0;
  const B = inputIds.length;
  const L = B ? inputIds[0].length : 0;
  if (attentionMask && attentionMask.length !== B) throw new Error(`get_rope_index: attention_mask has ${attentionMask.length} rows, input_ids ${B}`);
  const pos = new Int32Array(3 * B * L);
  const deltas = new Int32Array(B);
  let img = 0;
  for (let b = 0; b < B; b++) {
    const row = inputIds[b];
    const mask = attentionMask?.[b];
    if (row.length !== L || (mask && mask.length !== L)) {
      throw new Error(`get_rope_index: row ${b} has length ${row.length}${mask ? `/${mask.length} (mask)` : ''}, expected ${L}`);
    }
    // Unmasked token indices; positions are assigned over them only.
    const idx: number[] = [];
    for (let i = 0; i < L; i++) if (!mask || Number(mask[i]) !== 0) idx.push(i);
    for (let a = 0; a < 3; a++) pos.fill(padPos, (a * B + b) * L, (a * B + b + 1) * L);
    const put = (i: number, t: number, h: number, w: number) => {
      pos[(0 * B + b) * L + i] = t;
      pos[(1 * B + b) * L + i] = h;
      pos[(2 * B + b) * L + i] = w;
    };
    let cur = 0;
    let maxPos = -1;
    let k = 0;
    while (k < idx.length) {
      const tokenId = Number(row[idx[k]]);
      if (tokenId === videoId) throw new Error(`get_rope_index: row ${b} has a video token at ${idx[k]}; videos are not supported`);
      if (tokenId !== imageId) {
        put(idx[k], cur, cur, cur);
        maxPos = Math.max(maxPos, cur);
        cur++;
        k++;
        continue;
      }
      if (img >= imageGridThw.length) {
        throw new Error(`get_rope_index: row ${b} has more images than the ${imageGridThw.length} grid(s) given`);
      }
      const [gt, gh, gw] = imageGridThw[img];
      if (gh % m !== 0 || gw % m !== 0) throw new Error(`get_rope_index: image ${img} grid ${JSON.stringify(imageGridThw[img])} is not divisible by merge size ${m}`);
      const lh = gh / m;
      const lw = gw / m;
      const n = gt * lh * lw;
      for (let j = 0; j < n; j++) {
        if (k + j >= idx.length || Number(row[idx[k + j]]) !== imageId) {
          throw new Error(
            `get_rope_index: row ${b}, image ${img} (grid ${JSON.stringify(imageGridThw[img])}) needs ${n} consecutive image tokens, found ${j}`,
          );
        }
      }
      let j = 0;
      for (let t = 0; t < gt; t++) {
        for (let h = 0; h < lh; h++) {
          for (let w = 0; w < lw; w++) {
            // Still images: temporal index t (always 0 for one frame pair), interval 1.
            put(idx[k + j], cur + t, cur + h, cur + w);
            j++;
          }
        }
      }
      maxPos = Math.max(maxPos, cur + Math.max(gt - 1, lh - 1, lw - 1));
      cur += Math.max(gt, lh, lw);
      k += n;
      img++;
    }
    deltas[b] = maxPos + 1 - idx.length;
  }
  if (img !== imageGridThw.length) {
    throw new Error(`get_rope_index: the batch has ${img} image(s) but ${imageGridThw.length} grid(s) were given`);
  }
  return { positionIds: pos, shape: [3, B, L], ropeDeltas: deltas };
}

/**
 * Appends `responseLength` positions after each row's last prompt position, the same value on
 * all three axes (verl: `position_ids[..., -1:] + arange(1, R+1)`). Prompts must be
 * left-padded so that the last column is a real token.
 */
export function appendResponsePositions(prompt: RopeIndexResult, responseLength: number): RopeIndexResult {
  const [, B, L] = prompt.shape;
  const L2 = L + responseLength;
  const pos = new Int32Array(3 * B * L2);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < B; b++) {
      const src = (a * B + b) * L;
      const dst = (a * B + b) * L2;
      pos.set(prompt.positionIds.subarray(src, src + L), dst);
      const last = L > 0 ? prompt.positionIds[src + L - 1] : -1;
      for (let r = 0; r < responseLength; r++) pos[dst + L + r] = last + 1 + r;
    }
  }
  return { positionIds: pos, shape: [3, B, L2], ropeDeltas: prompt.ropeDeltas.slice() };
}

/** The position ids as int64, the dtype torch expects for position_ids. */
export function toBigInt64(positionIds: Int32Array): BigInt64Array {
  const out = new BigInt64Array(positionIds.length);
  for (let i = 0; i < positionIds.length; i++) out[i] = BigInt(positionIds[i]);
  return out;
}
