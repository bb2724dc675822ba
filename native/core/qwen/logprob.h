// Log-probabilities of given tokens under the LM head, without keeping a full-vocabulary fp32
// softmax for the batch: a custom autograd function computes lm_head logits in row chunks in
// the forward pass and recomputes them chunk by chunk in the backward pass.
#pragma once
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

namespace vsr1::qwen {

// hidden [N, H], weight [V, H], targets [N] -> log p(target) [N] at `temperature` (differentiable
// w.r.t. hidden and weight); `entropy` (if non-null) receives the per-row entropy, no gradient.
at::Tensor lmHeadLogProbs(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets, double temperature, int64_t chunk,
                          at::Tensor* entropy);

}  // namespace vsr1::qwen
