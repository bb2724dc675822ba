/**
 * Atomic checkpoint saving. Everything is written into a hidden temp folder next to the
 * checkpoints, flushed to disk, and only then renamed to `global_step_<N>`; the `latest`
 * pointer is replaced by rename too. A crash at any moment therefore leaves every earlier
 * checkpoint and the previous pointer as they were; at worst a `.tmp-*` folder remains,
 * which discovery ignores and cleanStaleTemp removes.
 *
 * The tensors are written by the trainer's `writePayload(dir)` callback (model, optimizer);
 * this module owns the folder life cycle, trainer_state.json and retention.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LATEST_FILE, listCheckpoints } from './discover.js';
import { CHECKPOINT_PREFIX, TRAINER_STATE_FILE, type TrainerState, type TrainerStateInput } from './state.js';

export interface SaveCheckpointOptions {
  /** Folder holding all checkpoints of the run (trainer.save_checkpoint_path). */
  root: string;
  /** Steps completed; names the folder global_step_<step>. */
  step: number;
  state: TrainerStateInput;
  /** Writes the tensors (and anything else) into `dir`, the temp folder. */
  writePayload?: (dir: string) => Promise<void>;
  /** Keep only the newest K checkpoints (trainer.save_limit); -1 or undefined keeps all. */
  keepLast?: number;
}

export interface SaveCheckpointResult {
  dir: string;
  /** Checkpoint folders removed by retention. */
  removed: string[];
}

const tmpName = (tag: string) => `.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;

async function fsyncPath(path: string, dir: boolean): Promise<void> {
  // Directories are opened read-only to fsync their entries; not supported everywhere (ignore EISDIR/EPERM there).
  const fh = await open(path, dir ? constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) : 'r+').catch(() => null);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on directories; the rename order still protects the data
  } finally {
    await fh.close();
  }
}

/** fsyncs every file and folder under `dir`, so the rename publishes data that is on disk. */
async function fsyncTree(dir: string): Promise<void> {
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await fsyncTree(p);
    else if (ent.isFile()) await fsyncPath(p, false);
  }
  await fsyncPath(dir, true);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Writes `text` to `path` atomically (temp file, fsync, rename, fsync folder). */
export async function writeFileAtomic(path: string, text: string, dirOfPath: string): Promise<void> {
  const tmp = join(dirOfPath, tmpName('tmpfile'));
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncPath(dirOfPath, true);
}

/** Removes a folder so that a crash half-way never leaves something that looks like a checkpoint. */
async function removeCheckpointDir(root: string, dir: string): Promise<void> {
  const trash = join(root, tmpName('trash'));
  await rename(dir, trash);
  await rm(trash, { recursive: true, force: true });
}

/**
 * Saves checkpoint `step` under `root` atomically, points `latest` at it, then applies
 * retention. If writePayload throws, the temp folder is removed and the error rethrown;
 * existing checkpoints and `latest` are untouched.
 */
export async function saveCheckpoint(o: SaveCheckpointOptions): Promise<SaveCheckpointResult> {
  if (!Number.isInteger(o.step) || o.step < 0) throw new Error(`saveCheckpoint: step must be a non-negative integer, received ${o.step}`);
  await mkdir(o.root, { recursive: true });
  const name = `${CHECKPOINT_PREFIX}${o.step}`;
  const final = join(o.root, name);
  const tmp = join(o.root, tmpName('tmp-' + name));
  await mkdir(tmp);
  try {
    if (o.writePayload) await o.writePayload(tmp);
    const state: TrainerState = { format: 1, step: o.step, saved_at: new Date().toISOString(), ...o.state };
    await writeFile(join(tmp, TRAINER_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    await fsyncTree(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  if (await exists(final)) {
    // Saving a step again (e.g. after resuming from an earlier checkpoint): swap, then drop the old one.
    const old = join(o.root, tmpName('old-' + name));
    await rename(final, old);
    await rename(tmp, final);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, final);
  }
  await fsyncPath(o.root, true);
  await writeFileAtomic(join(o.root, LATEST_FILE), `${name}\n`, o.root);

  const removed: string[] = [];
  if (o.keepLast !== undefined && o.keepLast > 0) {
    const all = listCheckpoints(o.root);
    const excess = all.filter((c) => c.dir !== final).slice(0, Math.max(0, all.length - o.keepLast));
    for (const c of excess) {
      await removeCheckpointDir(o.root, c.dir);
      removed.push(c.dir);
    }
  }
  return { dir: final, removed };
}

/**
 * Removes leftovers of interrupted saves (`.tmp-*`, `.old-*`, `.trash-*`, `.tmpfile-*`) under
 * `root`. Call once at start-up, before any save, when no other process writes there.
 */
export async function cleanStaleTemp(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const stale = names.filter((n) => /^\.(tmp|old|trash|tmpfile)-/.test(n)).map((n) => join(root, n));
  for (const p of stale) await rm(p, { recursive: true, force: true });
  return stale;
}
