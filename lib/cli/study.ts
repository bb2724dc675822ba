/**
 * `vsr1 study`: Vision-R1 vs no-self-reward vs Vision-SR1 vs multi-reward on the built-in world,
 * from one SFT model, over several GRPO seeds, evaluated on a fresh held-out world. Writes
 * study.md, study.json and study.png to --out. See lib/jobs/study.ts.
 */
import type { Command } from 'commander';
import { DEFAULT_EVAL_WORLD, runStudy, STUDY_ARM_NAMES, type StudyArm } from '../jobs/study.js';
import { setNumThreads } from '../torch/device.js';

const list = (s: string) => String(s).split(',').map((x) => x.trim()).filter(Boolean);

export function register(program: Command): void {
  program
    .command('study')
    .description('train Vision-R1, no-self-reward, Vision-SR1 and multi-reward from one SFT model over several seeds; evaluate all on a fresh held-out world (table + plot)')
    .option('--out <dir>', 'output folder (SFT model, each arm and seed, study.md/json/png); a rerun resumes', 'runs/study')
    .option('--seeds <list>', 'GRPO seeds, comma-separated', '0,1,2')
    .option('--extra-seeds <list>', 'seeds added to Vision-SR1 and to each arm whose accuracy range overlaps it on a split ("" for none)', '3,4')
    .option('--arms <list>', `arms, comma-separated (${STUDY_ARM_NAMES.join(', ')})`, STUDY_ARM_NAMES.join(','))
    .option('--sft-config <file>', 'SFT config', 'configs/world_sft.yaml')
    .option('--train-config <file>', 'GRPO config (each arm adds its preset and prompt)', 'configs/world_train_b32.yaml')
    .option('--eval-seed <n>', 'seed of the fresh held-out world', String(DEFAULT_EVAL_WORLD.seed))
    .option('--eval-test <n>', 'test items of the fresh world', String(DEFAULT_EVAL_WORLD.test))
    .option('--eval-shortcut <n>', 'test-shortcut items of the fresh world', String(DEFAULT_EVAL_WORLD.shortcut))
    .option('--eval-items <n>', 'evaluate at most n items per split (default all)')
    .option('--threads <n>', 'libtorch CPU threads', '2')
    .option('--sft <override...>', 'SFT config overrides (key.path=value)')
    .option('--train <override...>', 'GRPO config overrides for every arm (key.path=value)')
    .action(async (o) => {
      setNumThreads(Number(o.threads));
      const num = (k: string, v: string) => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new Error(`--${k}: expected a non-negative integer, got ${v}`); return n; };
      const seeds = list(o.seeds).map((s) => num('seeds', s));
      const r = await runStudy({
        out: o.out, sftConfig: o.sftConfig, trainConfig: o.trainConfig, seeds, extraSeeds: list(o.extraSeeds).map((s) => num('extra-seeds', s)), arms: list(o.arms) as StudyArm[],
        evalWorld: { seed: num('eval-seed', o.evalSeed), test: num('eval-test', o.evalTest), shortcut: num('eval-shortcut', o.evalShortcut) },
        evalItems: o.evalItems === undefined ? undefined : num('eval-items', o.evalItems), sftOverrides: o.sft ?? [], trainOverrides: o.train ?? [],
      });
      console.log(`\n${r.table}`);
      console.log(`wrote ${o.out}/study.md, ${o.out}/study.json, ${o.out}/study.png${Object.keys(r.audits).length ? `, ${o.out}/reward_audit.md (${Object.keys(r.audits).join(', ')})` : ''}`);
    });
}
