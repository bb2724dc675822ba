/**
 * `vsr1 report RUN_DIR [--out FILE] [--max-samples N] [--metrics LIST] [--eval FILE...]`: one
 * self-contained HTML page for a GRPO run, an SFT run or a pipeline output folder: training
 * curves, evaluation tables and a filterable gallery of logged samples (lib/report/html.ts).
 */
import type { Command } from 'commander';
import { writeReport } from '../report/index.js';
import { responseParts } from '../train/grpo/sample_log.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write RUN_DIR/report.html: training curves, evaluation tables and a gallery of samples filterable by shortcut cases (self-contained, opens offline)')
    .argument('<run_dir>', 'a GRPO or SFT run folder (metrics.jsonl, samples.jsonl) or a pipeline output folder (summary.json)')
    .option('--out <file>', 'output file (default RUN_DIR/report.html)')
    .option('--max-samples <n>', 'gallery cards at most; more samples are thinned evenly over the run', '200')
    .option('--metrics <list>', 'comma-separated metrics to plot (default: rewards, validation, KL, response length)')
    .option('--eval <file...>', 'evaluation results (vsr1 eval --out) to add as tables')
    .action(async (dir: string, o) => {
      const max = Number(o.maxSamples);
      if (!Number.isInteger(max) || max < 0) throw new Error(`--max-samples: expected a whole number >= 0, got ${o.maxSamples}`);
      const r = await writeReport(dir, {
        out: o.out, maxSamples: max, evalFiles: o.eval ?? [], parse: responseParts,
        metrics: o.metrics ? String(o.metrics).split(',').map((m: string) => m.trim()).filter(Boolean) : undefined,
      });
      console.log(`wrote ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB): ${r.plots} plot(s), ${r.tables} table(s), ${r.samples} of ${r.totalSamples} samples (${r.shortcutSamples} right answers from a wrong description)`);
    });
}
