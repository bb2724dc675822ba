/**
 * The main job on the built-in world, end to end on a CPU with no downloads (`vsr1 pipeline`):
 * world generation -> cold-start SFT of a tiny model from random init -> Vision-SR1 GRPO ->
 * evaluation of both models on the held-out splits (test, and test-shortcut where the
 * language prior is broken) -> a summary table (accuracy, format, description accuracy and the
 * language-shortcut rate, before and after RL) and a PNG of the training curves.
 */
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FileEvalResult } from '../eval/evaluate_file.js';
import { readJsonlRows, writeCurvesPng, consoleTable, markdownTable } from '../report/index.js';
import { coldStartSft, evaluateModel, grpoOverrides, grpoRun, stripSamples } from './stages.js';

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

export interface SplitScores { split: string; stage: 'sft' | 'grpo'; seed: number | null; result: Omit<FileEvalResult, 'samples'> }
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

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (100 * x).toFixed(1));
/**
 * Accuracy with its binomial standard error, "77.8 ± 0.8": the split must be large enough for the
 * SFT-vs-GRPO difference to mean something (2400 test items put it under 1 point near 80%).
 */
const pctSe = (x: number, n: number) => `${pct(x)} ± ${(100 * Math.sqrt((x * (1 - x)) / Math.max(1, n))).toFixed(1)}`;

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  mkdirSync(o.out, { recursive: true });
  log(`== 1/3 cold-start SFT (${o.sftConfig})`);
  const sft = await coldStartSft(o.out, o.sftConfig, o.sftOverrides ?? [], log);
  const worldDir = sft.worldDir;
  const tSft = performance.now();

  const trainOverridesFor = (seed: number) => grpoOverrides(worldDir, sft.modelDir, seed, join(o.out, `grpo-seed${seed}`), o.trainOverrides ?? []);
  const grpoRuns: Array<{ seed: number; modelDir: string; runDir: string }> = [];
  for (const seed of o.seeds) {
    log(`== 2/3 Vision-SR1 GRPO (${o.trainConfig}), seed ${seed}`);
    grpoRuns.push({ seed, ...(await grpoRun(o.trainConfig, trainOverridesFor(seed), log)) });
  }
  const tGrpo = performance.now();

  log('== 3/3 evaluation on the held-out splits (greedy, with the self-reward pass)');
  const base = trainOverridesFor(o.seeds[0]);
  const files = Object.fromEntries(SPLITS.map((s) => [s, join(worldDir, `${s}.jsonl`)]));
  const before = await evaluateModel(sft.modelDir, files, o.trainConfig, base, o.evalItems);
  const after: Array<{ seed: number; r: Record<string, FileEvalResult> }> = [];
  for (const g of grpoRuns) after.push({ seed: g.seed, r: await evaluateModel(g.modelDir, files, o.trainConfig, base, o.evalItems) });
  const manifest = JSON.parse(readFileSync(join(worldDir, 'manifest.json'), 'utf8')) as { splits?: Record<string, { textOnlyBaseline?: { fromTraining?: { accuracy: number } } }> };
  const textOnlyBaseline = Object.fromEntries(SPLITS.map((s) => [s, manifest.splits?.[s]?.textOnlyBaseline?.fromTraining?.accuracy ?? null]));
  const headers = ['split', 'model', 'accuracy % ± s.e.', 'format %', 'description acc. %', 'shortcut rate %', 'text-only guess %'];
  const rows = SPLITS.flatMap((s) => [
    [`${s} (${before[s].n})`, 'SFT', pctSe(before[s].accuracy, before[s].n), pct(before[s].format), pct(before[s].descriptionAccuracy), pct(before[s].languageShortcutRate), pct(textOnlyBaseline[s])],
    ...after.map(({ seed, r }) => [`${s} (${r[s].n})`, `SFT + GRPO seed ${seed}`, pctSe(r[s].accuracy, r[s].n), pct(r[s].format), pct(r[s].descriptionAccuracy), pct(r[s].languageShortcutRate), pct(textOnlyBaseline[s])]),
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
      metrics: ['reward/overall', 'reward/accuracy', 'reward/format', 'reward/description_accuracy', 'val/accuracy', 'val/description_accuracy'], smooth: 0.9,
    });
  }
  return { scores, gains, textOnlyBaseline, table: gainLines.length ? `${table}\n${gainLines.join('\n')}` : table, seconds };
}

/** "mean [min, max]" in percent. */
function spread(xs: number[]): string {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${pct(m)} [${pct(Math.min(...xs))}, ${pct(Math.max(...xs))}]`;
}
