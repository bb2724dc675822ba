// Activation checkpointing: run a segment of the network (a decoder layer, a vision block)
// without keeping its intermediate activations, and recompute them in the backward pass.
// Memory per segment drops to its input; the cost is one extra forward of the segment.
#pragma once
#include <ATen/ATen.h>

#include <functional>
#include <vector>

namespace vsr1 {

using Segment = std::function<at::Tensor(const at::Tensor&)>;

// out = fn(x), differentiable with respect to x and to `params` (the tensors fn reads that may
// need gradients: the segment's weights). fn must be deterministic (no dropout) and must read
// its weights from the same tensors passed in `params`. Without grad mode this is just fn(x).
at::Tensor checkpointed(const Segment& fn, const at::Tensor& x, const std::vector<at::Tensor>& params);

}  // namespace vsr1
