// Sampling noise keyed by sequence, not by batch position: the random numbers a sequence's
// token at step t sees depend only on (seed, sequence id, t, token id). So a sequence samples
// the same tokens whatever else shares its batch, whether finished rows were compacted out, and
// in which wave it ran; generating it alone with the same id gives the same result.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>

namespace vsr1::qwen {

// Gumbel(0, 1) noise [R, V] (float32, on seqIds' device) for rows with these sequence ids and
// token indices (both [R] int64). argmax(logits + noise) samples from softmax(logits).
at::Tensor sequenceGumbelNoise(uint64_t seed, const at::Tensor& seqIds, const at::Tensor& steps, int64_t vocab);

}  // namespace vsr1::qwen
