/**
 * Building the addon from native/ with cmake-js against a found libtorch (a checkout's
 * `npm run build:native`, or the install step when no prebuild matches), and checking in a
 * child process that a candidate addon loads and agrees with its libtorch before anything
 * records it: a crash while loading then fails the check, not the installer.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Libtorch } from './libtorch.js';

/** The build tools a source build needs that are not on PATH (empty when all are there). */
export function missingToolchain(env: NodeJS.ProcessEnv = process.env): string[] {
  const onPath = (cmd: string) => (env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
  const missing: string[] = [];
  if (!onPath('cmake')) missing.push('cmake');
  if (!['c++', 'g++', 'clang++'].some(onPath) && !env.CXX) missing.push('a C++ compiler (g++ or clang++)');
  if (!onPath('make') && !onPath('ninja')) missing.push('make or ninja');
  return missing;
}

/** Compiles native/ into <root>/build/Release/vsr1.node; returns its path or throws with the build's exit status. */
export function buildFromSource(root: string, torch: Libtorch, extraArgs: readonly string[] = []): string {
  const require = createRequire(path.join(root, 'package.json'));
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  // VSR1_TORCH_CMAKE=1 links through TorchConfig.cmake (needs a CUDA toolkit for a CUDA libtorch).
  const viaTorchConfig = process.env.VSR1_TORCH_CMAKE === '1' ? 'ON' : 'OFF';
  const args = [cmakeJs, 'compile', `--CDTORCH_ROOT=${torch.root}`, `--CDVSR1_CXX11_ABI=${torch.cxx11abi ? 1 : 0}`, `--CDVSR1_TORCH_CMAKE=${viaTorchConfig}`, ...extraArgs];
  if (!extraArgs.includes('--debug')) args.push('--config', 'Release');
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? '2' } });
  if (r.status !== 0) throw new Error(`the source build of the addon failed (cmake-js exit ${r.status ?? r.signal}); its output is above`);
  return path.join(root, 'build', 'Release', 'vsr1.node');
}

export interface LoadCheck { ok: boolean; torchVersion?: string; cxx11abi?: boolean; error?: string }

/**
 * Loads `addon` against `torch` in a child Node (scripts/check-addon.mjs): it must load, report
 * the same torch major.minor and ABI it was compiled for, and compute 1 + 1.
 */
export function checkAddonLoads(root: string, addon: string, torch: Libtorch): LoadCheck {
  const script = path.join(root, 'scripts', 'check-addon.mjs');
  const r = spawnSync(process.execPath, [script], {
    encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, VSR1_ADDON: addon, LIBTORCH: torch.root, Torch_DIR: '' },
  });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    return { ok: false, error: `loading ${addon} failed (${r.signal ? `signal ${r.signal}` : `exit ${r.status}`}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}` };
  }
  const info = JSON.parse(last) as { torchVersion: string; cxx11abi: boolean; sum: number };
  const mm = /^(\d+\.\d+)/.exec(info.torchVersion)?.[1];
  if (mm !== torch.majorMinor) return { ok: false, ...info, error: `${addon} was compiled against torch ${info.torchVersion}, but libtorch at ${torch.root} is ${torch.version}` };
  if (info.cxx11abi !== torch.cxx11abi) return { ok: false, ...info, error: `${addon} uses the ${info.cxx11abi ? 'cxx11' : 'pre-cxx11'} ABI, libtorch at ${torch.root} the other` };
  if (info.sum !== 2) return { ok: false, ...info, error: `${addon} loaded but computed 1 + 1 = ${info.sum}` };
  return { ok: true, torchVersion: info.torchVersion, cxx11abi: info.cxx11abi };
}
