/**
 * `vsr1 launch`: starts the ranks of a data-parallel run on this machine, as torchrun does for
 * one node: every rank is this CLI again, with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
 * MASTER_ADDR and MASTER_PORT set. Output lines are prefixed with the rank. When one rank fails
 * the others are stopped (SIGTERM, then SIGKILL after a grace period), so a run never hangs on a
 * dead rank; the exit code is the first failure's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface LaunchOptions {
  nprocPerNode: number;
  /** The CLI arguments of each rank (e.g. ['train', '--config', 'x.yaml']). */
  args: string[];
  masterAddr?: string;
  /** 0 = a free port. */
  masterPort?: number;
  /** Seconds between SIGTERM and SIGKILL for the ranks left when one fails. */
  graceS?: number;
  /** Threads per rank (OMP_NUM_THREADS), so ranks do not oversubscribe the cores. */
  threadsPerRank?: number | null;
  /** The program and arguments that run the CLI (default: this process's node and script). */
  command?: { file: string; args: string[] };
  log?: (line: string) => void;
}

/** A free TCP port on `host` (asked of the OS, then released for rank 0's store). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Runs every rank to the end; resolves with the exit code (0 when all succeeded). */
export async function launch(o: LaunchOptions): Promise<number> {
  const log = o.log ?? ((l: string) => console.error(l));
  if (!(Number.isInteger(o.nprocPerNode) && o.nprocPerNode >= 1)) throw new Error(`launch: --nproc-per-node must be an integer >= 1, got ${o.nprocPerNode}`);
  if (!o.args.length) throw new Error('launch: give the command each rank runs after --, e.g. vsr1 launch --nproc-per-node 2 -- train --config configs/x.yaml');
  const masterAddr = o.masterAddr ?? '127.0.0.1';
  const masterPort = o.masterPort || (await freePort(masterAddr));
  const cmd = o.command ?? { file: process.execPath, args: [...process.execArgv, process.argv[1]] };
  const W = o.nprocPerNode;
  log(`launch: ${W} rank(s), store ${masterAddr}:${masterPort}: ${o.args.join(' ')}`);
  const children: ChildProcess[] = [];
  let firstFailure: { rank: number; code: number } | null = null;
  const exits = Array.from({ length: W }, (_, rank) => new Promise<void>((resolve) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(W), LOCAL_WORLD_SIZE: String(W),
      MASTER_ADDR: masterAddr, MASTER_PORT: String(masterPort), ...(o.threadsPerRank ? { OMP_NUM_THREADS: String(o.threadsPerRank) } : {}),
    };
    const child = spawn(cmd.file, [...cmd.args, ...o.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
      createInterface({ input: stream! }).on('line', (line) => out.write(`[rank ${rank}] ${line}\n`));
    }
    child.on('exit', (code, signal) => {
      if (code !== 0 && !firstFailure) {
        firstFailure = { rank, code: code ?? 1 };
        log(`launch: rank ${rank} ${describeExit(code, signal)}; stopping the other ranks`);
        stopOthers(children, child, (o.graceS ?? 10) * 1000);
      }
      resolve();
    });
    child.on('error', (e) => {
      log(`launch: rank ${rank} could not start: ${e.message}`);
      if (!firstFailure) firstFailure = { rank, code: 1 };
      stopOthers(children, child, 0);
      resolve();
    });
  }));
  await Promise.all(exits);
  if (firstFailure) {
    const f = firstFailure as { rank: number; code: number };
    log(`launch: failed (first failure: rank ${f.rank})`);
    return f.code || 1;
  }
  return 0;
}

function stopOthers(children: readonly ChildProcess[], failed: ChildProcess, graceMs: number): void {
  for (const c of children) {
    if (c === failed || c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGTERM');
    setTimeout(() => { if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); }, graceMs).unref();
  }
}
