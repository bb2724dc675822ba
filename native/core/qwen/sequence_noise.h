// Sampling randomness keyed by sequence, not by batch position: the uniform number a sequence's
// token at step t is drawn with depends only on (seed, sequence id, t). So a sequence samples
// the same tokens whatever else shares its batch, whether finished rows were compacted out, and
// in which wave it ran; generating it alone with the same id gives the same result.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>

namespace vsr1::qwen {

// One uniform number in (0, 1) per row (float64 [R], on seqIds' device) for rows with these
// sequence ids and token indices (both [R] int64); `round` > 0 gives further independent draws
// for the same token (rejection sampling).
at::Tensor sequenceUniforms(uint64_t seed, const at::Tensor& seqIds, const at::Tensor& steps, int64_t round = 0);

}  // namespace vsr1::qwen
