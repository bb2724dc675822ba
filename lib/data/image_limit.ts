/**
 * The decompression-bomb guard: images above this many pixels are refused before their pixels
 * are decoded. The default is PIL's error threshold (twice Image.MAX_IMAGE_PIXELS), so a header
 * claiming 30000 x 30000 cannot make the decoder allocate gigabytes. data.image_pixel_limit
 * sets it (in the SFT and RL configs; eval reads the RL config's).
 */
export const DEFAULT_IMAGE_PIXEL_LIMIT = 178_956_970;

/** The reason an image of these dimensions is refused, or null when it is within the limit. */
export function pixelLimitProblem(width: number, height: number, limit: number): string | null {
  const n = width * height;
  return n > limit ? `${width} x ${height} = ${n} pixels is above the limit of ${limit} (data.image_pixel_limit; a decompression-bomb guard)` : null;
}
