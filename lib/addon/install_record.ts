/**
 * What the install step (or a source build) settled on: which addon file to load and against
 * which libtorch. Written last, atomically, only after the addon loaded in a child process, so a
 * failed install leaves no record that points at something broken.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Libtorch } from './libtorch.js';

export type AddonKind = 'prebuilt' | 'source';

export interface InstallRecord {
  addon: string;
  kind: AddonKind;
  torch: Omit<Libtorch, 'source'> & { source: string };
  /** ISO time of the install. */
  at: string;
}

export const recordPath = (pkgRoot: string) => path.join(pkgRoot, 'build', 'vsr1-install.json');

export function readInstallRecord(pkgRoot: string): InstallRecord | null {
  const p = recordPath(pkgRoot);
  if (!existsSync(p)) return null;
  let r: InstallRecord;
  try {
    r = JSON.parse(readFileSync(p, 'utf8')) as InstallRecord;
  } catch (e) {
    throw new Error(`${p} is not valid JSON (${(e as Error).message}): run \`npm rebuild vision-sr1\` to redo the install step`);
  }
  if (typeof r.addon !== 'string' || !r.torch || typeof r.torch.libDir !== 'string') throw new Error(`${p} lacks addon or torch.libDir: run \`npm rebuild vision-sr1\``);
  return r;
}

export function writeInstallRecord(pkgRoot: string, r: InstallRecord): void {
  const p = recordPath(pkgRoot);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(`${p}.tmp`, `${JSON.stringify(r, null, 2)}\n`);
  renameSync(`${p}.tmp`, p);
}
