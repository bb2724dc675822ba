/**
 * Saving and restoring a trainer's full state through lib/checkpoint (atomic global_step_N
 * folders): the model as a Hugging Face folder (`model/`, loadable on its own), the AdamW
 * moments, step counts and, when training in low precision, the fp32 master weights
 * (`optimizer.safetensors`), and in trainer_state.json the data position, the RNG state and the
 * config fingerprint. Restoring all of it continues a run at the exact step and batch.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint, type CheckpointInfo } from '../checkpoint/index.js';
import type { SamplerState } from '../data/sampler.js';
import * as torch from '../torch/index.js';
import type { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { hasOptimizerShards, loadOptimizerShards, loadWholeOptimizerInto } from './optimizer_shards.js';

export const MODEL_SUBDIR = 'model';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const MASTER_FILE = 'master.safetensors';

/** The default CPU generator's state as base64 (for trainer_state.json `rng`). */
export function captureRng(): { torch_cpu: string } {
  const t = torch.Generator.default().getState();
  try {
    return { torch_cpu: Buffer.from(t.data() as Uint8Array).toString('base64') };
  } finally {
    t.dispose();
  }
}

/** Restores what captureRng saved (ignored when absent). */
export function restoreRng(rng: unknown): void {
  const s = (rng as { torch_cpu?: unknown } | null)?.torch_cpu;
  if (typeof s !== 'string') return;
  const bytes = new Uint8Array(Buffer.from(s, 'base64'));
  const t = torch.tensor(bytes, { dtype: 'uint8' });
  try {
    torch.Generator.default().setState(t);
  } finally {
    t.dispose();
  }
}

export interface SaveTrainStateOptions {
  root: string;
  step: number;
  model: QwenVLModel;
  /** The AdamW written as optimizer.safetensors; null when each rank writes its shard (`writeMore`). */
  optimizer: torch.AdamW | null;
  /** More payload (a sharded run's optimizer shards), written into the folder before it is published. */
  writeMore?: (dir: string) => Promise<void>;
  data: SamplerState | null;
  configHash: string;
  keepLast?: number;
  extra?: Record<string, unknown>;
}

/** Writes checkpoint `step` atomically and applies keep-last-K. Returns its folder. */
export async function saveTrainState(o: SaveTrainStateOptions): Promise<string> {
  const r = await saveCheckpoint({
    root: o.root,
    step: o.step,
    keepLast: o.keepLast,
    state: { data: o.data, rng: captureRng(), config_hash: o.configHash, extra: o.extra },
    writePayload: async (dir) => {
      // Written off the JS thread; the optimizer file holds the fp32 master weights too.
      await o.model.saveAsync(join(dir, MODEL_SUBDIR));
      if (o.optimizer) await o.optimizer.saveAsync(join(dir, OPTIMIZER_FILE));
      if (o.writeMore) await o.writeMore(dir);
    },
  });
  return r.dir;
}

/**
 * Loads the optimizer (and masters) of a checkpoint and its RNG state. The model weights are
 * loaded by the caller from `<dir>/model` before the optimizer is built.
 */
export function restoreTrainState(ck: CheckpointInfo, optimizer: torch.AdamW, owned: readonly number[] | null = null): void {
  const opt = join(ck.dir, OPTIMIZER_FILE);
  const sharded = hasOptimizerShards(ck.dir);
  if (!sharded && !existsSync(opt)) throw new Error(`checkpoint ${ck.dir}: no ${OPTIMIZER_FILE} and no optimizer shards`);
  // `owned`: this rank's optimizer holds these parameters of the list (a sharded run); null = all, in order.
  const all = owned ?? optimizer.params.map((_, i) => i);
  const { masters } = sharded ? loadOptimizerShards(ck.dir, optimizer, all) : owned ? loadWholeOptimizerInto(opt, optimizer, all) : optimizer.load(opt);
  if (optimizer.masterCount > 0 && !masters) {
    // Checkpoints written before the masters moved into the optimizer keep them in a file of their own.
    const mf = join(ck.dir, MASTER_FILE);
    if (!existsSync(mf)) throw new Error(`checkpoint ${ck.dir}: the run trains in low precision with fp32 master weights, but the checkpoint has none (saved in full precision?)`);
    torch.scope(() => optimizer.loadMasterWeights(torch.loadSafetensors(mf)));
  }
  restoreRng(ck.state.rng);
}
