/**
 * One run per run folder. A second trainer on the same save_checkpoint_path used to delete the
 * first run's in-progress checkpoint at start-up (stale-temp cleaning) and then adopt its
 * checkpoints, mixing two runs in one folder. The lock is a file created exclusively (O_EXCL) in
 * the folder, holding the holder's PID, host and start time; a lock whose PID is dead on this host
 * is stale (a killed run) and is taken over with a notice.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.vsr1-run.lock';

interface Holder { pid: number; host: string; started: string; command: string }

export class RunLock {
  private released = false;
  private constructor(readonly file: string, private readonly holder: Holder) {}

  /** Takes the folder's lock (creating the folder) or throws naming the run that holds it. */
  static acquire(root: string, log: (line: string) => void = () => {}): RunLock {
    mkdirSync(root, { recursive: true });
    const file = join(root, LOCK_FILE);
    const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        try { writeSync(fd, `${JSON.stringify(me)}\n`); } finally { closeSync(fd); }
        return new RunLock(file, me);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`run folder ${root}: cannot create its lock ${file} (${(e as Error).message})`);
      }
      const held = readHolder(file);
      if (held && (held.host !== me.host || isAlive(held.pid))) {
        throw new Error(`run folder ${root} is in use by pid ${held.pid} on ${held.host} since ${held.started} (${held.command}); stop that run or use another trainer.save_checkpoint_path (if it is not running, delete ${file})`);
      }
      log(held ? `run folder ${root}: taking over the lock of pid ${held.pid} (started ${held.started}), which is no longer running` : `run folder ${root}: replacing an unreadable lock file ${file}`);
      try { unlinkSync(file); } catch { /* another run took it over first: the next attempt sees its lock */ }
    }
    throw new Error(`run folder ${root}: another run took its lock while this one was replacing a stale lock`);
  }

  /** Removes the lock if this process still holds it (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const held = readHolder(this.file);
    if (held && held.pid === this.holder.pid && held.started === this.holder.started) {
      try { unlinkSync(this.file); } catch { /* already gone */ }
    }
  }

  [Symbol.dispose](): void { this.release(); }
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Whether a process with this PID exists on this host (EPERM: it exists but is someone else's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
