/**
 * Helpers of the package tests: pack the repository as npm would publish it, install the tarball
 * into a fresh folder outside the repository, and run commands there, optionally with no C++
 * toolchain on PATH.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..', '..');

/** Build tools hidden by pathWithoutToolchain. */
const TOOLCHAIN = /^(cmake|ctest|cpack|ccmake|make|gmake|ninja|ninja-build|cc|c\+\+|gcc|g\+\+|cpp|clang|clang\+\+|ld|ld\.bfd|ld\.gold)(-[\d.]+)?$|^x86_64-linux-gnu-(gcc|g\+\+|c\+\+|cpp|ld)/;

/** A folder of links to every program on PATH except compilers, linkers, cmake, make and ninja. */
export function pathWithoutToolchain(root: string): string {
  const bin = path.join(root, 'bin-no-toolchain');
  mkdirSync(bin, { recursive: true });
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || !existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      if (TOOLCHAIN.test(f) || existsSync(path.join(bin, f))) continue;
      const p = path.join(dir, f);
      try { if (statSync(p).isFile()) symlinkSync(p, path.join(bin, f)); } catch { /* dangling link or unreadable: leave it out */ }
    }
  }
  return bin;
}

export interface Run { status: number | null; out: string }

/** Runs a command, collecting stdout + stderr; never throws on a non-zero exit. */
export function run(cmd: string, args: readonly string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Run {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, encoding: 'utf8', timeout: o.timeoutMs ?? 600_000, maxBuffer: 1 << 28 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

/** `npm pack` of the repository into `dest`; returns the tarball path. */
export function packRepo(dest: string): string {
  const r = run('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: REPO });
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.out}`);
  const name = r.out.trim().split('\n').pop()!.trim();
  return path.join(dest, name);
}

/** The same tarball without its prebuilds/ folder (a platform or torch with no prebuild). */
export function withoutPrebuilds(tgz: string, dest: string): string {
  const work = mkdtempSync(path.join(tmpdir(), 'vsr1-repack-'));
  try {
    for (const [cmd, args] of [['tar', ['xzf', tgz, '-C', work]], ['rm', ['-rf', path.join(work, 'package', 'prebuilds')]], ['tar', ['czf', dest, '-C', work, 'package']]] as const) {
      const r = run(cmd, args, { cwd: work });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.out}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dest;
}

/**
 * A fresh npm project folder outside the repository whose package.json approves vision-sr1's
 * install script (npm 11's allowScripts; by name for the registry, by file for the tarball).
 */
export function freshApp(root: string, name: string, tgz: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const allowScripts = { 'vision-sr1': true, [`file:${tgz}`]: true };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', allowScripts }, null, 2));
  return dir;
}

/** `npm install` flags for the tests: the registry cache first, no audit or funding noise. */
export const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

/** The TypeScript example of the README (the ```ts block after the "<!-- example: custom-loss -->" marker). */
export function readmeExample(readme: string): string {
  const at = readme.indexOf('<!-- example: custom-loss -->');
  if (at < 0) throw new Error('README.md has no "<!-- example: custom-loss -->" marker');
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error('README.md: no ```ts block after the custom-loss marker');
  return m[1];
}
