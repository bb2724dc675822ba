/**
 * Summary tables for the console and for markdown reports: a plain renderer plus a
 * first/last/min/max/mean summary of metric series read from metrics.jsonl.
 */

/** A table cell: numbers are formatted with formatNumber, null/undefined print as "-". */
export type Cell = string | number | null | undefined;

/** Compact number formatting: integers as is, else 4 significant digits, tiny/huge in e-notation. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

const cellText = (c: Cell): string => (c === null || c === undefined ? '-' : typeof c === 'number' ? formatNumber(c) : c);
const isNumeric = (c: Cell): boolean => typeof c === 'number';

/** Markdown (GitHub) table; numeric columns are right-aligned. */
export function markdownTable(headers: string[], rows: Cell[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const numericCol = headers.map((_, j) => rows.length > 0 && rows.every((r) => r[j] === null || r[j] === undefined || isNumeric(r[j])));
  const lines = [
    `| ${headers.map(esc).join(' | ')} |`,
    `|${numericCol.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${headers.map((_, j) => esc(cellText(r[j]))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Fixed-width text table for the console; numeric cells right-aligned. */
export function consoleTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => headers.map((_, j) => cellText(r[j])));
  const widths = headers.map((h, j) => Math.max(h.length, ...text.map((r) => r[j].length)));
  const fmt = (cells: string[], raw?: Cell[]) =>
    cells.map((c, j) => (raw && isNumeric(raw[j]) ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map((r, i) => fmt(r, rows[i]))].join('\n');
}

/** Statistics of one metric over a run. */
export interface MetricSummary {
  metric: string;
  count: number;
  first: number;
  last: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * Summarises each metric over the rows (e.g. the lines of metrics.jsonl). Rows lacking a
 * metric, or holding a non-finite value, are skipped for that metric.
 */
export function summarizeMetrics(rows: Array<Record<string, unknown>>, metrics?: string[]): MetricSummary[] {
  const names = metrics ?? [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'step' && k !== 'wall_time');
  const out: MetricSummary[] = [];
  for (const metric of names) {
    const vals = rows.map((r) => r[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (vals.length === 0) continue;
    out.push({
      metric, count: vals.length, first: vals[0], last: vals[vals.length - 1],
      min: Math.min(...vals), max: Math.max(...vals), mean: vals.reduce((a, b) => a + b, 0) / vals.length,
    });
  }
  return out;
}

/** summarizeMetrics rendered as a markdown or console table. */
export function summaryTable(rows: Array<Record<string, unknown>>, metrics?: string[], style: 'markdown' | 'console' = 'console'): string {
  const s = summarizeMetrics(rows, metrics);
  const headers = ['metric', 'n', 'first', 'last', 'min', 'max', 'mean'];
  const cells = s.map((m) => [m.metric, m.count, m.first, m.last, m.min, m.max, m.mean]);
  return style === 'markdown' ? markdownTable(headers, cells) : consoleTable(headers, cells);
}
