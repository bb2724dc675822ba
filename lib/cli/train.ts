/**
 * `vsr1 train --config FILE.yaml [key.path=value ...] [--profile [STEP]]`: Vision-SR1 GRPO
 * (docs/method.md, "Step pseudocode"). Schema and documented defaults: lib/config/train.ts; the reference recipe is
 * configs/train_vision_sr1.yaml, the built-in world's is configs/world_train.yaml. Resumes from
 * the newest complete checkpoint in the run folder unless trainer.resume=false.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { checkpointRoot, loadTrainConfig } from '../config/index.js';
import { runGrpo } from '../train/grpo/trainer.js';
import { setNumThreads } from '../torch/device.js';
import { splitSftArgs } from './sft.js';

export function register(program: Command): void {
  program
    .command('train')
    .description('GRPO with the Vision-SR1 self-reward (or the vision-r1 / no-self-reward / multi-reward presets) from a YAML config')
    .argument('[args...]', 'config file (or use --config) and key.path=value overrides')
    .option('--config <file>', 'YAML config (schema and defaults: lib/config/train.ts)')
    .option('--threads <n>', 'libtorch CPU threads')
    .option('--profile [step]', 'write a profiler trace (Chrome/Perfetto JSON) of one step (default step 1) to <run>/trace.json')
    .addHelpText('after', '\nExamples:\n  vsr1 train --config configs/world_train.yaml\n  vsr1 train --config configs/world_train.yaml trainer.max_steps=5 --profile 2\n')
    .action(async (args: string[], o: { config?: string; threads?: string; profile?: string | boolean }) => {
      const { config, overrides } = splitSftArgs(args, o.config);
      if (o.threads !== undefined) setNumThreads(Number(o.threads));
      const cfg = loadTrainConfig(config, overrides);
      const profileStep = o.profile === undefined || o.profile === false ? null : o.profile === true ? 1 : Number(o.profile);
      const r = await runGrpo(cfg, { profile: profileStep === null ? null : { step: profileStep, tracePath: join(checkpointRoot(cfg), 'trace.json') } });
      const f = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
      if (r.valBefore || r.valAfter) {
        console.log(`val accuracy ${f(r.valBefore?.accuracy)} -> ${f(r.valAfter?.accuracy)}; description accuracy ${f(r.valBefore?.descriptionAccuracy)} -> ${f(r.valAfter?.descriptionAccuracy)}`);
      }
      console.log(`train: ${r.steps} steps; run folder ${r.runDir}; final model ${r.finalModelDir}`);
    });
}
