/**
 * Atomic checkpoint saving. Everything is written into a hidden temp folder next to the
 * checkpoints, flushed to disk, and only then renamed to `global_step_<N>`; the `latest`
 * pointer is replaced by rename too. A crash at any moment therefore leaves every earlier
 * checkpoint and the previous pointer as they were; at worst a `.tmp-*` folder remains.
 *
 * Saving a step that already exists (a restarted run re-doing steps) cannot swap two folders in
 * one rename, so it moves the old one aside (`.old-*`), then the new one in. Both are complete
 * at every moment of that window, and recoverInterruptedSaves (run at start-up) puts a complete
 * one back when a crash left `global_step_<N>` missing; so a run with save_limit 1 never loses
 * its only checkpoint.
 *
 * The tensors are written by the trainer's `writePayload(dir)` callback (model, optimizer);
 * this module owns the folder life cycle, trainer_state.json and retention.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LATEST_FILE, findLatestCheckpoint, listCheckpoints, readCheckpoint } from './discover.js';
import { CHECKPOINT_PREFIX, TRAINER_STATE_FILE, stepOfName, type TrainerState, type TrainerStateInput } from './state.js';

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
  /**
   * Called after each step of the save (tests stop here to leave the folder as a crash at that
   * point would: a throw ends the save without any clean-up).
   */
  afterPhase?: (phase: SavePhase) => void;
}

/** The points between the steps of a save, in order. */
export const SAVE_PHASES = ['written', 'old-moved-aside', 'new-moved-in', 'old-removed', 'pointer-written'] as const;
export type SavePhase = (typeof SAVE_PHASES)[number];

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
  const phase = o.afterPhase ?? (() => undefined);
  phase('written');
  if (await exists(final)) {
    // Saving a step again: the old folder steps aside (complete, recoverable), the new one moves in, then the old one goes.
    const old = join(o.root, tmpName('old-' + name));
    await rename(final, old);
    await fsyncPath(o.root, true);
    phase('old-moved-aside');
    await rename(tmp, final);
    await fsyncPath(o.root, true);
    phase('new-moved-in');
    await rm(old, { recursive: true, force: true });
    phase('old-removed');
  } else {
    await rename(tmp, final);
    await fsyncPath(o.root, true);
    phase('new-moved-in');
  }
  await writeFileAtomic(join(o.root, LATEST_FILE), `${name}\n`, o.root);
  phase('pointer-written');

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

/** What recoverInterruptedSaves did: checkpoints put back under their name, leftovers deleted. */
export interface RecoveryReport {
  restored: Array<{ from: string; to: string }>;
  removed: string[];
}

const LEFTOVER = /^\.(tmp|old|trash|tmpfile)-(.*?)(-\d+-[0-9a-f]{8})?$/;

/**
 * Finishes or undoes interrupted saves under `root`: where `global_step_<N>` is missing but a
 * complete copy of it sits in a `.tmp-*` (new, fully written) or `.old-*` (moved aside) folder,
 * that copy is renamed back, the new one preferred; every other leftover (`.tmp-*`, `.old-*`,
 * `.trash-*`, `.tmpfile-*`) is deleted, and `latest` is rewritten when something came back. Call once at start-up, under the run lock, before any save.
 */
export async function recoverInterruptedSaves(root: string): Promise<RecoveryReport> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return { restored: [], removed: [] };
  }
  const report: RecoveryReport = { restored: [], removed: [] };
  const leftovers = names.map((n) => ({ n, m: LEFTOVER.exec(n) })).filter((x) => x.m !== null);
  // New copies before old ones, so a step saved twice comes back as its newer save.
  const rank = (kind: string) => (kind === 'tmp' ? 0 : kind === 'old' ? 1 : 2);
  leftovers.sort((a, b) => rank(a.m![1]) - rank(b.m![1]));
  for (const { n, m } of leftovers) {
    const [kind, target] = [m![1], m![2]];
    const path = join(root, n);
    const step = stepOfName(target);
    if ((kind === 'tmp' || kind === 'old') && step !== null && !(await exists(join(root, target))) && isComplete(path, step)) {
      await rename(path, join(root, target));
      report.restored.push({ from: path, to: join(root, target) });
      continue;
    }
    await rm(path, { recursive: true, force: true });
    report.removed.push(path);
  }
  if (report.restored.length) {
    await fsyncPath(root, true);
    // The pointer names the newest complete checkpoint again (resume does not need it; people and tools read it).
    const newest = findLatestCheckpoint(root);
    if (newest) await writeFileAtomic(join(root, LATEST_FILE), `${basename(newest.dir)}\n`, root);
  }
  return report;
}

function isComplete(dir: string, step: number): boolean {
  try {
    return readCheckpoint(dir).step === step;
  } catch {
    return false;
  }
}

/** recoverInterruptedSaves with each action logged (what the trainers call at start-up). */
export async function recoverRunFolder(root: string, log: (line: string) => void): Promise<RecoveryReport> {
  const r = await recoverInterruptedSaves(root);
  for (const x of r.restored) log(`checkpoint: an interrupted save left ${x.to} missing; restored it from ${x.from}`);
  if (r.removed.length) log(`checkpoint: removed ${r.removed.length} leftover(s) of interrupted saves: ${r.removed.join(', ')}`);
  return r;
}
