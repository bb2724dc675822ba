/**
 * Reads objects back from rendered pixels, for the tests: label each pixel with the nearest
 * palette colour (or background), find 4-connected blobs, and classify each blob's size
 * (bounding-box extent), shape (fill ratio and aspect of its bounding box) and band. The
 * palette values are copied here on purpose rather than imported.
 */
import sharp from 'sharp';
import type { Obj } from './solver.js';

const PALETTE: Array<[string, [number, number, number]]> = [
  ['red', [220, 40, 40]],
  ['blue', [40, 80, 220]],
  ['green', [30, 160, 60]],
  ['yellow', [235, 190, 20]],
  ['purple', [150, 50, 190]],
];

export interface Blob extends Obj {
  pixels: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
  drop: number;
}

export async function decodeRgb(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Blobs sorted left to right by centroid. */
export async function blobsOf(png: Buffer): Promise<Blob[]> {
  const { data, width, height, channels } = await decodeRgb(png);
  const label = new Int8Array(width * height).fill(-1);
  for (let p = 0; p < width * height; p++) {
    const r = data[p * channels]!, g = data[p * channels + 1]!, b = data[p * channels + 2]!;
    let best = -1;
    let bestD = 45 * 45;
    PALETTE.forEach(([, [pr, pg, pb]], i) => {
      const d = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    });
    label[p] = best;
  }
  const seen = new Uint8Array(width * height);
  const blobs: Blob[] = [];
  for (let start = 0; start < width * height; start++) {
    if (label[start] === -1 || seen[start]) continue;
    const c = label[start]!;
    const stack = [start];
    seen[start] = 1;
    let n = 0, sx = 0, sy = 0, x0 = width, x1 = -1, y0 = height, y1 = -1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width, y = (p - x) / width;
      n++; sx += x; sy += y;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      for (const q of [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1]) {
        if (q >= 0 && !seen[q] && label[q] === c) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    if (n < 6) continue; // anti-aliasing fringe
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    const cx = sx / n + 0.5, cy = sy / n + 0.5;
    const s = width / 112;
    const fill = n / (w * h);
    const aspect = w / h;
    // Where the mass sits vertically: a triangle (apex up) is bottom-heavy, a star less so.
    const drop = (cy - y0) / h;
    let shape: string;
    if (fill > 0.88) shape = 'square';
    else if (fill > 0.66) shape = 'circle';
    else if (aspect < 0.88) shape = 'diamond';
    else shape = drop > 0.615 ? 'triangle' : 'star';
    blobs.push({
      colour: PALETTE[c]![0],
      size: Math.max(w, h) > 20 * s ? 'large' : 'small',
      shape,
      row: cy < height / 3 ? 'top' : cy < (2 * height) / 3 ? 'middle' : 'bottom',
      pixels: n,
      cx,
      cy,
      w,
      h,
      drop,
    });
  }
  return blobs.sort((a, b) => a.cx - b.cx);
}
