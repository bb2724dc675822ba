// Variable-length ("packed") attention: several sequences concatenated along the token axis,
// each attending only to itself. This is what lets a micro-batch train without padding.
#pragma once
#include <ATen/ATen.h>

#include <vector>

namespace vsr1 {

// Sequence boundaries of a packed row: cu[0] = 0, cu[i + 1] - cu[i] = length of sequence i.
struct Segments {
  std::vector<int64_t> cu;
  int64_t count() const { return static_cast<int64_t>(cu.size()) - 1; }
  int64_t total() const { return cu.empty() ? 0 : cu.back(); }
  int64_t maxLength() const;
  // Throws std::invalid_argument unless cu starts at 0, never decreases and ends at `total`.
  void check(int64_t total, const char* what) const;
};

// q [T, Hq, D], k/v [T, Hkv, D] (Hq a multiple of Hkv) -> [T, Hq, D]. On CUDA in half/bf16 this is
// the varlen flash kernel that libtorch ships (it has autograd); otherwise an exact fallback that
// batches sequences of similar length into padded scaled_dot_product_attention calls.
at::Tensor varlenAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Segments& seg, bool causal);

// Whether varlenAttention takes the flash kernel for these inputs (exposed for the profile/tests).
bool varlenUsesFlash(const at::Tensor& q);

}  // namespace vsr1
