/**
 * Images of a dataset row before decoding: a file on disk or encoded bytes (as in Hugging Face
 * parquet shards). A broken image is caught here, cheaply, without decoding the pixels: the
 * file must exist, start with a known image signature, PNG/JPEG files must not be cut short,
 * and the header (read by sharp) must give dimensions within the pixel limit. Damage inside
 * the pixel data only shows when decoding; the trainers skip such a sample at first use.
 */
import { open, readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_IMAGE_PIXEL_LIMIT, pixelLimitProblem } from './image_limit.js';

/** Encoded formats recognised by their first bytes. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff';

/** An image not yet decoded. `path` of a bytes source is informational (HF keeps the original name). */
export type ImageSource =
  | { kind: 'file'; path: string }
  | { kind: 'bytes'; bytes: Uint8Array; path?: string | null };

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The format named by the first bytes (12 are enough), or null when none matches. */
export function sniffImageFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, ascii('BM'))) return 'bmp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return null;
}

const TAIL = 4096;

/**
 * Why the encoded image looks broken, or null when it looks fine. `head` is the first bytes,
 * `tail` the last TAIL bytes (may overlap head for small files), `size` the total length.
 * A truncated download is the usual corruption: PNG must keep its IEND chunk and JPEG its
 * end-of-image marker near the end (a little trailing junk is tolerated).
 */
export function checkEncodedImage(head: Uint8Array, tail: Uint8Array, size: number): string | null {
  if (size === 0) return 'empty image';
  const fmt = sniffImageFormat(head);
  if (!fmt) {
    const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return `not a recognised image format (first bytes ${hex})`;
  }
  if (fmt === 'png' && !hasSequence(tail.subarray(Math.max(0, tail.length - 64)), ascii('IEND'))) return 'truncated PNG (no IEND chunk at the end)';
  if (fmt === 'jpeg' && !hasSequence(tail, [0xff, 0xd9])) return 'truncated JPEG (no end-of-image marker)';
  return null;
}

function hasSequence(hay: Uint8Array, needle: number[]): boolean {
  outer: for (let i = hay.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function base64Bytes(s: string): Uint8Array | null {
  if (s.length < 8 || !/^[A-Za-z0-9+/=\s]+$/.test(s)) return null;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/**
 * Reads one image cell of a row. Accepted: a path string (relative paths resolve against
 * `baseDir`, the data file's folder); raw bytes; `{bytes, path}` as written by HF `datasets`
 * (bytes win; null bytes fall back to the path); in JSON, `{bytes: "<base64>"}`.
 * Throws an Error whose message is the reason, for the bad-row report.
 */
export function imageFromCell(cell: unknown, baseDir: string): ImageSource {
  if (typeof cell === 'string') {
    if (cell.length === 0) throw new Error('empty image path');
    return { kind: 'file', path: isAbsolute(cell) ? cell : resolve(baseDir, cell) };
  }
  if (cell instanceof Uint8Array) return { kind: 'bytes', bytes: cell };
  if (cell && typeof cell === 'object' && !Array.isArray(cell)) {
    const { bytes, path } = cell as { bytes?: unknown; path?: unknown };
    const p = typeof path === 'string' && path.length > 0 ? path : null;
    if (bytes instanceof Uint8Array && bytes.length > 0) return { kind: 'bytes', bytes, path: p };
    if (typeof bytes === 'string') {
      const b = base64Bytes(bytes);
      if (!b) throw new Error('image "bytes" is a string but not base64');
      return { kind: 'bytes', bytes: b, path: p };
    }
    if ((bytes === null || bytes === undefined || (bytes instanceof Uint8Array && bytes.length === 0)) && p) return imageFromCell(p, baseDir);
    throw new Error('image {bytes, path} has neither bytes nor a path');
  }
  const got = cell === null ? 'null' : Array.isArray(cell) ? 'a nested list' : typeof cell;
  throw new Error(`image must be a path, bytes or {bytes, path}, received ${got}`);
}

/**
 * Why the image is unusable (missing file, unknown format, truncated, an unreadable header, more
 * pixels than `pixelLimit`), or null when it looks fine.
 */
export async function checkImageSource(src: ImageSource, pixelLimit = DEFAULT_IMAGE_PIXEL_LIMIT): Promise<string | null> {
  const framing = await checkFraming(src);
  if (framing) return framing;
  const where = src.kind === 'file' ? `: ${src.path}` : '';
  try {
    const meta = await sharp(src.kind === 'file' ? src.path : src.bytes, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) return `image header gives no dimensions${where}`;
    const big = pixelLimitProblem(meta.width, meta.height, pixelLimit);
    return big && `${big}${where}`;
  } catch (e) {
    return `unreadable image header (${(e as Error).message})${where}`;
  }
}

/** The signature and end-of-file checks of checkImageSource. */
async function checkFraming(src: ImageSource): Promise<string | null> {
  if (src.kind === 'bytes') return checkEncodedImage(src.bytes.subarray(0, 16), src.bytes.subarray(Math.max(0, src.bytes.length - TAIL)), src.bytes.length);
  let fh;
  try {
    fh = await open(src.path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `image file not found: ${src.path}` : `image file unreadable (${code}): ${src.path}`;
  }
  try {
    const { size } = await fh.stat();
    const head = new Uint8Array(Math.min(16, size));
    await fh.read(head, 0, head.length, 0);
    const tail = new Uint8Array(Math.min(TAIL, size));
    await fh.read(tail, 0, tail.length, size - tail.length);
    const why = checkEncodedImage(head, tail, size);
    return why && `${why}: ${src.path}`;
  } finally {
    await fh.close();
  }
}

/** The encoded bytes of an image (reads the file for a file source). */
export async function readImageBytes(src: ImageSource): Promise<Uint8Array> {
  if (src.kind === 'bytes') return src.bytes;
  return new Uint8Array(await readFile(src.path));
}
