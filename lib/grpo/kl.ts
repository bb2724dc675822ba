/**
 * Per-token KL estimators between the policy and the reference model (docs/method.md, "KL loss"; EasyR1
 * `compute_kl`), from the log-probabilities of the sampled tokens only.
 */
import * as torch from '../torch/index.js';

type Tensor = torch.Tensor;

/**
 * - 'kl' (k1): logπθ − logπref
 * - 'abs': |logπθ − logπref|
 * - 'mse' (k2): ½(logπθ − logπref)²
 * - 'low_var_kl' (k3, Schulman): x = logπref − logπθ, clamp(eˣ − x − 1, −10, 10)
 * - 'full' is not available: it needs both full-vocabulary distributions at every position,
 *   which the sampled-token log-probs do not carry; asking for it throws.
 */
export type KlType = 'kl' | 'abs' | 'mse' | 'low_var_kl' | 'full';

export interface KlOptions {
  /**
   * low_var_kl only: clamp x = logπref − logπθ to [−c, c] before exp. null (default) = no clamp,
   * as in the Vision-SR1 fork; upstream EasyR1 uses 20. Without it, a huge x gives exp(x) = inf,
   * the output clamp hides that in the value but the gradient becomes 0·inf = NaN.
   */
  clampLogDiff?: number | null;
}

/** Output bounds of low_var_kl (both fork and upstream). */
export const LOW_VAR_KL_BOUND = 10;

/**
 * Per-token KL penalty.
 *
 * Half-precision inputs are upcast to float32 (EasyR1 computes KL in fp32); float32/float64 stay.
 * Gradients flow through `logProbs` (and `refLogProbs` if it requires grad, which it should not).
 * @param logProbs [B, T] logπθ of the sampled tokens
 * @param refLogProbs [B, T] logπref of the same tokens
 * @returns [B, T] per-token penalty, owned by the caller; padding positions are not masked here
 */
export function klPenalty(logProbs: Tensor, refLogProbs: Tensor, type: KlType, options: KlOptions = {}): Tensor {
  const a = logProbs.shape, b = refLogProbs.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`klPenalty: logProbs [${a.join(', ')}] and refLogProbs [${b.join(', ')}] must have the same shape`);
  }
  if (type === 'full') {
    throw new Error("klPenalty: type 'full' needs the full-vocabulary distributions of policy and reference; only sampled-token log-probs are available, use 'low_var_kl', 'kl', 'abs' or 'mse'");
  }
  return torch.scope(() => {
    const up = (t: Tensor) => (t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.float() : t);
    const lp = up(logProbs), ref = up(refLogProbs);
    switch (type) {
      case 'kl': return lp.sub(ref);
      case 'abs': return lp.sub(ref).abs();
      case 'mse': return lp.sub(ref).square().mul(0.5);
      case 'low_var_kl': {
        let x = ref.sub(lp);
        const c = options.clampLogDiff;
        if (c !== undefined && c !== null) x = x.clamp(-c, c);
        return x.exp().sub(x).sub(1).clamp(-LOW_VAR_KL_BOUND, LOW_VAR_KL_BOUND);
      }
      default:
        throw new Error(`klPenalty: unknown KL type '${String(type)}'; expected 'kl', 'abs', 'mse' or 'low_var_kl'`);
    }
  });
}
