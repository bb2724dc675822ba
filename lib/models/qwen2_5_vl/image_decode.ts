/**
 * Image decoding with sharp, plus the PIL mode the reference pipeline would see.
 *
 * EasyR1 resizes *before* converting to RGB (docs/method.md, "Pre-resize"), and PIL's resize depends on the
 * mode: palette and 1-bit images use NEAREST, images with an alpha band are resized with
 * premultiplied alpha. So besides the pixels we report the mode PIL would open the file in.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DEFAULT_IMAGE_PIXEL_LIMIT, pixelLimitProblem } from '../../data/image_limit.js';
import type { RawImage } from './resize_bicubic.js';

/** PIL modes that matter for resizing. Anything else is reported as its closest 8-bit mode. */
export type PilMode = '1' | 'L' | 'LA' | 'P' | 'RGB' | 'RGBA';

/** Decoded 8-bit pixels (1–4 interleaved channels as sharp delivers them) and their origin. */
export interface DecodedImage extends RawImage {
  /** The mode PIL would open the file in; decides how EasyR1's pre-resize resamples. */
  mode: PilMode;
  /** File path, or the caller's label for a buffer; used in error messages. */
  label: string;
  /** Container format reported by sharp (png, jpeg, webp, gif, ...). */
  format: string;
}

/**
 * Decodes a PNG/JPEG/WebP/GIF/... from a file path or bytes into 8-bit interleaved pixels.
 * No EXIF rotation and no ICC colour conversion are applied, matching `PIL.Image.open`.
 * A missing, empty, truncated, corrupt or too large (`pixelLimit`) image throws an Error naming it.
 */
export async function decodeImage(source: string | Uint8Array, label?: string, pixelLimit = DEFAULT_IMAGE_PIXEL_LIMIT): Promise<DecodedImage> {
  const name = label ?? (typeof source === 'string' ? source : '<buffer>');
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (e) {
      throw new Error(`cannot read image file ${name}: ${(e as Error).message}`);
    }
  } else {
    bytes = source;
  }
  if (bytes.length === 0) throw new Error(`cannot decode image ${name}: it is empty (0 bytes)`);
  try {
    // failOn 'truncated' refuses cut-off files as PIL does, but tolerates benign libjpeg warnings.
    const img = sharp(bytes, { failOn: 'truncated', ignoreIcc: true, autoOrient: false, limitInputPixels: false });
    const meta = await img.metadata();
    const tooLarge = pixelLimitProblem(meta.width ?? 0, meta.height ?? 0, pixelLimit);
    if (tooLarge) throw new Error(tooLarge);
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const format = meta.format ?? 'unknown';
    return {
      width: info.width,
      height: info.height,
      channels: info.channels,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      mode: pilMode(bytes, format, meta.isPalette === true, meta.bitsPerSample, info.channels, meta.hasAlpha === true),
      label: name,
      format,
    };
  } catch (e) {
    throw new Error(`cannot decode image ${name} (${bytes.length} bytes): ${(e as Error).message}`);
  }
}

/** PNG colour type from the IHDR chunk, or -1 when the bytes are not a PNG. */
function pngColorType(bytes: Uint8Array): { colorType: number; bitDepth: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 26 || sig.some((b, i) => bytes[i] !== b)) return null;
  return { bitDepth: bytes[24], colorType: bytes[25] };
}

function pilMode(
  bytes: Uint8Array,
  format: string,
  isPalette: boolean,
  bitsPerSample: number | undefined,
  channels: number,
  hasAlpha: boolean,
): PilMode {
  const png = format === 'png' ? pngColorType(bytes) : null;
  if (png) {
    // The colour type is authoritative: a tRNS chunk on a grey or RGB PNG makes sharp add an
    // alpha band, but PIL keeps the mode L / RGB (transparency only goes into .info).
    switch (png.colorType) {
      case 0:
        return png.bitDepth === 1 ? '1' : 'L';
      case 2:
        return 'RGB';
      case 3:
        return 'P';
      case 4:
        return 'LA';
      case 6:
        return 'RGBA';
    }
  }
  if (format === 'gif' || isPalette) return 'P';
  if (bitsPerSample === 1 && !hasAlpha) return '1';
  if (channels <= 2) return hasAlpha ? 'LA' : 'L';
  return hasAlpha ? 'RGBA' : 'RGB';
}
