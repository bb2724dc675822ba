/**
 * `vsr1 sft --config FILE.yaml [key.path=value ...]`: cold-start supervised fine-tuning
 * (docs/method.md, "Cold-start SFT"). The config schema and its documented defaults are in lib/config/sft.ts; dotted
 * overrides follow the file (e.g. `trainer.max_steps=100 optim.lr=1e-3`).
 *
 *   vsr1 sft --config configs/world_sft.yaml        built-in world: generates the world and a
 *                                                   random tiny model when missing, then trains
 *   vsr1 sft --config configs/sft_cold_start.yaml   the released recipe (Cold-9K, 7B)
 *
 * A run resumes from the newest complete checkpoint in trainer.save_checkpoint_path unless
 * trainer.resume=false. Ctrl-C (SIGINT/SIGTERM) finishes the current step, saves a checkpoint
 * and exits; a second Ctrl-C exits at once.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { join } from 'node:path';
import { checkpointRoot, loadSftConfig } from '../config/load.js';
import { runSft } from '../train/sft/sft.js';

/** Splits the positional arguments into a config file and dotted overrides. */
export function splitSftArgs(args: readonly string[], configOpt?: string): { config: string; overrides: string[] } {
  const overrides = args.filter((a) => a.includes('='));
  const files = args.filter((a) => !a.includes('='));
  if (configOpt && files.length) throw new Error(`unexpected argument "${files[0]}" (the config is already --config ${configOpt}); overrides look like key.path=value`);
  if (files.length > 1) throw new Error(`expected one config file, got ${files.join(', ')}`);
  const config = configOpt ?? files[0];
  if (!config) throw new Error('no config: pass --config FILE.yaml (e.g. configs/world_sft.yaml)');
  return { config, overrides };
}

export function register(program: Command): void {
  program
    .command('sft')
    .description('cold-start supervised fine-tuning (see-think, CoT, caption-reasoner styles) from a YAML config')
    .argument('[args...]', 'config file (or use --config) and key.path=value overrides')
    .option('--config <file>', 'YAML config (schema and defaults: lib/config/sft.ts)')
    .option('--threads <n>', 'libtorch CPU threads (same as trainer.num_threads=N)')
    .option('--print-config', 'print the resolved config (every default filled in) as YAML and exit')
    .option('--profile [step]', 'write a profiler trace (Chrome/Perfetto JSON) of one step (default step 1) to <run>/trace.json')
    .addHelpText('after', '\nExamples:\n  vsr1 sft --config configs/world_sft.yaml\n  vsr1 sft --config configs/world_sft.yaml trainer.max_steps=100 trainer.resume=false\n')
    .action(async (args: string[], o: { config?: string; threads?: string; printConfig?: boolean; profile?: string | boolean }) => {
      const { config, overrides } = splitSftArgs(args, o.config);
      if (o.threads !== undefined) overrides.push(`trainer.num_threads=${o.threads}`);
      const cfg = loadSftConfig(config, overrides);
      if (o.printConfig) {
        process.stdout.write(stringify(cfg));
        return;
      }
      let stop: 'save' | false = false;
      const onSignal = () => {
        if (stop) process.exit(130);
        stop = 'save';
        console.error('\nvsr1 sft: stopping after this step (a checkpoint will be saved); press Ctrl-C again to exit now');
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const profileStep = o.profile === undefined || o.profile === false ? null : o.profile === true ? 1 : Number(o.profile);
        if (profileStep !== null && !(Number.isInteger(profileStep) && profileStep >= 1)) throw new Error(`sft: --profile takes a step number >= 1, got '${o.profile}'`);
        const r = await runSft(cfg, { shouldStop: () => stop, profile: profileStep === null ? null : { step: profileStep, tracePath: join(checkpointRoot(cfg), 'trace.json') } });
        const v = r.validation;
        console.log(
          `sft: ${r.stopped ? 'stopped' : 'finished'} at step ${r.step}/${r.totalSteps} in ${r.seconds.toFixed(1)} s; last loss ${r.lastLoss.toFixed(4)}` +
            (v ? `; val format ${(100 * v.format).toFixed(1)}%, accuracy ${(100 * v.accuracy).toFixed(1)}% (${v.n} items)` : '') +
            (r.textOnlyBaseline !== null ? `; text-only baseline ${(100 * r.textOnlyBaseline).toFixed(1)}%` : ''),
        );
        if (r.checkpointDir) console.log(`checkpoint: ${r.checkpointDir}`);
        if (r.modelDir) console.log(`model: ${r.modelDir}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
