/**
 * The configs that ship with the package (configs/*.yaml). A config argument that is not a file
 * in the working directory is looked up there, so `vsr1 pipeline` or `vsr1 sft --config
 * configs/world_sft.yaml` (or just `world_sft`) work from any folder after `npm install`. Paths
 * inside a config stay relative to the working directory (runs/... is written there).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../addon/package_root.js';

const builtinDir = () => path.join(packageRoot(), 'configs');

/** Names of the built-in configs (without .yaml). */
export function builtinConfigs(): string[] {
  return existsSync(builtinDir()) ? readdirSync(builtinDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort() : [];
}

/** `p` itself when it exists; else the built-in config it names (configs/x.yaml, x.yaml or x); else `p`. */
export function resolveConfigPath(p: string): string {
  if (existsSync(p)) return p;
  const base = path.basename(p).replace(/\.ya?ml$/, '');
  const builtin = path.join(builtinDir(), `${base}.yaml`);
  const namesBuiltin = p === base || p === `${base}.yaml` || path.normalize(p) === path.join('configs', `${base}.yaml`);
  return namesBuiltin && existsSync(builtin) ? builtin : p;
}
