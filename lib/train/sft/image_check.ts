/**
 * The load-time image check of SFT records, as the RL datasets do it (lib/data/image_source.ts):
 * a missing file, an unknown format, a truncated file, an unreadable header or more pixels than
 * data.image_pixel_limit makes the record a bad row, reported and left out before training.
 */
import { rowOfId } from '../../data/dataset.js';
import { checkImageSource } from '../../data/image_source.js';
import type { SftBadRow, SftRecord } from './data.js';

/** The records whose images pass the check, in order; the others go to `onBad`. */
export async function withCheckedImages(records: readonly SftRecord[], pixelLimit: number, onBad: (b: SftBadRow) => void, chunk = 64): Promise<SftRecord[]> {
  const out: SftRecord[] = [];
  // Files shared by several records (the three styles of one world row) are checked once.
  const seen = new Map<string, Promise<string | null>>();
  const check = (r: SftRecord) => Promise.all(r.images.map((im) => {
    if (im.kind === 'bytes') return checkImageSource(im, pixelLimit);
    let p = seen.get(im.path);
    if (!p) seen.set(im.path, (p = checkImageSource(im, pixelLimit)));
    return p;
  }));
  for (let k = 0; k < records.length; k += chunk) {
    const part = records.slice(k, k + chunk);
    const reasons = await Promise.all(part.map(async (r) => (await check(r)).find((why) => why !== null) ?? null));
    part.forEach((r, i) => {
      if (reasons[i] === null) out.push(r);
      else onBad({ ...rowOfId(r.id, -1), reason: reasons[i]! });
    });
  }
  return out;
}
