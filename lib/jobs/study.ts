/**
 * `vsr1 study`: the paper's comparison on the built-in world. From one cold-start SFT model it
 * trains each arm (Vision-R1, no-self-reward, Vision-SR1, multi-reward) with each GRPO seed, and
 * evaluates every model and the SFT model on a fresh held-out world (a world seed the SFT and RL
 * data never used): accuracy, description accuracy, language-shortcut rate, hallucination, per
 * family. Where an arm's accuracy range over the seeds overlaps Vision-SR1's, both get the extra
 * seeds (3 seeds, 5 where the spreads overlap). Each finished arm-seed leaves its evaluation in out/<arm>/seed<k>/eval.json, so a
 * study that stops picks up where it was (the SFT model and the fresh world are reused too).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/index.js';
import type { FileEvalResult } from '../eval/evaluate_file.js';
import type { RewardAudit } from '../eval/reward_audit.js';
import { synthesizeWorld } from '../world/synth.js';
import { loadTrainConfig } from '../config/index.js';
import { coldStartSft, evaluateModel, grpoOverrides, grpoRun, stripSamples, type Log } from './stages.js';
import { writeStudyRewardAudits } from './study_audit.js';
import { accuracyRangesOverlap, seedsOf, writeStudyReport, type StudyCell } from './study_report.js';

/** The arms: the preset and prompt each trains with (docs/method.md, "Reward presets"). */
export const STUDY_ARMS = {
  'vision-r1': { label: 'Vision-R1 (CoT prompt, accuracy + format)', overrides: ['algorithm.preset=vision-r1', 'data.format_prompt=world_cot'] },
  'no-self-reward': { label: 'no self-reward (see-think prompt, accuracy + format)', overrides: ['algorithm.preset=no-self-reward'] },
  'vision-sr1': { label: 'Vision-SR1 (accuracy + format + self-visual reward)', overrides: ['algorithm.preset=vision-sr1'] },
  'multi-reward': { label: 'multi-reward (one advantage per reward channel)', overrides: ['algorithm.preset=multi-reward'] },
} as const;
export type StudyArm = keyof typeof STUDY_ARMS;
export const STUDY_ARM_NAMES = Object.keys(STUDY_ARMS) as StudyArm[];

export interface StudyOptions {
  out: string;
  sftConfig: string;
  trainConfig: string;
  seeds: number[];
  arms?: StudyArm[];
  /**
   * Seeds added to Vision-SR1 and to each arm whose accuracy range over `seeds` overlaps
   * Vision-SR1's on a held-out split (3 seeds, 5 where the spreads overlap). Default none.
   */
  extraSeeds?: number[];
  /** The fresh held-out world: its seed (never the training world's) and split sizes. */
  evalWorld?: { seed: number; test: number; shortcut: number };
  /** Evaluate at most this many items per split (default all). */
  evalItems?: number;
  sftOverrides?: string[];
  trainOverrides?: string[];
  log?: Log;
}

export const DEFAULT_EVAL_WORLD = { seed: 1001, test: 6000, shortcut: 3000 };

export async function runStudy(o: StudyOptions): Promise<{ cells: StudyCell[]; table: string; audits: Record<string, RewardAudit> }> {
  const log = o.log ?? ((l: string) => console.log(l));
  const arms = o.arms ?? STUDY_ARM_NAMES;
  for (const a of arms) if (!(a in STUDY_ARMS)) throw new Error(`study: unknown arm "${a}", expected one of ${STUDY_ARM_NAMES.join(', ')}`);
  if (!o.seeds.length) throw new Error('study: no seeds');
  mkdirSync(o.out, { recursive: true });
  log(`== cold-start SFT (${o.sftConfig}), shared by every arm`);
  const sft = await coldStartSft(o.out, o.sftConfig, o.sftOverrides ?? [], log);
  const files = await freshWorld(join(o.out, 'eval-world'), o.evalWorld ?? DEFAULT_EVAL_WORLD, sft.worldDir, log);
  const evalOverrides = grpoOverrides(sft.worldDir, sft.modelDir, 0, join(o.out, 'unused'), o.trainOverrides ?? []);
  const cells: StudyCell[] = [];
  cells.push({ arm: 'sft', seed: null, result: await cachedEval(join(o.out, 'sft-eval.json'), () => evaluateModel(sft.modelDir, files, o.trainConfig, evalOverrides, o.evalItems), log, 'SFT') });
  const armOverrides = (arm: StudyArm) => [...(o.trainOverrides ?? []), ...STUDY_ARMS[arm].overrides];
  const runDir = (arm: StudyArm, seed: number) => join(o.out, arm, `seed${seed}`, 'grpo');
  const armSeed = async (arm: StudyArm, seed: number): Promise<StudyCell> => {
    const dir = join(o.out, arm, `seed${seed}`);
    const result = await cachedEval(join(dir, 'eval.json'), async () => {
      log(`== ${STUDY_ARMS[arm].label}, seed ${seed}`);
      const g = await grpoRun(o.trainConfig, grpoOverrides(sft.worldDir, sft.modelDir, seed, runDir(arm, seed), armOverrides(arm)), log);
      return evaluateModel(g.modelDir, files, o.trainConfig, [...evalOverrides, ...STUDY_ARMS[arm].overrides], o.evalItems);
    }, log, `${arm} seed ${seed}`);
    return { arm, seed, result };
  };
  for (const arm of arms) for (const seed of o.seeds) cells.push(await armSeed(arm, seed));
  const extra = (o.extraSeeds ?? []).filter((s) => !o.seeds.includes(s));
  const more = extra.length ? armsNeedingMoreSeeds(cells, arms) : [];
  if (more.length) log(`== seed ranges overlap with Vision-SR1's: seeds ${extra.join(', ')} for ${more.join(', ')}`);
  for (const arm of more) for (const seed of extra) cells.push(await armSeed(arm, seed));
  const table = await writeStudyReport(o.out, cells, { arms, labels: Object.fromEntries(arms.map((a) => [a, STUDY_ARMS[a].label])) });
  const trainFiles = (arm: StudyArm) => [loadTrainConfig(o.trainConfig, grpoOverrides(sft.worldDir, sft.modelDir, 0, runDir(arm, 0), armOverrides(arm))).data.train_files].flat();
  const audits = await writeStudyRewardAudits(o.out, arms.map((arm) => ({ arm, runDirs: seedsOf(cells, arm).map((s) => runDir(arm, s)), dataFiles: trainFiles(arm) })), log);
  return { cells, table, audits };
}

/**
 * The arms that need more seeds to be ordered against Vision-SR1: each arm whose accuracy range
 * overlaps Vision-SR1's on some held-out split, and Vision-SR1 itself when any does.
 */
export function armsNeedingMoreSeeds(cells: readonly StudyCell[], arms: readonly StudyArm[]): StudyArm[] {
  if (!arms.includes('vision-sr1')) return [];
  const splits = Object.keys(cells.find((c) => c.arm === 'vision-sr1')?.result ?? {});
  const overlapping = arms.filter((a) => a !== 'vision-sr1' && splits.some((s) => accuracyRangesOverlap(cells, a, 'vision-sr1', s) === true));
  return overlapping.length ? ['vision-sr1', ...overlapping] : [];
}

/** The held-out world of the study (test and test-shortcut only), generated once; refuses the training world's seed. */
async function freshWorld(dir: string, w: { seed: number; test: number; shortcut: number }, trainWorld: string, log: Log): Promise<Record<string, string>> {
  const trainManifest = JSON.parse(readFileSync(join(trainWorld, 'manifest.json'), 'utf8')) as { settings?: Record<string, unknown> };
  const settings = { ...(trainManifest.settings ?? {}), seed: w.seed };
  if (trainManifest.settings?.seed === w.seed) throw new Error(`study: the evaluation world's seed ${w.seed} is the training world's; pick another`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    log(`== fresh held-out world: seed ${w.seed}, ${w.test} test + ${w.shortcut} test-shortcut items`);
    await synthesizeWorld({ out: dir, sizes: { sft: 0, rl: 0, val: 0, test: w.test, 'test-shortcut': w.shortcut }, settings });
  }
  return { test: join(dir, 'test.jsonl'), 'test-shortcut': join(dir, 'test-shortcut.jsonl') };
}

type Summary = Record<string, Omit<FileEvalResult, 'samples'>>;

/** Runs `make` unless `file` holds its result from an earlier run; writes it (samples left out). */
async function cachedEval(file: string, make: () => Promise<Record<string, FileEvalResult>>, log: Log, what: string): Promise<Summary> {
  if (existsSync(file)) {
    log(`== ${what}: evaluated before (${file})`);
    return JSON.parse(readFileSync(file, 'utf8')) as Summary;
  }
  const r = await make();
  const summary: Summary = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, stripSamples(v)]));
  mkdirSync(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(summary, null, 2), dirname(file));
  return summary;
}
