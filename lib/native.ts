/**
 * The only file that loads the compiled addon. lib/addon/ decides which file (a prebuild, a
 * source build, or VSR1_ADDON) and which libtorch; this file sets the OpenMP defaults, loads
 * libtorch, then the addon.
 *
 * Every other module calls the addon through `native`. Functions are synchronous unless noted
 * in the C++ binding files (native/binding/*.cpp document [sync]/[async] per function); tensors
 * cross the boundary as numeric handles (see native/core/handle_table.h).
 */
import { createRequire } from 'node:module';
import { locateAddon, type AddonChoice } from './addon/locate.js';
import { applyOpenMpDefaults } from './addon/openmp.js';
import { preloadLibtorch } from './addon/preload.js';

/** Loose signature of the bound functions; lib/torch/ wraps them in typed APIs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeFn = (...args: any[]) => any;
export type NativeApi = Record<string, NativeFn>;

const require = createRequire(import.meta.url);
/** The OpenMP variables this process got from lib/addon/openmp.ts (not set by the user). */
export const openMpDefaultsApplied: readonly string[] = applyOpenMpDefaults(); // before libgomp loads with libtorch
/** The addon file in use, its kind (prebuilt, source build, VSR1_ADDON) and its libtorch. */
export const addon: AddonChoice = locateAddon();
export const addonPath = addon.path;
preloadLibtorch(addon.torch.libDir);
export const native: NativeApi = require(addon.path) as NativeApi;
