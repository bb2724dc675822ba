/**
 * Runs a Python oracle script (torch, transformers, mathruler, safetensors) and returns its JSON.
 *
 * Oracle tests must run in CI (CI=true): there a missing Python package is a failure.
 * Off CI, a missing oracle makes the calling suite skip with a visible message.
 */
import { spawnSync } from 'node:child_process';

const PYTHON = process.env.VSR1_PYTHON ?? 'python3';
const cache = new Map<string, boolean>();

/** True when `python3 -c "import <modules>"` succeeds. Throws on CI when it does not. */
export function oracleAvailable(modules: string[]): boolean {
  const key = modules.join(',');
  if (!cache.has(key)) {
    const r = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    const ok = r.status === 0;
    if (!ok) {
      const msg = `oracle python modules [${key}] unavailable: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
      if (process.env.CI) throw new Error(`${msg} (oracle tests must run in CI)`);
      console.warn(`SKIPPING oracle tests: ${msg}`);
    }
    cache.set(key, ok);
  }
  return cache.get(key)!;
}

/**
 * Runs `python3 <script> [args]` with `input` as JSON on stdin and parses stdout as JSON.
 * `script` is a path relative to the repository root (usually under scripts/oracle/).
 */
export function runOracle<T = unknown>(script: string, input: unknown = null, args: string[] = [], timeoutMs = 600_000): T {
  const r = spawnSync(PYTHON, [script, ...args], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: timeoutMs,
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' },
  });
  if (r.status !== 0) {
    throw new Error(`oracle ${script} failed (exit ${r.status}): ${r.stderr || r.error}`);
  }
  return JSON.parse(r.stdout) as T;
}
