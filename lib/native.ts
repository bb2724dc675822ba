/**
 * The only file that loads the compiled addon. lib/addon/ decides which file (a prebuild, a
 * source build, or VSR1_ADDON) and which libtorch; this file sets the OpenMP defaults, loads
 * libtorch, then the addon.
 *
 * Every other module calls the addon through `native`, typed by native_api.ts (which calls are
 * synchronous and which return Promises); tensors cross the boundary as numeric handles (see
 * native/core/handle_table.h).
 */
import { createRequire } from 'node:module';
import { locateAddon, type AddonChoice } from './addon/locate.js';
import { applyOpenMpDefaults } from './addon/openmp.js';
import { preloadLibtorch } from './addon/preload.js';

/** The addon's functions, declared in native_api.ts; lib/torch/ wraps them in typed APIs. */
import type { NativeApi } from './native_api.js';
export type { NativeApi };

const require = createRequire(import.meta.url);
/** The OpenMP variables this process got from lib/addon/openmp.ts (not set by the user). */
export const openMpDefaultsApplied: readonly string[] = applyOpenMpDefaults(); // before libgomp loads with libtorch
/** The addon file in use, its kind (prebuilt, source build, VSR1_ADDON) and its libtorch. */
export const addon: AddonChoice = locateAddon();
preloadLibtorch(addon.torch.libDir);
export const native: NativeApi = require(addon.path) as NativeApi;
