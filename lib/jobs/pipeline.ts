/**
 * The main job on the built-in world, end to end on a CPU with no downloads (`vsr1 pipeline`):
 * world generation -> cold-start SFT of a tiny model from random init -> Vision-SR1 GRPO ->
 * evaluation of both models on the held-out splits (test, and test-shortcut where the
 * language prior is broken) -> a summary table (accuracy, format, description accuracy and the
 * language-shortcut rate, before and after RL) and a PNG of the training curves.
 */
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSftConfig, loadTrainConfig } from '../config/index.js';
import type { EvalResult } from '../eval/evaluate.js';
import { evaluateFile } from '../eval/evaluate_file.js';
import { readJsonlRows, writeCurvesPng, consoleTable, markdownTable } from '../report/index.js';
import { runGrpo } from '../train/grpo/trainer.js';
import { DecodedImageCache } from '../rollout/image_cache.js';
import { loadStack } from '../rollout/model_stack.js';
import { runSft } from '../train/sft/sft.js';

export interface PipelineOptions {
  out: string;
  sftConfig: string;
  trainConfig: string;
  /**
   * GRPO seeds (rollout sampling and data order); one GRPO run each from the same SFT model, so
   * the gain of RL can be set against its spread over seeds. World and SFT keep their config seeds.
   */
  seeds: number[];
  /** Items per held-out split evaluated (default: all). */
  evalItems?: number;
  sftOverrides?: string[];
  trainOverrides?: string[];
  log?: (line: string) => void;
}

export interface SplitScores { split: string; stage: 'sft' | 'grpo'; seed: number | null; result: Omit<EvalResult, 'samples'> }
/** Mean GRPO gain over the SFT model against the spread (max - min) of the GRPO seeds, per metric. */
export interface GainVsSpread { split: string; metric: 'accuracy' | 'descriptionAccuracy'; gain: number; spread: number; beatsSpread: boolean }
export interface PipelineResult {
  scores: SplitScores[];
  /** Only with two or more seeds (one seed has no spread). */
  gains: GainVsSpread[];
  textOnlyBaseline: Record<string, number | null>;
  table: string;
  seconds: { sft: number; grpo: number; eval: number; total: number };
}

const SPLITS = ['test', 'test-shortcut'] as const;

async function evaluateModel(modelDir: string, worldDir: string, trainCfgFile: string, overrides: string[], limit: number | undefined): Promise<Record<string, EvalResult>> {
  const cfg = loadTrainConfig(trainCfgFile, [...overrides, `worker.actor.model.model_path=${modelDir}`]);
  const stack = await loadStack({ weightsDir: modelDir, dtype: 'float32', device: 'cpu', minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
  const images = new DecodedImageCache();
  const out: Record<string, EvalResult> = {};
  try {
    for (const split of SPLITS) out[split] = await evaluateFile(stack, join(worldDir, `${split}.jsonl`), cfg, { limit }, images);
  } finally {
    stack.model.dispose();
  }
  return out;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (100 * x).toFixed(1));

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  mkdirSync(o.out, { recursive: true });
  const worldDir = join(o.out, 'world');
  const sftCfg = loadSftConfig(o.sftConfig, [
    `data.world.dir=${worldDir}`, `model.model_path=${join(o.out, 'tiny-init')}`, `trainer.save_checkpoint_path=${join(o.out, 'sft')}`,
    ...(o.sftOverrides ?? []),
  ].concat(rewriteWorldPaths(o.sftConfig, worldDir)));
  log(`== 1/3 cold-start SFT (${o.sftConfig})`);
  const sft = await runSft(sftCfg, { log });
  if (!sft.modelDir) throw new Error('pipeline: SFT did not finish (no final model)');
  const tSft = performance.now();

  const trainOverridesFor = (seed: number) => [
    `data.train_files=${join(worldDir, 'rl.jsonl')}`, `data.val_files=${join(worldDir, 'val.jsonl')}`, `data.seed=${seed}`, `worker.rollout.seed=${seed}`,
    `worker.actor.model.model_path=${sft.modelDir}`, `trainer.save_checkpoint_path=${join(o.out, `grpo-seed${seed}`)}`, ...(o.trainOverrides ?? []),
  ];
  const grpoRuns: Array<{ seed: number; modelDir: string; runDir: string }> = [];
  for (const seed of o.seeds) {
    log(`== 2/3 Vision-SR1 GRPO (${o.trainConfig}), seed ${seed}`);
    const g = await runGrpo(loadTrainConfig(o.trainConfig, trainOverridesFor(seed)), { log });
    grpoRuns.push({ seed, modelDir: g.finalModelDir, runDir: g.runDir });
  }
  const tGrpo = performance.now();

  log('== 3/3 evaluation on the held-out splits (greedy, with the self-reward pass)');
  const base = trainOverridesFor(o.seeds[0]);
  const before = await evaluateModel(sft.modelDir, worldDir, o.trainConfig, base, o.evalItems);
  const after: Array<{ seed: number; r: Record<string, EvalResult> }> = [];
  for (const g of grpoRuns) after.push({ seed: g.seed, r: await evaluateModel(g.modelDir, worldDir, o.trainConfig, base, o.evalItems) });
  const manifest = JSON.parse(readFileSync(join(worldDir, 'manifest.json'), 'utf8')) as { splits?: Record<string, { textOnlyBaseline?: { fromTraining?: { accuracy: number } } }> };
  const textOnlyBaseline = Object.fromEntries(SPLITS.map((s) => [s, manifest.splits?.[s]?.textOnlyBaseline?.fromTraining?.accuracy ?? null]));
  const headers = ['split', 'model', 'accuracy %', 'format %', 'description acc. %', 'shortcut rate %', 'text-only guess %'];
  const rows = SPLITS.flatMap((s) => [
    [`${s} (${before[s].n})`, 'SFT', pct(before[s].accuracy), pct(before[s].format), pct(before[s].descriptionAccuracy), pct(before[s].languageShortcutRate), pct(textOnlyBaseline[s])],
    ...after.map(({ seed, r }) => [`${s} (${r[s].n})`, `SFT + GRPO seed ${seed}`, pct(r[s].accuracy), pct(r[s].format), pct(r[s].descriptionAccuracy), pct(r[s].languageShortcutRate), pct(textOnlyBaseline[s])]),
    ...(after.length > 1 ? [[s, 'GRPO mean [min, max]', spread(after.map((x) => x.r[s].accuracy)), spread(after.map((x) => x.r[s].format)),
      spread(after.map((x) => x.r[s].descriptionAccuracy ?? NaN)), spread(after.map((x) => x.r[s].languageShortcutRate ?? NaN)), pct(textOnlyBaseline[s])]] : []),
  ]);
  const table = consoleTable(headers, rows);
  const gains: GainVsSpread[] = after.length < 2 ? [] : SPLITS.flatMap((split) => (['accuracy', 'descriptionAccuracy'] as const).map((metric) => {
    const xs = after.map((x) => x.r[split][metric] ?? NaN);
    const gain = xs.reduce((a, b) => a + b, 0) / xs.length - (before[split][metric] ?? NaN);
    const spread = Math.max(...xs) - Math.min(...xs);
    return { split, metric, gain, spread, beatsSpread: gain > spread };
  }));
  const gainLines = gains.map((g) => `${g.split} ${g.metric === 'accuracy' ? 'accuracy' : 'description accuracy'}: GRPO mean - SFT = ${(100 * g.gain).toFixed(1)} points, seed spread ${(100 * g.spread).toFixed(1)} points -> ${g.beatsSpread ? 'gain exceeds the spread' : 'gain does NOT exceed the spread'}`);
  const tEnd = performance.now();
  const seconds = { sft: (tSft - t0) / 1000, grpo: (tGrpo - tSft) / 1000, eval: (tEnd - tGrpo) / 1000, total: (tEnd - t0) / 1000 };
  const scores: SplitScores[] = SPLITS.flatMap((s) => [
    { split: s, stage: 'sft' as const, seed: null, result: stripSamples(before[s]) },
    ...after.map(({ seed, r }) => ({ split: s, stage: 'grpo' as const, seed, result: stripSamples(r[s]) })),
  ]);
  writeFileSync(join(o.out, 'summary.json'), JSON.stringify({ seeds: o.seeds, scores, gains, textOnlyBaseline, seconds }, null, 2));
  writeFileSync(join(o.out, 'summary.md'), `${markdownTable(headers, rows)}\n${gainLines.map((l) => `\n- ${l}`).join('')}\n\nseconds: ${JSON.stringify(seconds)}\n`);
  const metrics = join(grpoRuns[0].runDir, 'metrics.jsonl');
  if (existsSync(metrics)) {
    await writeCurvesPng(join(o.out, 'curves.png'), readJsonlRows(metrics), {
      metrics: ['reward/overall', 'reward/accuracy', 'reward/format', 'reward/description_accuracy', 'val/accuracy', 'val/description_accuracy'],
    });
  }
  return { scores, gains, textOnlyBaseline, table: gainLines.length ? `${table}\n${gainLines.join('\n')}` : table, seconds };
}

/** "mean [min, max]" in percent. */
function spread(xs: number[]): string {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${pct(m)} [${pct(Math.min(...xs))}, ${pct(Math.max(...xs))}]`;
}

function stripSamples(r: EvalResult): Omit<EvalResult, 'samples'> {
  const { samples: _s, ...rest } = r;
  return rest;
}

/** The SFT config names world files under its own world dir; point them at the pipeline's. */
function rewriteWorldPaths(file: string, worldDir: string): string[] {
  const cfg = loadSftConfig(file);
  const from = cfg.data.world?.dir;
  if (!from) return [];
  const fix = (p: string) => (p.startsWith(from) ? join(worldDir, p.slice(from.length)) : p);
  const out: string[] = [];
  cfg.data.train_files.forEach((s, i) => { if (typeof s.path === 'string') out.push(`data.train_files.${i}.path=${fix(s.path)}`); });
  cfg.data.val_files.forEach((s, i) => { if (typeof s.path === 'string') out.push(`data.val_files.${i}.path=${fix(s.path)}`); });
  return out;
}
