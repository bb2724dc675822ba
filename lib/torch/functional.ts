/** Free functions over several tensors and the nn ops that are not Tensor methods. */
import { native } from '../native.js';
import type { Generator } from './random.js';
import { Tensor, type Operand, scalarOrHandle, wrap } from './tensor.js';

function handles(op: string, ts: readonly Tensor[]): number[] {
  if (!Array.isArray(ts) || ts.length === 0) throw new TypeError(`${op}: expected a non-empty array of tensors`);
  return ts.map((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: element ${i} is not a Tensor`);
    return t.handle;
  });
}
const opt = (t: Tensor | null | undefined) => (t ? t.handle : null);

export function cat(ts: readonly Tensor[], dim = 0): Tensor { return wrap(native.cat(handles('cat', ts), dim)); }
export function stack(ts: readonly Tensor[], dim = 0): Tensor { return wrap(native.stack(handles('stack', ts), dim)); }
/** cond ? a : b, elementwise; a and b may be scalars. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const [av, as] = scalarOrHandle('where', 'input', a);
  const [bv, bs] = scalarOrHandle('where', 'other', b);
  return wrap(native.where(cond.handle, av, bv, as, bs));
}
export function einsum(eq: string, ...ts: Tensor[]): Tensor { return wrap(native.einsum(eq, handles('einsum', ts))); }
export function outer(a: Tensor, b: Tensor): Tensor { return wrap(native.outer(a.handle, b.handle)); }
export function allclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return native.allclose(a.handle, b.handle, rtol, atol); }
export function equal(a: Tensor, b: Tensor): boolean { return native.equal(a.handle, b.handle); }
export function oneHot(t: Tensor, numClasses = -1): Tensor { return wrap(native.oneHot(t.handle, numClasses)); }

/** y = x W^T + b */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor { return wrap(native.linear(x.handle, weight.handle, opt(bias))); }
export function embedding(weight: Tensor, ids: Tensor, paddingIdx?: number): Tensor { return wrap(native.embedding(weight.handle, ids.handle, paddingIdx ?? null)); }
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return wrap(native.layerNorm(x.handle, [...normalizedShape], opt(weight), opt(bias), eps));
}
export function rmsNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, eps?: number): Tensor {
  return wrap(native.rmsNorm(x.handle, [...normalizedShape], opt(weight), eps ?? null));
}
export interface ConvOptions { stride?: number | number[]; padding?: number | number[]; dilation?: number | number[]; groups?: number }
function pair(v: number | number[] | undefined, n: number, d: number): number[] {
  return v === undefined ? Array(n).fill(d) : typeof v === 'number' ? Array(n).fill(v) : v;
}
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor {
  return wrap(native.conv2d(x.handle, w.handle, opt(bias), pair(o.stride, 2, 1), pair(o.padding, 2, 0), pair(o.dilation, 2, 1), o.groups ?? 1));
}
export function conv3d(x: Tensor, w: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor {
  return wrap(native.conv3d(x.handle, w.handle, opt(bias), pair(o.stride, 3, 1), pair(o.padding, 3, 0), pair(o.dilation, 3, 1), o.groups ?? 1));
}
export interface AttentionOptions {
  /** Boolean mask (true = may attend) or an additive float mask, broadcastable to [B, H, L, S]. */
  mask?: Tensor | null;
  dropoutP?: number;
  isCausal?: boolean;
  scale?: number;
  /** Grouped-query attention: k/v have fewer heads than q. */
  enableGqa?: boolean;
}
/** libtorch's fused scaled-dot-product attention over [B, H, L, D] tensors. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions = {}): Tensor {
  return wrap(native.sdpa(q.handle, k.handle, v.handle, opt(o.mask), o.dropoutP ?? 0, o.isCausal ?? false, o.scale ?? null, o.enableGqa ?? false));
}
export function dropout(x: Tensor, p: number, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: expected p in [0, 1], got ${p}`);
  return wrap(native.dropout(x.handle, p, training));
}
export function multinomial(probs: Tensor, numSamples: number, replacement = false, generator?: Generator): Tensor {
  return wrap(native.multinomial(probs.handle, numSamples, replacement, generator?.index ?? null));
}
/** Mean cross-entropy of logits [N, C] against class ids [N]; `ignoreIndex` rows are skipped. */
export function crossEntropy(logits: Tensor, target: Tensor, o: { ignoreIndex?: number; reduction?: 'none' | 'mean' | 'sum'; labelSmoothing?: number } = {}): Tensor {
  const red = ({ none: 0, mean: 1, sum: 2 } as const)[o.reduction ?? 'mean'];
  return wrap(native.crossEntropy(logits.handle, target.handle, o.ignoreIndex ?? -100, red, o.labelSmoothing ?? 0));
}
/**
 * Log-probability of each target token under logits/temperature, and optionally the entropy of
 * each position, computed in row chunks (no full-vocabulary fp32 log-softmax of the batch).
 */
export function tokenLogProbs(logits: Tensor, targets: Tensor, o: { temperature?: number; entropy?: boolean; chunk?: number } = {}): { logProbs: Tensor; entropy: Tensor | null } {
  const hs = native.tokenLogProbs(logits.handle, targets.handle, o.temperature ?? 1, o.entropy ?? false, o.chunk ?? null) as number[];
  return { logProbs: wrap(hs[0]), entropy: hs.length > 1 ? wrap(hs[1]) : null };
}
