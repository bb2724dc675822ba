/**
 * Dataset examples -> rollout items, keeping out the rows that cannot be used: an empty answer
 * or problem, an image that does not decode (damaged pixel data that the load-time header check
 * cannot see, or more pixels than the limit). Those come back as bad rows with the reason, so a
 * trainer skips and counts them and an evaluation reports them; neither stops.
 */
import { rowOfId, type BadRow, type Example } from '../data/dataset.js';
import type { DecodedImageCache } from './image_cache.js';
import type { RolloutItem } from './rollout.js';

/** The usable part of a batch of examples (in order) and the rows left out. */
export interface UsableItems {
  examples: Example[];
  items: RolloutItem[];
  bad: BadRow[];
}

/** Turns examples into rollout items through `images`; see UsableItems. */
export type ItemsOf = (examples: readonly Example[]) => Promise<UsableItems>;

export async function usableItems(examples: readonly Example[], images: DecodedImageCache): Promise<UsableItems> {
  const tried = await Promise.all(examples.map(async (e) => {
    if (!e.answer.trim()) return { e, reason: 'empty answer' };
    if (!e.problem.trim()) return { e, reason: 'empty problem' };
    try {
      return { e, item: { problem: e.problem, answer: e.answer, images: await images.getAll(e.images, e.id), id: e.id } as RolloutItem };
    } catch (err) {
      return { e, reason: `image does not decode: ${(err as Error).message}` };
    }
  }));
  const out: UsableItems = { examples: [], items: [], bad: [] };
  for (const t of tried) {
    if (t.item) {
      out.examples.push(t.e);
      out.items.push(t.item);
    } else out.bad.push({ ...rowOfId(t.e.id, t.e.index), reason: t.reason! });
  }
  return out;
}

/** A log line per bad row: `<what>: skipped file:row: reason`. */
export function skippedLines(what: string, bad: readonly BadRow[]): string[] {
  return bad.map((b) => `${what}: skipped ${b.file}:${b.row}: ${b.reason}`);
}
