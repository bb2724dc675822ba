/**
 * Decoded images kept in memory between steps. Training revisits the same images every epoch;
 * decoding a PNG costs more than processing its pixels, so file images are decoded once and
 * kept until a byte budget is used up (then later images are decoded on every use).
 */
import type { ImageSource } from '../data/image_source.js';
import { decodeImage, type DecodedImage } from '../models/qwen2_5_vl/image_decode.js';

export class DecodedImageCache {
  private readonly cache = new Map<string, DecodedImage>();
  private bytes = 0;

  /** @param maxBytes budget for cached pixels (default 512 MiB) */
  constructor(readonly maxBytes = 512 * 2 ** 20) {}

  /** The decoded image of a dataset image source (errors name the file or the row's label). */
  async get(src: ImageSource, label?: string): Promise<DecodedImage> {
    if (src.kind === 'bytes') return decodeImage(src.bytes, label ?? src.path ?? undefined);
    const hit = this.cache.get(src.path);
    if (hit) return hit;
    const img = await decodeImage(src.path, label ?? src.path);
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
