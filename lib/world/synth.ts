/**
 * Writes the whole synthetic world to a folder:
 *   <out>/images/<split>/<id>.png          the rendered scenes
 *   <out>/<split>.jsonl                    problem, answer, images (relative paths) + extras
 *   <out>/<split>.parquet                  problem, answer, images [{bytes, path}] + extras
 *   <out>/manifest.json                    counts, seed, settings, text-only baselines
 * Every file is a pure function of the settings and sizes (no timestamps), so two runs with
 * the same seed give identical bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonl } from '../data/jsonl_writer.js';
import { writeVsr1Parquet, type Vsr1Row } from '../data/parquet_writer.js';
import { textOnlyBaseline, type BaselineResult } from './baseline.js';
import { generateItems, resolveWorldSettings, type WorldItem, type WorldSettings } from './generate.js';
import { SPLIT_NAMES, type SplitName } from './priors.js';
import { renderScenePng } from './render.js';
import { WORLD_TOKEN_PATTERN, worldAnswerVocabulary, worldVocabulary } from './vocabulary.js';

export type SplitSizes = Record<SplitName, number>;

/** Share of the total size that each split gets; rl takes the rounding remainder. */
export const SPLIT_FRACTIONS: SplitSizes = { sft: 0.25, rl: 0.55, val: 0.05, test: 0.1, 'test-shortcut': 0.05 };

/** Splits a total item count over the five splits (each gets at least 1). */
export function splitSizes(total: number): SplitSizes {
  if (!Number.isInteger(total) || total < SPLIT_NAMES.length) throw new Error(`world size: expected an integer >= ${SPLIT_NAMES.length}, got ${total}`);
  const sizes = {} as SplitSizes;
  let used = 0;
  for (const s of SPLIT_NAMES) {
    sizes[s] = Math.max(1, Math.floor(total * SPLIT_FRACTIONS[s]));
    used += sizes[s];
  }
  sizes.rl += total - used;
  return sizes;
}

/** The extra columns written after problem, answer and images. */
export const EXTRA_COLUMNS = ['id', 'family', 'template', 'description', 'think', 'scene'] as const;

function extras(it: WorldItem): Record<string, string> {
  return { id: it.id, family: it.family, template: it.template, description: it.description, think: it.think, scene: JSON.stringify(it.scene) };
}

/** The JSONL row of an item (images as relative paths). */
export function jsonlRow(it: WorldItem): Record<string, unknown> {
  return { problem: it.problem, answer: it.answer, images: [it.imagePath], id: it.id, family: it.family, template: it.template, description: it.description, think: it.think, scene: it.scene };
}

/** Runs `fn` over `items` with at most `limit` promises in flight, keeping order. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function roundBaseline(b: BaselineResult): BaselineResult {
  const byFamily: BaselineResult['byFamily'] = {};
  for (const [k, v] of Object.entries(b.byFamily).sort()) byFamily[k] = { accuracy: round4(v.accuracy), n: v.n };
  return { accuracy: round4(b.accuracy), n: b.n, byFamily };
}

function histogram(values: string[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const v of [...values].sort()) h[v] = (h[v] ?? 0) + 1;
  return h;
}

export interface SynthOptions {
  out: string;
  sizes: SplitSizes;
  settings?: Partial<WorldSettings>;
  /** Called after each rendered item. */
  onProgress?: (done: number, total: number, split: SplitName) => void;
  /** Images rendered at once (sharp runs them on libuv's thread pool). */
  concurrency?: number;
}

export interface SynthResult {
  manifest: Record<string, unknown>;
  items: Record<SplitName, WorldItem[]>;
}

/** Generates, renders and writes every split, then the manifest. */
export async function synthesizeWorld(opts: SynthOptions): Promise<SynthResult> {
  const settings = resolveWorldSettings(opts.settings);
  const total = SPLIT_NAMES.reduce((a, s) => a + opts.sizes[s], 0);
  let done = 0;
  const items = {} as Record<SplitName, WorldItem[]>;
  for (const split of SPLIT_NAMES) {
    const n = opts.sizes[split];
    if (!Number.isInteger(n) || n < 0) throw new Error(`world split ${split}: size must be a non-negative integer, got ${n}`);
    const list = generateItems(settings, split, n);
    items[split] = list;
    await mkdir(join(opts.out, 'images', split), { recursive: true });
    const pngs = await mapPool(list, opts.concurrency ?? 32, async (it) => {
      const png = await renderScenePng(it.scene);
      await writeFile(join(opts.out, it.imagePath), png);
      opts.onProgress?.(++done, total, split);
      return png;
    });
    await writeJsonl(join(opts.out, `${split}.jsonl`), list.map(jsonlRow));
    const rows: Vsr1Row[] = list.map((it, i) => ({ problem: it.problem, answer: it.answer, images: [{ bytes: pngs[i]!, path: it.imagePath }], extra: extras(it) }));
    await writeVsr1Parquet(join(opts.out, `${split}.parquet`), rows, [...EXTRA_COLUMNS]);
  }
  const training = [...items.sft, ...items.rl];
  const splits: Record<string, unknown> = {};
  for (const split of SPLIT_NAMES) {
    const list = items[split];
    const fit = split === 'sft' ? items.rl : split === 'rl' ? items.sft : training;
    splits[split] = {
      count: list.length,
      jsonl: `${split}.jsonl`,
      parquet: `${split}.parquet`,
      images: `images/${split}`,
      families: histogram(list.map((it) => it.family)),
      answers: histogram(list.map((it) => it.answer)),
      textOnlyBaseline: {
        withinSplit: roundBaseline(textOnlyBaseline(list)),
        fromTraining: fit.length ? roundBaseline(textOnlyBaseline(list, fit)) : null,
      },
    };
  }
  const manifest = {
    format: 'vsr1-world',
    version: 1,
    seed: settings.seed,
    settings,
    columns: ['problem', 'answer', 'images', ...EXTRA_COLUMNS],
    textRule: `lowercase; remove <image>; tokens = matches of ${WORLD_TOKEN_PATTERN.source}`,
    vocabulary: worldVocabulary(),
    answerVocabulary: worldAnswerVocabulary(),
    baselineNote:
      'textOnlyBaseline = majority answer per question text (backing off to template, family, all); withinSplit = leave-one-out inside the split, fromTraining = table fitted on the training splits (sft fitted on rl and rl on sft)',
    splits,
  };
  await writeFile(join(opts.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, items };
}
