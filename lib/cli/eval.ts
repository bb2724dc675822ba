/**
 * `vsr1 eval --model DIR --data FILE [--config FILE.yaml] [--by COLUMN] [--items N] [--out FILE]`:
 * greedy evaluation of a checkpoint on a dataset (accuracy, format, description accuracy and the
 * language-shortcut rate), with the prompts and settings of a training config, optionally broken
 * down by a dataset column (the built-in world's `family`). `--grade` picks the grading per item
 * (multiple choice, MathRuler, exact, judge), `--judge-url`/`--judge-policy` a judge for open
 * answers and descriptions; bad rows are counted and listed (lib/eval/cli_options.ts).
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadTrainConfig } from '../config/index.js';
import { evaluateFile } from '../eval/evaluate_file.js';
import { gradingOptions, gradingPlan, gradingReport } from '../eval/cli_options.js';
import { familyTable } from '../eval/family_table.js';
import { consoleTable } from '../report/index.js';
import { loadStack } from '../rollout/model_stack.js';
import { setNumThreads } from '../torch/device.js';
import type { DType } from '../torch/dtype.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (100 * x).toFixed(1));

export function register(program: Command): void {
  program
    .command('eval')
    .description('greedy evaluation of a checkpoint on a JSONL/parquet dataset, with the self-reward pass, optionally per column')
    .requiredOption('--model <dir>', 'checkpoint folder (Hugging Face layout)')
    .requiredOption('--data <file>', 'dataset file or folder (Vision-SR1-47K schema)')
    .option('--config <file>', 'training config whose prompts, response length and pixel budget are used', 'configs/world_train.yaml')
    .option('--by <column>', 'break accuracy down by this dataset column, JSONL or parquet (e.g. family)')
    .option('--items <n>', 'evaluate the first n rows (default all)')
    .option('--out <file>', 'also write the result (with every sample) as JSON')
    .option('--dtype <dtype>', 'float32 | bfloat16', 'float32')
    .option('--device <device>', 'cpu | cuda | cuda:N', 'cpu')
    .option('--threads <n>', 'libtorch CPU threads')
    .option('--grade <mode>', 'auto (options -> multiple choice, else MathRuler) | mathruler | mcq | exact | judge (rules, then the judge for open answers they reject)', 'auto')
    .option('--judge-url <url>', 'OpenAI-compatible endpoint base URL; POSTs to {url}/chat/completions')
    .option('--judge-model <name>', 'model name for --judge-url')
    .option('--judge-key-env <name>', 'environment variable holding the judge API key (sent as Bearer)', 'OPENAI_API_KEY')
    .option('--judge-timeout <seconds>', 'per-request timeout of --judge-url (2 retries on 5xx/network errors)', '30')
    .option('--judge-concurrency <n>', 'judge requests in flight', '4')
    .option('--judge-policy', 'use the evaluated policy itself as the judge (greedy, text only)')
    .option('--no-judge-descriptions', 'with a judge, do not ask it whether each description alone answers the question')
    .action(async (o) => {
      if (o.threads !== undefined) setNumThreads(Number(o.threads));
      const plan = gradingPlan(o);
      for (const note of plan.notes) console.error(note);
      const cfg = loadTrainConfig(o.config, [`worker.actor.model.model_path=${o.model}`]);
      const stack = await loadStack({ weightsDir: o.model, dtype: o.dtype as DType, device: o.device, minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
      try {
        const r = await evaluateFile(stack, o.data, cfg, { limit: o.items === undefined ? undefined : Number(o.items), groupBy: o.by, ...gradingOptions(plan, stack) });
        const rows = [['all', String(r.n), pct(r.accuracy), pct(r.descriptionAccuracy)], ...Object.entries(r.groups ?? {}).map(([k, g]) => [k, String(g.n), pct(g.accuracy), pct(g.descriptionAccuracy)])];
        console.log(consoleTable([o.by ?? 'split', 'n', 'accuracy %', 'description acc. %'], rows));
        console.log(`format ${pct(r.format)}%, language-shortcut rate ${pct(r.languageShortcutRate)}%, mean response ${r.responseLength.toFixed(1)} tokens`);
        // World rows (a `scene` column): hallucination against the scene, per family.
        if (r.hallucination) console.log(`\n${familyTable(r)}`);
        for (const line of gradingReport(r)) console.log(line);
        if (o.out) writeFileSync(o.out, JSON.stringify(r, null, 2));
      } finally {
        stack.model.dispose();
      }
    });
}
