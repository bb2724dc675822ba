/**
 * The only file that loads the compiled addon (build/Release/vsr1.node).
 *
 * Every other module calls the addon through `native`. Functions are synchronous unless noted
 * in the C++ binding files (native/binding/*.cpp document [sync]/[async] per function); tensors
 * cross the boundary as numeric handles (see native/core/handle_table.h).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyOpenMpDefaults } from './addon/openmp.js';

/** Loose signature of the bound functions; lib/torch/ wraps them in typed APIs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeFn = (...args: any[]) => any;
export type NativeApi = Record<string, NativeFn>;

function findAddon(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.VSR1_ADDON,
    path.resolve(here, '..', 'build', 'Release', 'vsr1.node'), // running from lib/ (vitest, tsx)
    path.resolve(here, '..', '..', 'build', 'Release', 'vsr1.node'), // running from dist/lib/
  ].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  throw new Error(`vision-sr1 native addon not found (looked in ${candidates.join(', ')}): run \`npm run build:native\``);
}

const require = createRequire(import.meta.url);
/** The OpenMP variables this process got from lib/addon/openmp.ts (not set by the user). */
export const openMpDefaultsApplied: readonly string[] = applyOpenMpDefaults(); // before libgomp loads with the addon
export const addonPath = findAddon();
export const native: NativeApi = require(addonPath) as NativeApi;
