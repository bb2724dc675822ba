/**
 * Qwen2-VL patch layout (docs/method.md, "Patches and merge"): a normalised CHW image, repeated over
 * `temporalPatchSize` frames, becomes (gt·gh·gw) rows of C·tp·p·p values such that every
 * merge_size × merge_size window of patches is contiguous in the sequence.
 */

export interface PatchifyOptions {
  patchSize: number;
  mergeSize: number;
  temporalPatchSize: number;
}

/**
 * Equivalent to reshape [gt, tp, C, gh/m, m, p, gw/m, m, p] -> permute
 * [gt, gh/m, gw/m, m, m, C, tp, p, p] -> (gt·gh·gw, C·tp·p·p) for a still image, where the
 * tp frames are identical copies. Writes into `out` at `offset` (rows of C·tp·p·p floats).
 * `chw` is float32 [C, H, W] with H, W multiples of patchSize·mergeSize.
 */
export function patchifyInto(
  chw: Float32Array,
  channels: number,
  height: number,
  width: number,
  opts: PatchifyOptions,
  out: Float32Array,
  offset: number,
): { gridT: number; gridH: number; gridW: number } {
  const { patchSize: p, mergeSize: m, temporalPatchSize: tp } = opts;
  if (height % (p * m) !== 0 || width % (p * m) !== 0) {
    throw new Error(`patchify: image ${width}x${height} (W x H) is not a multiple of ${p * m}`);
  }
  const gh = height / p;
  const gw = width / p;
  const rowLen = channels * tp * p * p;
  if (out.length < offset + gh * gw * rowLen) {
    throw new Error(`patchify: output buffer too small (${out.length} < ${offset + gh * gw * rowLen})`);
  }
  let o = offset;
  for (let bh = 0; bh < gh / m; bh++) {
    for (let bw = 0; bw < gw / m; bw++) {
      for (let mh = 0; mh < m; mh++) {
        for (let mw = 0; mw < m; mw++) {
          const y0 = (bh * m + mh) * p;
          const x0 = (bw * m + mw) * p;
          for (let c = 0; c < channels; c++) {
            const plane = c * height * width;
            // The tp frames of a still image are the same picture.
            for (let t = 0; t < tp; t++) {
              for (let py = 0; py < p; py++) {
                const src = plane + (y0 + py) * width + x0;
                out.set(chw.subarray(src, src + p), o);
                o += p;
              }
            }
          }
        }
      }
    }
  }
  return { gridT: 1, gridH: gh, gridW: gw };
}
