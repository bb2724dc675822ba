/**
 * Bad rows of an evaluation file: rows the dataset rejected at load (invalid JSON, a missing
 * key, a missing image), and rows whose image fails to decode or whose answer is empty. An
 * evaluation counts and reports every one of them instead of skipping it in silence.
 */
import type { BadRow, Example } from '../data/dataset.js';
import type { DecodedImageCache } from '../rollout/image_cache.js';
import type { RolloutItem } from '../rollout/rollout.js';

export interface BadRowReport {
  count: number;
  /** The first `max` bad rows (file, row, reason). */
  rows: BadRow[];
}

/** `file:row` ids (the dataset's Example.id) back to a file and a row. */
function whereIs(e: Example): { file: string; row: number } {
  const k = e.id.lastIndexOf(':');
  return k < 0 ? { file: e.id, row: e.index } : { file: e.id.slice(0, k), row: Number(e.id.slice(k + 1)) };
}

/**
 * The rollout items of `examples`, in order, without the rows that cannot be evaluated (an empty
 * answer or problem, an image that does not decode); those come back in `bad` with the reason.
 */
export async function usableItems(examples: readonly Example[], images: DecodedImageCache): Promise<{ examples: Example[]; items: RolloutItem[]; bad: BadRow[] }> {
  const tried = await Promise.all(examples.map(async (e) => {
    if (!e.answer.trim()) return { e, reason: 'empty answer' };
    if (!e.problem.trim()) return { e, reason: 'empty problem' };
    try {
      return { e, item: { problem: e.problem, answer: e.answer, images: await images.getAll(e.images, e.id), id: e.id } as RolloutItem };
    } catch (err) {
      return { e, reason: `image does not decode: ${(err as Error).message}` };
    }
  }));
  const out = { examples: [] as Example[], items: [] as RolloutItem[], bad: [] as BadRow[] };
  for (const t of tried) {
    if (t.item) {
      out.examples.push(t.e);
      out.items.push(t.item);
    } else out.bad.push({ ...whereIs(t.e), reason: t.reason! });
  }
  return out;
}

/** Count and the first `max` rows, load-time ones first (they are in file order). */
export function badRowReport(load: readonly BadRow[], late: readonly BadRow[], max = 10): BadRowReport {
  const all = [...load, ...late];
  return { count: all.length, rows: all.slice(0, max) };
}

/** Lines for a printed report: the count and each listed row. */
export function formatBadRows(r: BadRowReport): string[] {
  if (r.count === 0) return ['bad rows: 0'];
  const lines = [`bad rows: ${r.count} (not evaluated)`, ...r.rows.map((b) => `  ${b.file}:${b.row}: ${b.reason}`)];
  if (r.count > r.rows.length) lines.push(`  ... and ${r.count - r.rows.length} more`);
  return lines;
}
