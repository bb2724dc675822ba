/**
 * PIL's mode-dependent behaviour of `Image.resize` and `Image.convert("RGB")`, for the EasyR1
 * pre-resize that runs before the RGB conversion (docs/method.md, "Pre-resize" and "Image resize details").
 */
import type { DecodedImage, PilMode } from './image_decode.js';
import { DEFAULT_PASS_ORDER, resizeBicubicPil, resizeNearestPil, type PillowPassOrder, type RawImage } from './resize_bicubic.js';

/** Pillow's MULDIV255: round(a·b/255) with integer shifts. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** RGBA -> RGBa (Pillow `rgbA2rgba`): colour bands multiplied by alpha; the last band is alpha. */
export function premultiplyAlpha(img: RawImage): RawImage {
  const ch = img.channels;
  const out = new Uint8Array(img.data.length);
  for (let p = 0; p < img.data.length; p += ch) {
    const a = img.data[p + ch - 1];
    for (let c = 0; c < ch - 1; c++) out[p + c] = mulDiv255(img.data[p + c], a);
    out[p + ch - 1] = a;
  }
  return { ...img, data: out };
}

/** RGBa -> RGBA (Pillow `rgba2rgbA`): divide by alpha, except where alpha is 0 or 255. */
export function unpremultiplyAlpha(img: RawImage): RawImage {
  const ch = img.channels;
  const out = new Uint8Array(img.data.length);
  for (let p = 0; p < img.data.length; p += ch) {
    const a = img.data[p + ch - 1];
    for (let c = 0; c < ch - 1; c++) {
      const v = img.data[p + c];
      out[p + c] = a === 255 || a === 0 ? v : Math.min(255, Math.trunc((255 * v) / a));
    }
    out[p + ch - 1] = a;
  }
  return { ...img, data: out };
}

/**
 * `Image.resize((w, h))` with the default filter (BICUBIC) as PIL applies it to an image of
 * `mode`: NEAREST for "P" and "1", premultiplied alpha for "LA"/"RGBA", plain bicubic otherwise.
 */
export function pilResizeDefault(
  img: RawImage,
  mode: PilMode,
  width: number,
  height: number,
  order: PillowPassOrder = DEFAULT_PASS_ORDER,
): RawImage {
  if (mode === 'P' || mode === '1') return resizeNearestPil(img, width, height);
  const hasAlphaBand = img.channels === 2 || img.channels === 4;
  if ((mode === 'LA' || mode === 'RGBA') && hasAlphaBand) {
    if (width === img.width && height === img.height) return { ...img, data: img.data.slice() };
    return unpremultiplyAlpha(resizeBicubicPil(premultiplyAlpha(img), width, height, order));
  }
  return resizeBicubicPil(img, width, height, order);
}

/**
 * `Image.convert("RGB")` on decoded pixels: grey is replicated, alpha is dropped (PIL does
 * not composite onto a background). Returns 3-channel interleaved pixels.
 */
export function toRgb(img: RawImage): RawImage {
  const ch = img.channels;
  if (ch === 3) return img;
  if (ch < 1 || ch > 4) throw new Error(`toRgb: unsupported channel count ${ch}`);
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const p = i * ch;
    if (ch <= 2) {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = img.data[p];
    } else {
      out[i * 3] = img.data[p];
      out[i * 3 + 1] = img.data[p + 1];
      out[i * 3 + 2] = img.data[p + 2];
    }
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** A decoded image as an RGB RawImage, with no resizing. */
export function decodedToRgb(img: DecodedImage): RawImage {
  return toRgb({ width: img.width, height: img.height, channels: img.channels, data: img.data });
}
