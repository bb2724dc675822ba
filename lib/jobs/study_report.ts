/**
 * The study's table (markdown + JSON) and plot (PNG): per arm, the mean and [min, max] over seeds
 * of each metric on each held-out split, the SFT model as the reference row, and for each arm
 * against Vision-SR1 whether their seed ranges overlap (then these seeds do not order them).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { FileEvalResult } from '../eval/evaluate_file.js';
import { markdownTable, renderSpec } from '../report/index.js';

/** One model's evaluation summary on each held-out split. */
export type StudyEval = Omit<FileEvalResult, 'samples'>;
export interface StudyCell { arm: string; seed: number | null; result: Record<string, StudyEval> }

/** Metric name -> how to read it from an evaluation (null when the evaluation has no such value). */
export const STUDY_METRICS: Record<string, (r: StudyEval) => number | null> = {
  accuracy: (r) => r.accuracy,
  'description accuracy': (r) => r.descriptionAccuracy ?? null,
  'shortcut rate': (r) => r.languageShortcutRate ?? null,
  // 1 - object precision of the descriptions, measured against each item's scene.
  'hallucination rate': (r) => r.hallucination?.hallucinationRate ?? null,
  'object recall': (r) => r.hallucination?.objectRecall ?? null,
};

interface Stat { mean: number; min: number; max: number; n: number }
function stat(xs: (number | null)[]): Stat | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (!v.length) return null;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}
const pct = (x: number) => (100 * x).toFixed(1);
const fmt = (s: Stat | null) => (!s ? '-' : s.n === 1 ? pct(s.mean) : `${pct(s.mean)} [${pct(s.min)}, ${pct(s.max)}]`);

/** The seeds each arm was trained with, in the order they ran. */
export function seedsOf(cells: readonly StudyCell[], arm: string): number[] {
  return cells.filter((c) => c.arm === arm && c.seed !== null).map((c) => c.seed as number);
}

/**
 * Whether the [min, max] ranges over seeds of two arms' accuracy on a split overlap (then their
 * order is not settled by these seeds); null when either arm has no accuracy there.
 */
export function accuracyRangesOverlap(cells: readonly StudyCell[], a: string, b: string, split: string): boolean | null {
  const range = (arm: string) => stat(cells.filter((c) => c.arm === arm).map((c) => c.result[split]?.accuracy ?? null));
  return rangesOverlap(range(a), range(b));
}

function rangesOverlap(x: Stat | null, y: Stat | null): boolean | null {
  return !x || !y ? null : x.max >= y.min && y.max >= x.min;
}

export async function writeStudyReport(out: string, cells: StudyCell[], o: { arms: readonly string[]; labels: Record<string, string> }): Promise<string> {
  const splits = Object.keys(cells[0]?.result ?? {});
  const rowsOf = (arm: string) => cells.filter((c) => c.arm === arm);
  const stats: Record<string, Record<string, Record<string, Stat | null>>> = {};
  for (const arm of ['sft', ...o.arms]) {
    stats[arm] = {};
    for (const split of splits) stats[arm][split] = Object.fromEntries(Object.entries(STUDY_METRICS).map(([m, f]) => [m, stat(rowsOf(arm).map((c) => (c.result[split] ? f(c.result[split]) : null)))]));
  }
  const headers = ['arm', ...splits.flatMap((s) => Object.keys(STUDY_METRICS).map((m) => `${s} ${m} %`))];
  const rows = ['sft', ...o.arms].map((arm) => [arm === 'sft' ? 'SFT (start of every arm)' : o.labels[arm] ?? arm, ...splits.flatMap((s) => Object.keys(STUDY_METRICS).map((m) => fmt(stats[arm][s][m])))]);
  const overlaps = o.arms.filter((a) => a !== 'vision-sr1' && o.arms.includes('vision-sr1')).flatMap((arm) => splits.map((s) => {
    const a = stats[arm][s].accuracy, b = stats['vision-sr1'][s].accuracy;
    const overlap = rangesOverlap(a, b);
    const seeds = `${a?.n ?? 0} and ${b?.n ?? 0} seeds`;
    return `${s} accuracy, ${arm} vs vision-sr1: ${a && b ? `${pct(b.mean - a.mean)} points (Vision-SR1 minus ${arm}); seed ranges over ${seeds} ${overlap ? 'overlap: these seeds do not order them' : 'do not overlap'}` : 'not measured'}`;
  }));
  const families = familyTable(cells, ['sft', ...o.arms], 'test');
  const md = [
    `Seeds per arm: ${o.arms.map((a) => `${a} ${seedsOf(cells, a).join(', ')}`).join('; ')}. Mean [min, max] over an arm's seeds; the SFT row is one model.`, '',
    markdownTable(headers, rows), '', ...overlaps.map((l) => `- ${l}`), '',
    families ? `Accuracy per family on test (mean over seeds):\n\n${families}` : '',
  ].join('\n');
  writeFileSync(join(out, 'study.md'), `${md}\n`);
  writeFileSync(join(out, 'study.json'), JSON.stringify({ seeds: Object.fromEntries(o.arms.map((a) => [a, seedsOf(cells, a)])), arms: o.arms, stats, cells: cells.map((c) => ({ arm: c.arm, seed: c.seed, result: c.result })) }, null, 2));
  const plot = await renderSpec(studySpec(stats, splits, ['sft', ...o.arms]), { scale: 2 });
  writeFileSync(join(out, 'study.png'), plot.png);
  return md;
}

/** Per-family accuracy (mean over seeds) from the evaluations' family groups, when they have them. */
function familyTable(cells: StudyCell[], arms: readonly string[], split: string): string | null {
  const fams = new Set<string>();
  for (const c of cells) for (const f of Object.keys(c.result[split]?.families ?? {})) fams.add(f);
  if (!fams.size) return null;
  const names = [...fams].sort();
  const rows = arms.map((arm) => [arm, ...names.map((f) => fmt(stat(cells.filter((c) => c.arm === arm).map((c) => c.result[split]?.families?.[f]?.accuracy ?? null))))]);
  return markdownTable(['arm', ...names.map((f) => `${f} %`)], rows);
}

/** Bars of the seed mean with [min, max] rules, one panel per metric and split. */
function studySpec(stats: Record<string, Record<string, Record<string, Stat | null>>>, splits: string[], arms: string[]): TopLevelSpec {
  const values = arms.flatMap((arm) => splits.flatMap((split) => Object.keys(STUDY_METRICS).flatMap((m) => {
    const s = stats[arm][split][m];
    return s ? [{ arm, panel: `${split}: ${m}`, mean: 100 * s.mean, min: 100 * s.min, max: 100 * s.max }] : [];
  })));
  return {
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: Object.keys(STUDY_METRICS).length,
    spec: {
      width: 160, height: 140,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'arm', type: 'nominal', sort: arms, title: null }, y: { field: 'mean', type: 'quantitative', title: '%' }, color: { field: 'arm', type: 'nominal', sort: arms, legend: null } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'arm', type: 'nominal', sort: arms }, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}
