/**
 * One call per step sends the step's metrics to every configured sink (trainer.logger:
 * console, jsonl, tensorboard). Files go under the run's log folder.
 */
import { join } from 'node:path';
import type { LoggerName } from '../config/common.js';
import { formatNumber } from '../report/table.js';
import { MetricsJsonl } from './jsonl.js';
import { type TensorBoardSample, writeSampleSummaries } from './sample_summaries.js';
import { TensorBoardWriter } from './tensorboard.js';

/** `step 3 | loss 0.1234 | reward/overall 1.25` with metrics in insertion order. */
export function formatMetricsLine(step: number, metrics: Record<string, number>): string {
  return [`step ${step}`, ...Object.entries(metrics).map(([k, v]) => `${k} ${formatNumber(v)}`)].join(' | ');
}

export interface MetricsLoggerOptions {
  /** Folder for metrics.jsonl and the tensorboard/ event files. */
  dir: string;
  loggers: readonly LoggerName[];
  /** Console sink (default console.log). */
  print?: (line: string) => void;
}

/** Fans metrics out to the configured sinks. */
export class MetricsLogger {
  readonly jsonl: MetricsJsonl | null;
  readonly tensorboard: TensorBoardWriter | null;
  private readonly print: ((line: string) => void) | null;

  constructor(opts: MetricsLoggerOptions) {
    this.jsonl = opts.loggers.includes('jsonl') ? new MetricsJsonl(join(opts.dir, 'metrics.jsonl')) : null;
    this.tensorboard = opts.loggers.includes('tensorboard') ? new TensorBoardWriter(join(opts.dir, 'tensorboard')) : null;
    this.print = opts.loggers.includes('console') ? opts.print ?? ((l) => console.log(l)) : null;
  }

  /** Logs one step. Every sink gets the same wall time. */
  log(step: number, metrics: Record<string, number>): void {
    const wall = Date.now() / 1000;
    this.jsonl?.log(step, metrics, wall);
    this.tensorboard?.addScalars(metrics, step, wall);
    this.print?.(formatMetricsLine(step, metrics));
  }

  /** Logged generation samples as TensorBoard text and image summaries (a no-op without that sink). */
  logSamples(step: number, samples: readonly TensorBoardSample[], split: 'train' | 'val' = 'train'): void {
    if (this.tensorboard) writeSampleSummaries(this.tensorboard, step, samples, split);
  }

  close(): void {
    this.jsonl?.close();
    this.tensorboard?.close();
  }
}
