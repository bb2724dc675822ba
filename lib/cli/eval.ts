/**
 * `vsr1 eval --model DIR --data FILE [--config FILE.yaml] [--by COLUMN] [--items N] [--out FILE]`:
 * greedy evaluation of a checkpoint on a dataset (accuracy, format, description accuracy and the
 * language-shortcut rate), with the prompts and settings of a training config, optionally broken
 * down by a dataset column (the built-in world's `family`).
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadTrainConfig } from '../config/index.js';
import { evaluateFile } from '../eval/evaluate_file.js';
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
    .action(async (o) => {
      if (o.threads !== undefined) setNumThreads(Number(o.threads));
      const cfg = loadTrainConfig(o.config, [`worker.actor.model.model_path=${o.model}`]);
      const stack = await loadStack({ weightsDir: o.model, dtype: o.dtype as DType, device: o.device, minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
      try {
        const r = await evaluateFile(stack, o.data, cfg, { limit: o.items === undefined ? undefined : Number(o.items), groupBy: o.by });
        const rows = [['all', String(r.n), pct(r.accuracy), pct(r.descriptionAccuracy)], ...Object.entries(r.groups ?? {}).map(([k, g]) => [k, String(g.n), pct(g.accuracy), pct(g.descriptionAccuracy)])];
        console.log(consoleTable([o.by ?? 'split', 'n', 'accuracy %', 'description acc. %'], rows));
        console.log(`format ${pct(r.format)}%, language-shortcut rate ${pct(r.languageShortcutRate)}%, mean response ${r.responseLength.toFixed(1)} tokens`);
        // World rows (a `scene` column): hallucination against the scene, per family.
        if (r.hallucination) console.log(`\n${familyTable(r)}`);
        if (o.out) writeFileSync(o.out, JSON.stringify(r, null, 2));
      } finally {
        stack.model.dispose();
      }
    });
}
