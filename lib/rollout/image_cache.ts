/**
 * Decoded images kept in memory between steps. Training revisits the same images every epoch;
 * decoding a PNG costs more than processing its pixels, so file images are decoded once and
 * kept until a byte budget is used up (then later images are decoded on every use).
 */
import type { ImageSource } from '../data/image_source.js';
import { DEFAULT_IMAGE_PIXEL_LIMIT } from '../data/image_limit.js';
import { decodeImage, type DecodedImage } from '../models/qwen2_5_vl/image_decode.js';

export interface ImageCacheOptions {
  /** Budget for cached pixels (default 512 MiB). */
  maxBytes?: number;
  /** Images above this many pixels are refused (data.image_pixel_limit). */
  pixelLimit?: number;
}

export class DecodedImageCache {
  private readonly cache = new Map<string, DecodedImage>();
  /** Files that failed to decode, with the error: a bad image fails fast on every later use. */
  private readonly failed = new Map<string, Error>();
  private bytes = 0;
  readonly maxBytes: number;
  readonly pixelLimit: number;

  constructor(o: ImageCacheOptions = {}) {
    this.maxBytes = o.maxBytes ?? 512 * 2 ** 20;
    this.pixelLimit = o.pixelLimit ?? DEFAULT_IMAGE_PIXEL_LIMIT;
  }

  /** The decoded image of a dataset image source (errors name the file or the row's label). */
  async get(src: ImageSource, label?: string): Promise<DecodedImage> {
    if (src.kind === 'bytes') return decodeImage(src.bytes, label ?? src.path ?? undefined, this.pixelLimit);
    const hit = this.cache.get(src.path);
    if (hit) return hit;
    const known = this.failed.get(src.path);
    if (known) throw known;
    const img = await decodeImage(src.path, label ?? src.path, this.pixelLimit).catch((e: Error) => {
      this.failed.set(src.path, e);
      throw e;
    });
    if (this.bytes + img.data.length <= this.maxBytes) {
      this.cache.set(src.path, img);
      this.bytes += img.data.length;
    }
    return img;
  }

  /** Decodes several images concurrently (sharp runs them on libuv's thread pool). */
  getAll(srcs: readonly ImageSource[], label?: string): Promise<DecodedImage[]> {
    return Promise.all(srcs.map((s) => this.get(s, label)));
  }

  get size(): number {
    return this.cache.size;
  }
}
