/**
 * Profiling: named ranges (libtorch RecordFunction: they appear in profiler traces, and as NVTX
 * ranges inside `emitNvtx`), a profiler session that writes a Chrome/Perfetto trace
 * (chrome://tracing, ui.perfetto.dev) of every op run inside it, with input shapes and times, and
 * CUDA kernels on a GPU, and `emitNvtx`, which turns every op and range into an NVTX range for
 * Nsight Systems instead (CUDA only).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { native } from '../native.js';

/** Runs `fn` inside a named range; works for sync and async functions. */
export function range<T>(name: string, fn: () => T): T {
  const token = native.rangePush(name) as number;
  let r: T;
  try {
    r = fn();
  } catch (e) {
    native.rangePop(token);
    throw e;
  }
  if (r instanceof Promise) return r.finally(() => native.rangePop(token)) as T;
  native.rangePop(token);
  return r;
}

export interface ProfileOptions {
  /** Trace file to write (Chrome trace-event JSON). */
  tracePath: string;
  recordShapes?: boolean;
  withStack?: boolean;
  /** Record CUDA kernels when a GPU is present (default true). */
  cuda?: boolean;
}

/** Profiles everything `fn` runs (sync or async) and writes the trace when it finishes. */
export async function profile<T>(o: ProfileOptions, fn: () => T | Promise<T>): Promise<T> {
  mkdirSync(path.dirname(path.resolve(o.tracePath)), { recursive: true });
  native.profilerStart(o.recordShapes ?? true, o.withStack ?? false, o.cuda ?? true);
  try {
    return await fn();
  } finally {
    native.profilerStop(o.tracePath);
  }
}

/**
 * Runs `fn` (sync or async) with every op and named range emitted as an NVTX range, for a run under
 * Nsight Systems (`nsys profile node ...`); writes no file. Needs libtorch with CUDA and a GPU:
 * elsewhere it throws before `fn` runs. A trace (`profile`) and NVTX cannot run at once.
 */
export async function emitNvtx<T>(fn: () => T | Promise<T>, o: { recordShapes?: boolean } = {}): Promise<T> {
  native.nvtxStart(o.recordShapes ?? false);
  try {
    return await fn();
  } finally {
    native.nvtxStop();
  }
}
