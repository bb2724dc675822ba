/**
 * Finding checkpoints to resume from. Only complete checkpoints count: a `global_step_N`
 * folder whose trainer_state.json parses and names step N. Half-written temp folders
 * (`.tmp-*`) left by a crash are never candidates.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CHECKPOINT_PREFIX, TRAINER_STATE_FILE, parseTrainerState, stepOfName, type TrainerState } from './state.js';

/** Name of the pointer file holding the folder name of the newest checkpoint. */
export const LATEST_FILE = 'latest';

/** A complete checkpoint. */
export interface CheckpointInfo {
  dir: string;
  step: number;
  state: TrainerState;
}

/**
 * Reads one checkpoint folder (e.g. trainer.load_checkpoint_path). Throws an Error naming the
 * folder and what is wrong when it is not a complete checkpoint.
 */
export function readCheckpoint(dir: string): CheckpointInfo {
  const file = join(dir, TRAINER_STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`checkpoint ${dir}: no readable ${TRAINER_STATE_FILE} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const state = parseTrainerState(text, file);
  const named = stepOfName(basename(dir));
  if (named !== null && named !== state.step) throw new Error(`checkpoint ${dir}: folder says step ${named} but ${TRAINER_STATE_FILE} says ${state.step}`);
  return { dir, step: state.step, state };
}

/** Complete checkpoints under `root`, oldest first. Broken folders are skipped (reported via onSkip). */
export function listCheckpoints(root: string, onSkip?: (dir: string, reason: string) => void): CheckpointInfo[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: CheckpointInfo[] = [];
  for (const name of names) {
    if (!name.startsWith(CHECKPOINT_PREFIX) || stepOfName(name) === null) continue;
    try {
      out.push(readCheckpoint(join(root, name)));
    } catch (e) {
      onSkip?.(join(root, name), (e as Error).message);
    }
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The checkpoint to resume from: the complete checkpoint saved last (trainer_state.json's
 * saved_at; the higher step on a tie). The `latest` pointer is not trusted: a crash between a
 * save's rename and the pointer's rewrite leaves it naming the previous one, and a run resumed
 * from an earlier step re-saves lower steps after higher ones. Null when there is none.
 */
export function findLatestCheckpoint(root: string, onSkip?: (dir: string, reason: string) => void): CheckpointInfo | null {
  let best: CheckpointInfo | null = null;
  for (const c of listCheckpoints(root, onSkip)) {
    if (!best || c.state.saved_at > best.state.saved_at || (c.state.saved_at === best.state.saved_at && c.step > best.step)) best = c;
  }
  return best;
}
