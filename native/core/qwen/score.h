// Scoring responses for training: log p(response token) and entropy per token, from one forward
// pass over a packed micro-batch, laid out as the padded [B, R] rows the GRPO/SFT losses take.
#pragma once
#include <ATen/ATen.h>

#include <vector>

#include "core/qwen/model.h"

namespace vsr1::qwen {

// Where each sample's response lies in the packed row: tokens start[b] .. start[b] + length[b] - 1.
struct PackedResponses {
  std::vector<int64_t> start, length;
  int64_t columns = 0;  // R: the output's width (>= every length)
};

struct ScoredResponses {
  at::Tensor logProbs;  // [B, R] (with autograd), 0 past each sample's length
  at::Tensor entropy;   // [B, R] without gradient, or undefined
};

// in.cuSeqlens must be set (packed layout). The log-prob of token t comes from the hidden state at
// t - 1 (for the first token of a sequence with a shared prefix: the prefix's last token),
// divided by `temperature`; only real response tokens go through the LM head.
ScoredResponses scorePackedResponses(const Model& m, const ForwardInput& in, const PackedResponses& r, double temperature, int64_t chunk,
                                     bool withEntropy);

}  // namespace vsr1::qwen
