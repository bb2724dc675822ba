/**
 * The stages the built-in world's jobs share (`vsr1 pipeline`, `vsr1 study`): cold-start SFT
 * into an output folder, one GRPO run from that SFT model, and the greedy evaluation of a model
 * on world splits with the training config's prompts.
 */
import { join } from 'node:path';
import { loadSftConfig, loadTrainConfig } from '../config/index.js';
import { evaluateFile, type FileEvalResult } from '../eval/evaluate_file.js';
import { DecodedImageCache } from '../rollout/image_cache.js';
import { loadStack } from '../rollout/model_stack.js';
import { runGrpo } from '../train/grpo/trainer.js';
import { runSft } from '../train/sft/sft.js';

export type Log = (line: string) => void;

/** Cold-start SFT of the tiny model on a world generated into out/world; returns the model and world folders. */
export async function coldStartSft(out: string, sftConfig: string, overrides: readonly string[], log: Log): Promise<{ modelDir: string; worldDir: string }> {
  const worldDir = join(out, 'world');
  const cfg = loadSftConfig(sftConfig, [
    `data.world.dir=${worldDir}`, `model.model_path=${join(out, 'tiny-init')}`, `trainer.save_checkpoint_path=${join(out, 'sft')}`,
    ...overrides,
  ].concat(rewriteWorldPaths(sftConfig, worldDir)));
  const sft = await runSft(cfg, { log });
  if (!sft.modelDir) throw new Error(`SFT (${sftConfig}) did not finish: no final model`);
  return { modelDir: sft.modelDir, worldDir };
}

/** GRPO overrides that point a world training config at a world, an SFT model, a seed and a folder. */
export function grpoOverrides(worldDir: string, sftModel: string, seed: number, runDir: string, extra: readonly string[] = []): string[] {
  return [
    `data.train_files=${join(worldDir, 'rl.jsonl')}`, `data.val_files=${join(worldDir, 'val.jsonl')}`, `data.seed=${seed}`, `worker.rollout.seed=${seed}`,
    `worker.actor.model.model_path=${sftModel}`, `trainer.save_checkpoint_path=${runDir}`, ...extra,
  ];
}

/** One GRPO run; returns its final model and run folder. */
export async function grpoRun(trainConfig: string, overrides: readonly string[], log: Log): Promise<{ modelDir: string; runDir: string }> {
  const g = await runGrpo(loadTrainConfig(trainConfig, overrides), { log });
  return { modelDir: g.finalModelDir, runDir: g.runDir };
}

/** Greedy evaluation (with the self-reward pass) of `modelDir` on each `files[split]`, with the config's prompts and pixel budget. */
export async function evaluateModel(
  modelDir: string, files: Record<string, string>, trainConfig: string, overrides: readonly string[], limit: number | undefined,
): Promise<Record<string, FileEvalResult>> {
  const cfg = loadTrainConfig(trainConfig, [...overrides, `worker.actor.model.model_path=${modelDir}`]);
  const stack = await loadStack({ weightsDir: modelDir, dtype: 'float32', device: 'cpu', minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
  const images = new DecodedImageCache();
  const out: Record<string, FileEvalResult> = {};
  try {
    for (const [split, file] of Object.entries(files)) out[split] = await evaluateFile(stack, file, cfg, { limit, groupBy: 'family' }, images);
  } finally {
    stack.model.dispose();
  }
  return out;
}

/** The SFT config names world files under its own world dir; point them at `worldDir`. */
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

/** An evaluation without its per-sample records (for summaries). */
export function stripSamples<R extends { samples: unknown }>(r: R): Omit<R, 'samples'> {
  const { samples: _s, ...rest } = r;
  return rest;
}
