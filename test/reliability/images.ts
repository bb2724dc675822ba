/**
 * Broken images for the reliability tests, made from a good PNG: pixel data damaged where only a
 * full decode sees it, and a header that claims a huge image (a decompression bomb's header).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of PNG chunks (ISO 3309). */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The PNG with the second half of its bytes (before the IEND tail) zeroed: header fine, pixels broken. */
export function damagedPixels(png: Buffer): Buffer {
  const out = Buffer.from(png);
  out.fill(0, png.length >> 1, png.length - 40);
  return out;
}

/** The PNG with an IHDR (checksum fixed) claiming `width` x `height` pixels. */
export function claimedSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29); // IHDR: type + 13 data bytes
  return out;
}

/** Overwrites the PNG file at `path` with `make(its bytes)`. */
export function spoil(path: string, make: (png: Buffer) => Buffer): void {
  writeFileSync(path, make(readFileSync(path)));
}

/** The parquet file's bytes with the data page of its second column (first row group) overwritten. */
export async function damagedParquetPage(path: string): Promise<Buffer> {
  const { openParquet } = await import('../../lib/data/parquet.js');
  const pf = await openParquet(path);
  const meta = pf.metadata.row_groups[0].columns[1].meta_data!;
  const at = Number(meta.data_page_offset), size = Number(meta.total_compressed_size);
  const out = Buffer.from(readFileSync(path));
  out.fill(0x55, at + 20, at + Math.min(size, 200));
  return out;
}
