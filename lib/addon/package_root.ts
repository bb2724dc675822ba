/** The vision-sr1 package folder, from this file's place (lib/addon/ under tsx, dist/lib/addon/ when built). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'vision-sr1') return (cached = dir);
    dir = path.dirname(dir);
  }
  throw new Error(`vision-sr1: no package.json named vision-sr1 above ${fileURLToPath(import.meta.url)}`);
}

/** Torch versions (major.minor) the package has prebuilt addons for, oldest first (package.json "vsr1.torch"). */
export function supportedTorch(): string[] {
  const pj = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { vsr1?: { torch?: string[] } };
  return pj.vsr1?.torch ?? [];
}
