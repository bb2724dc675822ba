/**
 * Deterministic memory release for tensors.
 *
 * - `t.dispose()` (or `[Symbol.dispose]`) frees a tensor at once.
 * - `scope(fn)` frees every tensor created while `fn` runs, except the ones it returns
 *   (found in the returned value, arrays and plain objects, recursively).
 * - Tensors created outside any scope get a FinalizationRegistry entry as a safety net; inside
 *   scopes none is registered, which keeps per-op cost low in hot loops.
 */
import { native } from '../native.js';

/** Anything that owns a native tensor handle. */
export interface HandleOwner {
  readonly handle: number;
}

let depth = 0;
const finalizer = new FinalizationRegistry<number>((h) => { native.dispose(h); });

/** Called for each new tensor wrapper: registers the GC safety net outside scopes. */
export function track(owner: object, handle: number): void {
  if (depth === 0) finalizer.register(owner, handle, owner);
}

/** Called on explicit dispose so the finalizer does not fire for a freed handle later. */
export function untrack(owner: object): void {
  finalizer.unregister(owner);
}

export function scopeDepth(): number {
  return depth;
}

function collectHandles(v: unknown, out: number[], owners: object[], seen: Set<unknown>): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  const h = (v as Partial<HandleOwner>).handle;
  if (typeof h === 'number' && (v as { [k: symbol]: unknown })[IS_TENSOR]) {
    out.push(h);
    owners.push(v as object);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) collectHandles(x, out, owners, seen);
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v as Record<string, unknown>)) collectHandles(x, out, owners, seen);
  }
}

/** Marks tensor wrappers so scopes can find them in returned values. */
export const IS_TENSOR = Symbol.for('vsr1.tensor');

/**
 * Runs `fn` and frees every tensor created inside it except those in its return value.
 * `fn` must be synchronous: tensors made after an `await` would land in whatever scope is
 * open at that moment. For async work, dispose explicitly or scope each synchronous part.
 */
export function scope<T>(fn: () => T): T {
  native.scopeEnter();
  depth++;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    depth--;
    native.scopeExit([]);
    throw e;
  }
  depth--;
  if (result instanceof Promise) {
    native.scopeExit([]);
    throw new TypeError('torch.scope: the function returned a Promise; scopes only cover synchronous code');
  }
  const keep: number[] = [];
  const owners: object[] = [];
  collectHandles(result, keep, owners, new Set());
  native.scopeExit(keep);
  if (depth === 0) for (let i = 0; i < owners.length; i++) finalizer.register(owners[i], keep[i], owners[i]);
  return result;
}

/** Live native tensors and the CPU bytes they hold (as counted by the handle table). */
export function memoryStats(): { liveTensors: number; trackedCpuBytes: number; scopeDepth: number } {
  return native.memoryStats();
}
