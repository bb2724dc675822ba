/**
 * Tensors that must not change for a while: the weights a generation reads on a worker thread.
 * QwenVLModel.generate locks its parameters until the promise settles; the operations that write
 * weights from JS (AdamW.step, QwenVLModel.setTrainable/moveTo/dispose) refuse while they are
 * locked, instead of racing the worker. Writes through arbitrary in-place tensor ops are not
 * checked here.
 */
import type { Tensor } from './tensor.js';

const locks = new WeakMap<Tensor, { count: number; reason: string }>();

/** Locks `tensors` with `reason` (e.g. "model is generating"); returns the unlock function (idempotent). */
export function lockTensors(tensors: Iterable<Tensor>, reason: string): () => void {
  const held = [...tensors];
  for (const t of held) {
    const l = locks.get(t);
    if (l) l.count++;
    else locks.set(t, { count: 1, reason });
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const t of held) {
      const l = locks.get(t);
      if (l && --l.count === 0) locks.delete(t);
    }
  };
}

/** Throws `<what>: <reason>` when any of `tensors` is locked. */
export function assertUnlocked(tensors: Iterable<Tensor>, what: string): void {
  for (const t of tensors) {
    const l = locks.get(t);
    if (l) throw new Error(`${what}: ${l.reason}; wait until it settles before changing the weights`);
  }
}
