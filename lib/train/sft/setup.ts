/**
 * Everything `runSft` needs before its first step: the built-in world and the tiny model when
 * the config asks for them, the model stack (model, tokenizer, chat template, processor), and
 * the training mix and validation records.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { SftConfig } from '../../config/sft.js';
import { PRIOR_FAMILIES } from '../../world/families/index.js';
import { splitSizes, synthesizeWorld } from '../../world/synth.js';
import { createTinyCheckpoint } from '../../world/tiny_checkpoint.js';
import * as torch from '../../torch/index.js';
import type { DType } from '../../torch/dtype.js';
import { loadStack, type ModelStack } from '../../rollout/model_stack.js';
import { buildMix, loadSftSource, type SftBadRow, type SftRecord } from './data.js';
import { withCheckedImages } from './image_check.js';

type Log = (line: string) => void;

const DTYPES: Record<string, DType> = { fp32: 'float32', bf16: 'bfloat16', fp16: 'float16' };

/** The libtorch dtype of a config dtype name. */
export function torchDtype(name: string): DType {
  const d = DTYPES[name];
  if (!d) throw new Error(`unknown dtype "${name}", expected fp32, bf16 or fp16`);
  return d;
}

/** trainer.device resolved: auto = cuda when the addon sees a GPU. */
export function resolveDevice(name: string): string {
  if (name === 'cuda' || (name === 'auto' && torch.cuda.isAvailable())) return 'cuda';
  return 'cpu';
}

/**
 * Generates the built-in world (data.world) when its manifest is missing and creates the tiny
 * model (model.init) when model_path is missing. Returns the world manifest when there is one.
 */
export async function prepareBuiltins(cfg: SftConfig, log: Log): Promise<Record<string, unknown> | null> {
  const w = cfg.data.world;
  let manifest: Record<string, unknown> | null = null;
  if (w) {
    const file = join(w.dir, 'manifest.json');
    if (!existsSync(file)) {
      const t0 = performance.now();
      log(`world: generating ${w.size} items (seed ${w.seed}, prior ${w.prior}) into ${w.dir}`);
      const families = w.families ?? undefined;
      // test-shortcut asks only the prior-controlled families among those chosen.
      const shortcutFamilies = families?.filter((f) => PRIOR_FAMILIES.includes(f));
      if (shortcutFamilies && !shortcutFamilies.length) throw new Error(`data.world.families: none of ${families!.join(', ')} is prior-controlled (${PRIOR_FAMILIES.join(', ')}), so the test-shortcut split would be empty`);
      await synthesizeWorld({
        out: w.dir, sizes: splitSizes(w.size),
        settings: { seed: w.seed, prior: w.prior, maxObjects: w.max_objects, objectScale: w.object_scale, ...(families ? { families, shortcutFamilies } : {}) },
      });
      log(`world: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  }
  const init = cfg.model.init;
  if (init && !existsSync(join(cfg.model.model_path, 'config.json'))) {
    createTinyCheckpoint(cfg.model.model_path, {
      seed: init.seed, initStd: init.std ?? undefined, overwrite: existsSync(cfg.model.model_path),
      arch: { visionDepth: init.vision_depth, visionHidden: init.vision_hidden, visionIntermediate: init.vision_intermediate },
    });
    log(`model: created a random ${init.preset} checkpoint (seed ${init.seed}) at ${cfg.model.model_path}`);
  }
  return manifest;
}

export type { ModelStack } from '../../rollout/model_stack.js';

/**
 * Loads weights from `weightsDir` (model_path, or a checkpoint's model/ folder on resume) in
 * `dtype` on `device`; tokenizer, chat template and processor come from tokenizer_path (or
 * model_path). data.min_pixels/max_pixels resize images first (LLaMA-Factory's
 * image_min_pixels/image_max_pixels, the same rule as EasyR1's pre-resize).
 */
export function loadModelStack(cfg: SftConfig, weightsDir: string, dtype: DType, device: string): Promise<ModelStack> {
  return loadStack({ weightsDir, frontDir: cfg.model.tokenizer_path ?? cfg.model.model_path, dtype, device, minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
}

/** Training mix and validation records. */
export interface SftDataSets {
  train: SftRecord[];
  val: SftRecord[];
  /** Records per training source before mixing, and in the mix. */
  sources: Array<{ path: string; style: string; rows: number; inMix: number }>;
  badRows: SftBadRow[];
}

function filesOf(p: string | string[]): string[] {
  return typeof p === 'string' ? [p] : p;
}

/** Reads data.train_files (mixed by their weights) and data.val_files. */
export async function loadSftData(cfg: SftConfig, log: Log): Promise<SftDataSets> {
  const d = cfg.data;
  const badRows: SftBadRow[] = [];
  const onBad = (b: SftBadRow) => badRows.push(b);
  const load = async (s: SftConfig['data']['val_files'][number]) => withCheckedImages(await loadSftSource({
    files: filesOf(s.path), style: s.style, format: s.format, maxSamples: s.max_samples,
    promptKey: d.prompt_key, answerKey: d.answer_key, responseKey: d.response_key, imageKey: d.image_key, promptSet: d.prompt_set,
  }, onBad), d.image_pixel_limit, onBad);
  const perSource: SftRecord[][] = [];
  for (const s of d.train_files) perSource.push(await load(s));
  const train = buildMix(perSource, d.train_files.map((s) => s.weight), d.seed);
  const val: SftRecord[] = [];
  for (const s of d.val_files) val.push(...await load(s));
  const sources = d.train_files.map((s, i) => ({ path: filesOf(s.path).join(','), style: s.style, rows: perSource[i].length, inMix: Math.round(s.weight * perSource[i].length) }));
  for (const s of sources) log(`data: ${s.path} (${s.style}): ${s.rows} rows, ${s.inMix} per epoch`);
  if (badRows.length) {
    log(`data: skipped ${badRows.length} bad row(s)`);
    for (const b of badRows.slice(0, 5)) log(`  ${b.file}:${b.row}: ${b.reason}`);
  }
  if (train.length === 0) throw new Error('data.train_files: no usable rows');
  return { train, val, sources, badRows };
}

/**
 * The text-only (majority answer) baseline of the world split that `valPath` names
 * (`<world dir>/<split>.jsonl`), from the world's manifest; null when the validation data is
 * not a world split.
 */
export function worldBaseline(manifest: Record<string, unknown> | null, worldDir: string | null, valPath: string | string[] | null): number | null {
  const file = Array.isArray(valPath) ? valPath[0] : valPath;
  if (!manifest || !worldDir || !file || resolve(dirname(file)) !== resolve(worldDir)) return null;
  const split = basename(file).replace(/\.(jsonl|parquet)$/, '');
  const s = (manifest.splits as Record<string, { textOnlyBaseline?: { fromTraining?: { accuracy: number } | null; withinSplit?: { accuracy: number } } }> | undefined)?.[split];
  return s?.textOnlyBaseline?.fromTraining?.accuracy ?? s?.textOnlyBaseline?.withinSplit?.accuracy ?? null;
}
