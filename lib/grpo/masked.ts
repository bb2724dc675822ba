/**
 * Masked reductions over response tokens (EasyR1 `torch_functional.masked_mean` semantics).
 *
 * Shapes: `values` and `mask` are [B, T] (any equal shapes); mask entries are 0/1 (bool, int or
 * float). The mask is cast to the values' dtype so bf16/fp32/fp64 paths keep their precision.
 */
import * as torch from '../torch/index.js';

type Tensor = torch.Tensor;

/** The epsilon added to the token count by every masked mean (EasyR1 default). */
export const MASKED_MEAN_EPS = 1e-8;

/** `mask` as a 0/1 tensor of `values`' dtype (no copy when it already is). */
export function maskLike(mask: Tensor, values: Tensor): Tensor {
  return mask.dtype === values.dtype ? mask : mask.to(values.dtype);
}

/**
 * Σ(values·mask) / (Σmask + eps), over all elements or along `dim`.
 * @param values [B, T]
 * @param mask [B, T], 0/1
 * @param dim reduce along this dimension only ([B, T] → [B] for dim = -1); all elements if omitted
 * @returns a scalar tensor, or the reduced shape when `dim` is given
 */
export function maskedMean(values: Tensor, mask: Tensor, dim?: number, eps = MASKED_MEAN_EPS): Tensor {
  return torch.scope(() => {
    const m = maskLike(mask, values);
    return values.mul(m).sum(dim).div(m.sum(dim).add(eps));
  });
}

/** Σ(values·mask), over all elements or along `dim`. Shapes as maskedMean. */
export function maskedSum(values: Tensor, mask: Tensor, dim?: number): Tensor {
  return torch.scope(() => values.mul(maskLike(mask, values)).sum(dim));
}

/**
 * `x` with padding positions (mask = 0) replaced by 0.
 *
 * Applied to log-ratios before `exp`: masked means multiply padding by 0, but 0·inf is NaN, and
 * a NaN in the forward pass (or an inf in exp's backward) would poison the whole micro-batch.
 * On valid tokens the values and gradients are unchanged; padding gets gradient 0 either way.
 * @param x [B, T]
 * @param mask [B, T], 0/1
 */
export function zeroPadding(x: Tensor, mask: Tensor): Tensor {
  return torch.scope(() => torch.where(mask.dtype === 'bool' ? mask : mask.ne(0), x, 0));
}

/** Throws unless `t` has exactly `shape`; `what` names the argument in the message. */
export function expectShape(t: Tensor, shape: readonly number[], what: string): void {
  const s = t.shape;
  if (s.length !== shape.length || s.some((d, i) => d !== shape[i])) {
    throw new Error(`${what}: expected shape [${shape.join(', ')}], got [${s.join(', ')}]`);
  }
}
