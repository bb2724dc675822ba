/**
 * `vsr1 profile --config FILE.yaml [key.path=value ...] [--steps N] [--phase rollout|pass2|logprobs|update]`:
 * runs N GRPO steps of the config (nothing saved, no validation), prints a per-phase table
 * (seconds, share of the step, tokens/s, peak memory) and writes a Chrome/Perfetto trace of the
 * last step, or of one phase of it, to <run folder>/profile/trace*.json (lib/jobs/profile.ts).
 */
import type { Command } from 'commander';
import { loadTrainConfig } from '../config/index.js';
import { profileGrpo, profileTable } from '../jobs/profile.js';
import { setNumThreads } from '../torch/device.js';
import { TRACED_PHASES, type TracedPhase } from '../train/grpo/trainer.js';
import { splitSftArgs } from './sft.js';

export function register(program: Command): void {
  program
    .command('profile')
    .description('time a few GRPO steps of a config by phase and write a profiler trace of the last one')
    .argument('[args...]', 'config file (or use --config) and key.path=value overrides')
    .option('--config <file>', 'YAML config (schema and defaults: lib/config/train.ts)')
    .option('--steps <n>', 'steps to run; the first warms up and is left out of the medians when there are more', '3')
    .option('--phase <phase>', `trace only this phase of the last step (${TRACED_PHASES.join(' | ')}); default the whole step`)
    .option('--nvtx', 'emit every op and phase as an NVTX range for Nsight Systems (nsys profile ...) instead of writing a trace; CUDA only')
    .option('--threads <n>', 'libtorch CPU threads')
    .addHelpText('after', '\nExamples:\n  vsr1 profile --config configs/world_train.yaml --steps 3\n  vsr1 profile --config configs/world_train.yaml --phase pass2\n  nsys profile -t cuda,nvtx vsr1 profile --config FILE trainer.device=cuda --nvtx\n')
    .action(async (args: string[], o: { config?: string; steps: string; phase?: string; threads?: string; nvtx?: boolean }) => {
      if (o.phase !== undefined && !(TRACED_PHASES as readonly string[]).includes(o.phase)) throw new Error(`profile: --phase must be one of ${TRACED_PHASES.join(', ')}, got '${o.phase}'`);
      const steps = Number(o.steps);
      if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`profile: --steps must be an integer >= 1, got '${o.steps}'`);
      const { config, overrides } = splitSftArgs(args, o.config);
      if (o.threads !== undefined) setNumThreads(Number(o.threads));
      const r = await profileGrpo(loadTrainConfig(config, overrides), { steps, phase: (o.phase ?? null) as TracedPhase | null, nvtx: o.nvtx ?? false });
      console.log(profileTable(r));
      console.log(r.tracePath ? `trace: ${r.tracePath} (Chrome/Perfetto JSON)` : 'NVTX ranges went to the profiler running this process (no trace file)');
    });
}
