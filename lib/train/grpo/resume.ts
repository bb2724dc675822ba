/**
 * Where a GRPO run starts and whether it may: trainer.load_checkpoint_path names a checkpoint
 * folder to start from (as in SFT); otherwise trainer.resume picks the latest complete checkpoint
 * in the run folder. A checkpoint saved under another config stops the run at start-up, naming
 * the keys that changed, because continuing would silently mix two recipes in one run.
 */
import { findLatestCheckpoint, readCheckpoint, type CheckpointInfo } from '../../checkpoint/index.js';
import { canonicalJson, configHash, rawConfig } from '../../config/hash.js';
import { TrainTrainer, type TrainConfig } from '../../config/train.js';

/** Keys a resumed run may change: run length and how often it saves and validates. */
// The world size may change across a resume (docs/distributed.md): the global batch, and so the
// update, does not depend on how many ranks share it.
export const GRPO_RESUME_IGNORED = ['trainer.max_steps', 'trainer.total_epochs', 'trainer.save_freq', 'trainer.val_freq', 'trainer.nnodes', 'trainer.n_gpus_per_node', 'trainer.distributed'];

/**
 * Keys that only say where the run starts and writes or what it prints (a run started from
 * load_checkpoint_path writes to a new folder), set to their defaults before hashing rather than
 * left out, so checkpoints saved before they were excluded keep their hash.
 */
const RESUME_NEUTRAL = [
  'load_checkpoint_path', 'resume', 'save_checkpoint_path', 'project_name', 'experiment_name', 'save_limit',
  'logger', 'log_samples', 'val_generations_to_log', 'val_before_train',
] as const;

/** The config as it is compared on resume: raw, with the neutral keys at their defaults and the ignored keys removed. */
function comparable(cfg: TrainConfig): Record<string, unknown> {
  const raw = structuredClone(rawConfig(cfg)) as unknown as Record<string, Record<string, unknown>>;
  const defaults = TrainTrainer.parse({}) as Record<string, unknown>;
  for (const k of RESUME_NEUTRAL) raw.trainer[k] = defaults[k];
  for (const path of GRPO_RESUME_IGNORED) {
    const [section, key] = path.split('.');
    delete raw[section]?.[key];
  }
  return raw;
}

/** The fingerprint stored in GRPO checkpoints. */
export function grpoConfigHash(cfg: TrainConfig): string {
  return configHash(comparable(cfg));
}

/** The config saved next to the hash, so a refused resume can name the changed keys. */
export function grpoStoredConfig(cfg: TrainConfig): Record<string, unknown> {
  return comparable(cfg);
}

/** Dotted paths of the leaves whose values differ between two plain configs. */
export function configDiff(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => configDiff(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [prefix || '(root)'];
}

/** The checkpoint to start from: load_checkpoint_path when set, else the latest in `root` when trainer.resume. */
export function pickCheckpoint(t: { load_checkpoint_path: string | null; resume: boolean }, root: string, log: (line: string) => void): CheckpointInfo | null {
  if (t.load_checkpoint_path) return readCheckpoint(t.load_checkpoint_path);
  return t.resume ? findLatestCheckpoint(root, (dir, why) => log(`resume: skipping ${dir}: ${why}`)) : null;
}

/** Throws when `ck` was saved under a config other than `cfg` (beyond the keys a resume may change). */
export function assertSameConfig(ck: CheckpointInfo, cfg: TrainConfig): void {
  if (ck.state.config_hash === grpoConfigHash(cfg)) return;
  const stored = ck.state.extra?.config;
  const changed = stored ? configDiff(stored, comparable(cfg)) : [];
  const what = changed.length
    ? `these keys differ from the saved run: ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? `, ... (${changed.length} in all)` : ''}`
    : 'its config hash differs from this config\'s (the checkpoint does not store its config, so the changed keys cannot be named)';
  throw new Error(
    `resume: checkpoint ${ck.dir} was saved with another config; ${what}. Restore those values, ` +
    `or start a fresh run (another trainer.save_checkpoint_path, or trainer.resume: false). ` +
    `A resume may change only ${GRPO_RESUME_IGNORED.join(', ')} and ${RESUME_NEUTRAL.map((k) => `trainer.${k}`).join(', ')}.`,
  );
}
