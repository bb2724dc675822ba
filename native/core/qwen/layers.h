// Small building blocks shared by the vision tower and the decoder, written to match the
// Hugging Face implementation's numerics (e.g. RMSNorm computes in fp32, scales in the input dtype).
#pragma once
#include <ATen/ATen.h>

#include "core/packed_linear.h"

namespace vsr1::qwen {

// Qwen2RMSNorm: weight * (x_fp32 * rsqrt(mean(x^2) + eps)).to(x.dtype). fp64 models (the tests'
// references) stay in fp64 instead of passing through fp32.
inline at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& w, double eps) {
  at::Tensor xf = x.to(x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat);
  at::Tensor var = xf.pow(2).mean(-1, true);
  return w * (xf * at::rsqrt(var + eps)).to(x.scalar_type());
}

// rotate_half: cat(-x2, x1) over the last dim.
inline at::Tensor rotateHalf(const at::Tensor& x) {
  int64_t h = x.size(-1) / 2;
  return at::cat({x.narrow(-1, h, h).neg(), x.narrow(-1, 0, h)}, -1);
}

inline at::Tensor applyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  return x * cos + rotateHalf(x) * sin;
}

// SwiGLU MLP: down(silu(gate(x)) * up(x)); biases optional (the vision MLP has them). `lin` as
// in packed_linear.h (null: at::linear).
inline at::Tensor gatedMlp(const at::Tensor& x, const at::Tensor& gW, const at::Tensor& gB, const at::Tensor& uW, const at::Tensor& uB,
                           const at::Tensor& dW, const at::Tensor& dB, const PackedLinears* lin = nullptr) {
  return linear(lin, at::silu(linear(lin, x, gW, gB)) * linear(lin, x, uW, uB), dW, dB);
}

}  // namespace vsr1::qwen
