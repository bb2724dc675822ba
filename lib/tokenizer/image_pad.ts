/**
 * Expansion of `<|image_pad|>` placeholders (docs/method.md, "Tokens and chat template"): the chat template emits one pad per
 * image; the training forward pass needs t·h·w/merge² pads per image. vLLM-style raw prompt
 * ids keep the single pad, so both forms are kept around.
 */

/** Grid of one image in patch units, as produced by the image processor. */
export type GridThw = readonly [number, number, number] | readonly number[];

/** Number of LLM tokens an image grid occupies. */
export function padCountForGrid(grid: GridThw, mergeSize = 2, what = 'image'): number {
  if (grid.length !== 3 || grid.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${what}: grid_thw must be 3 positive integers, got ${JSON.stringify(grid)}`);
  }
  const n = (grid[0] * grid[1] * grid[2]) / (mergeSize * mergeSize);
  if (!Number.isInteger(n)) throw new Error(`${what}: grid_thw ${JSON.stringify(grid)} is not divisible by merge_size² = ${mergeSize * mergeSize}`);
  return n;
}

/**
 * Replaces the i-th occurrence of `padToken` in `text` with padCount(grids[i]) copies.
 * Throws when the number of placeholders and grids differ.
 */
export function expandImagePadsInText(
  text: string,
  grids: readonly GridThw[],
  opts: { mergeSize?: number; padToken?: string } = {},
): string {
  const pad = opts.padToken ?? '<|image_pad|>';
  const parts = text.split(pad);
  const found = parts.length - 1;
  if (found !== grids.length) {
    throw new Error(`image pad expansion: the text has ${found} ${pad} placeholder(s) but ${grids.length} image grid(s) were given`);
  }
  let out = parts[0];
  for (let i = 0; i < grids.length; i++) {
    out += pad.repeat(padCountForGrid(grids[i], opts.mergeSize ?? 2, `image ${i}`)) + parts[i + 1];
  }
  return out;
}

/**
 * Id-level version of {@link expandImagePadsInText}: every `imagePadId` in `ids` stands for one
 * image and is repeated padCount(grids[i]) times.
 */
export function expandImagePadIds(
  ids: ArrayLike<number>,
  grids: readonly GridThw[],
  opts: { imagePadId: number; mergeSize?: number },
): number[] {
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== opts.imagePadId) {
      out.push(ids[i]);
      continue;
    }
    if (k >= grids.length) throw new Error(`image pad expansion: more image pad ids than the ${grids.length} image grid(s) given`);
    const n = padCountForGrid(grids[k], opts.mergeSize ?? 2, `image ${k}`);
    for (let j = 0; j < n; j++) out.push(opts.imagePadId);
    k++;
  }
  if (k !== grids.length) throw new Error(`image pad expansion: the ids have ${k} image pad(s) but ${grids.length} image grid(s) were given`);
  return out;
}
