/**
 * `vsr1 pipeline`: the main job on the built-in world (world -> SFT -> Vision-SR1 GRPO ->
 * evaluation before and after RL -> summary table + curves PNG), on a CPU with no downloads.
 * See lib/jobs/pipeline.ts.
 */
import type { Command } from 'commander';
import { runPipeline } from '../jobs/pipeline.js';
import { QUICK } from '../jobs/pipeline_quick.js';
import { setNumThreads } from '../torch/device.js';

export function register(program: Command): void {
  program
    .command('pipeline')
    .description('main job on the built-in world: generate it, cold-start SFT a tiny model, Vision-SR1 GRPO, evaluate before/after, summary table and curves PNG')
    .option('--out <dir>', 'output folder (world, checkpoints, summary.md/json, curves.png); --quick defaults to runs/pipeline-quick')
    .option('--sft-config <file>', 'SFT config', 'configs/world_sft.yaml')
    .option('--train-config <file>', 'GRPO config (default: the 32-prompt recipe the study measured)', 'configs/world_train_b32.yaml')
    .option('--seeds <list>', 'GRPO seeds, comma-separated: one GRPO run per seed from the same SFT model', '0')
    .option('--eval-items <n>', 'items per held-out split to evaluate (default: all)')
    .option('--threads <n>', 'libtorch CPU threads', '2')
    .option('--quick', 'a ~2-minute version for a first look: small world, short SFT, 6 GRPO steps, 150 items per split (numbers mean little)')
    .option('--sft <override...>', 'SFT config overrides (key.path=value)')
    .option('--train <override...>', 'GRPO config overrides (key.path=value)')
    .action(async (o) => {
      setNumThreads(Number(o.threads));
      o.out ??= o.quick ? 'runs/pipeline-quick' : 'runs/pipeline';
      const r = await runPipeline({
        out: o.out, sftConfig: o.sftConfig, trainConfig: o.trainConfig, seeds: String(o.seeds).split(',').map((x: string) => Number(x.trim())),
        evalItems: o.evalItems !== undefined ? Number(o.evalItems) : o.quick ? QUICK.evalItems : undefined,
        sftOverrides: [...(o.quick ? QUICK.sft : []), ...(o.sft ?? [])], trainOverrides: [...(o.quick ? QUICK.train : []), ...(o.train ?? [])],
      });
      console.log(`\n${r.table}`);
      const s = r.seconds;
      console.log(`time: SFT ${s.sft.toFixed(0)} s, GRPO ${s.grpo.toFixed(0)} s, evaluation ${s.eval.toFixed(0)} s, total ${(s.total / 60).toFixed(1)} min`);
      console.log(`wrote ${o.out}/summary.md, ${o.out}/summary.json, ${o.out}/curves.png`);
    });
}
