/** Grad-mode scopes and functional gradients. All scopes are synchronous (see lifetime.ts). */
import { native } from '../native.js';
import { Tensor, wrap } from './tensor.js';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = native.setGradEnabled(enabled) as boolean;
  try {
    const r = fn();
    if (r instanceof Promise) throw new TypeError('grad-mode scopes only cover synchronous code');
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs `fn` without recording autograd history (torch.no_grad). */
export function noGrad<T>(fn: () => T): T { return withGradMode(false, fn); }
/**
 * Starts a native task with autograd off and returns its promise. The addon's tasks run with the
 * grad mode in force when they were created, so `start` must make its native `...Async` call
 * before it first awaits (as the models' `...Async` scoring methods do); the JS thread's grad mode
 * is restored as soon as `start` returns.
 */
export function noGradTask<T>(start: () => Promise<T>): Promise<T> {
  const prev = native.setGradEnabled(false) as boolean;
  try {
    return start();
  } finally {
    native.setGradEnabled(prev);
  }
}
/** Runs `fn` with autograd on, inside a noGrad region (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T { return withGradMode(true, fn); }
export function isGradEnabled(): boolean { return native.isGradEnabled(); }

/**
 * Runs `fn` in inference mode (torch.inference_mode): faster than noGrad; tensors made inside
 * can never join an autograd graph later.
 */
export function inferenceMode<T>(fn: () => T): T {
  native.inferenceModeEnter();
  try {
    const r = fn();
    if (r instanceof Promise) throw new TypeError('inferenceMode only covers synchronous code');
    return r;
  } finally {
    native.inferenceModeExit();
  }
}

/** d(outputs)/d(inputs) without touching .grad (torch.autograd.grad); null where unused. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor[], gradOutputs?: Tensor[] | null, createGraph = false): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const hs = native.autogradGrad(outs.map((t) => t.handle), inputs.map((t) => t.handle), gradOutputs ? gradOutputs.map((t) => t.handle) : null, createGraph) as (number | null)[];
  return hs.map((h) => (h === null ? null : wrap(h)));
}
