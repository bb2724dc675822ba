/**
 * Bad rows of an evaluation file: rows the dataset rejected at load (invalid JSON, a missing
 * key, a missing image), and rows whose image fails to decode or whose answer is empty
 * (lib/rollout/usable_items.ts). An evaluation counts and reports every one of them instead
 * of skipping it in silence.
 */
import type { BadRow } from '../data/dataset.js';

export interface BadRowReport {
  count: number;
  /** The first `max` bad rows (file, row, reason). */
  rows: BadRow[];
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
