/**
 * Append-only JSONL files written with one synchronous write per line, so every line is in
 * the OS the moment log() returns and a crash loses at most the line being written.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** An open JSONL file. Lines are appended; an existing file is continued, e.g. after a resume. */
export class JsonlWriter {
  private fd: number | null;

  /** Opens (creating folders as needed) `path` for appending. */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  /** Writes one value as one line. Non-finite numbers become null (JSON has no NaN). */
  write(value: unknown): void {
    if (this.fd === null) throw new Error(`JsonlWriter ${this.path}: write after close`);
    writeSync(this.fd, `${JSON.stringify(value)}\n`);
  }

  /** Forces the data to disk (fsync); write() already hands every line to the OS. */
  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/** One line per training step: `{"step": 3, "wall_time": 1712..., "loss": 0.1, ...}`. */
export class MetricsJsonl {
  private readonly out: JsonlWriter;

  constructor(path: string) {
    this.out = new JsonlWriter(path);
  }

  get path(): string {
    return this.out.path;
  }

  /** Logs the metrics of `step`; `wallTime` in seconds since the epoch (default now). */
  log(step: number, metrics: Record<string, number>, wallTime = Date.now() / 1000): void {
    this.out.write({ step, wall_time: wallTime, ...metrics });
  }

  close(): void {
    this.out.close();
  }
}
