/** Small statistics helpers for benchmarks: medians and ratio tables. */
import { spawnSync } from 'node:child_process';
import { openMpDefaultsApplied } from '../lib/native.js';

/**
 * The environment for a peer process: ours, less the OpenMP wait settings that our addon loader
 * added (lib/addon/openmp.ts), so the peer runs as its users run it. VSR1_PEER_OMP=ours keeps them.
 */
export function peerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (process.env.VSR1_PEER_OMP !== 'ours') for (const k of openMpDefaultsApplied) delete env[k];
  return env;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a Python peer script and parses its JSON stdout. */
export function runPeer<T>(script: string, args: string[] = [], input = ""): T {
  const r = spawnSync(process.env.VSR1_PYTHON ?? "python3", [script, ...args], { input, encoding: "utf8", maxBuffer: 1 << 28, env: peerEnv({ OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' }) });
  if (r.status !== 0) throw new Error(`peer ${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Prints rows of {name, ours, peer, ratio} with a header. */
export function printRatios(title: string, unit: string, rows: Array<{ name: string; ours: number; peer: number }>): void {
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(22)} ${('ours ' + unit).padStart(14)} ${('peer ' + unit).padStart(14)} ${'ours/peer'.padStart(10)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(22)} ${r.ours.toFixed(1).padStart(14)} ${r.peer.toFixed(1).padStart(14)} ${(r.ours / r.peer).toFixed(3).padStart(10)}`);
  }
}
