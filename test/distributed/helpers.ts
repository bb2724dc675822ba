/**
 * Shared pieces of the data-parallel tests: run a command as N ranks over loopback Gloo (through
 * the launcher or as bare processes), and compare the weights of two model folders.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { torch } from '../../lib/index.js';
import { freePort } from '../../lib/distributed/launcher.js';

export const TSX = ['--import', 'tsx'];
export const CLI = [...TSX, 'lib/cli/main.ts'];
export const GRPO_RANK = [...TSX, 'test/distributed/grpo_rank.ts'];
/** One libtorch thread per rank: two ranks share the 2 cores. */
export const ONE_THREAD = { ...process.env, OMP_NUM_THREADS: '1' };

export function writeJson(file: string, v: unknown): string {
  writeFileSync(file, JSON.stringify(v));
  return file;
}

/** node `args` in one process (no launch environment), bounded by `timeoutMs`. */
export function runOne(args: string[], timeoutMs = 180_000): SpawnSyncReturns<string> {
  const env = { ...ONE_THREAD };
  for (const k of ['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT']) delete env[k];
  return spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutMs, env });
}

export interface RankExit { rank: number; code: number | null; signal: NodeJS.Signals | null; out: string; endedAt: number }

/** `args` as `world` bare rank processes (the environment torchrun would set), each bounded by `timeoutMs`. */
export async function runRanks(args: (rank: number) => string[], world: number, timeoutMs = 180_000, onStart?: (rank: number, pid: number) => void): Promise<RankExit[]> {
  const port = await freePort('127.0.0.1');
  return Promise.all(Array.from({ length: world }, (_, rank) => new Promise<RankExit>((resolve) => {
    const env = { ...ONE_THREAD, RANK: String(rank), WORLD_SIZE: String(world), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
    const child = spawn(process.execPath, args(rank), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    if (child.pid) onStart?.(rank, child.pid);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ rank, code, signal, out, endedAt: Date.now() }); });
  })));
}

/** The largest absolute difference between the tensors of two model folders (same names). */
export function maxWeightDiff(a: string, b: string): number {
  let max = 0;
  for (const f of readdirSync(a).filter((x) => x.endsWith('.safetensors'))) {
    const x = torch.loadSafetensors(join(a, f)), y = torch.loadSafetensors(join(b, f));
    try {
      if ([...x.keys()].sort().join() !== [...y.keys()].sort().join()) throw new Error(`${f}: different tensor names`);
      for (const [k, t] of x) max = Math.max(max, torch.scope(() => t.sub(y.get(k)!).abs().max().item()));
    } finally {
      for (const t of [...x.values(), ...y.values()]) t.dispose();
    }
  }
  return max;
}
