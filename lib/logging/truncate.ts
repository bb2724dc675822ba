/**
 * Rewinding a run's JSONL logs to the step it resumes from. Steps after the checkpoint are
 * trained again, so their old lines (metrics.jsonl, samples.jsonl) would appear twice; they are
 * dropped before the writers reopen the files. Lines this code cannot read (not JSON, no
 * numeric `step`) are kept as they are, except a torn last line that a kill left unfinished.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The JSONL logs a trainer appends to in its run folder. */
export const RUN_LOGS = ['metrics.jsonl', 'samples.jsonl'] as const;

/** Drops the lines of `path` whose step is greater than `step`; returns how many. A missing file is 0. */
export function truncateJsonlAfterStep(path: string, step: number): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new Error(`${path}: cannot read it to rewind the log to step ${step} (${(e as Error).message})`);
  }
  const lines = text.split('\n');
  const torn = lines.pop() ?? ''; // after the last newline: '' or a line a kill cut short
  const kept = lines.filter((line) => !(stepOf(line) > step));
  const dropped = lines.length - kept.length + (torn ? 1 : 0);
  if (dropped === 0) return 0;
  // Written beside the log and renamed over it, so a crash here leaves the old log or the new one.
  const tmp = join(dirname(path), `.${basename(path)}.rewind-${process.pid}`);
  writeFileSync(tmp, kept.length ? `${kept.join('\n')}\n` : '');
  renameSync(tmp, path);
  return dropped;
}

function stepOf(line: string): number {
  try {
    const v = JSON.parse(line) as { step?: unknown };
    return typeof v.step === 'number' ? v.step : -Infinity;
  } catch {
    return -Infinity;
  }
}

/** Rewinds every log of a run folder to `step` and says what it dropped. */
export function rewindRunLogs(dir: string, files: readonly string[], step: number, log: (line: string) => void): void {
  for (const f of files) {
    const n = truncateJsonlAfterStep(join(dir, f), step);
    if (n) log(`resume: dropped ${n} line(s) after step ${step} from ${join(dir, f)} (those steps run again)`);
  }
}
