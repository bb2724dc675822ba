// Variable-length ("packed") attention: several sequences concatenated along the token axis,
// each attending only to itself. This is what lets a micro-batch train without padding.
//
// A sequence may also read a shared prefix: another sequence of the row, seen in full before its
// own tokens. That is how the n responses of one GRPO prompt train on one copy of the prompt:
// the row holds [prompt, response 1, ..., response n], each response with the prompt as prefix,
// and the prompt's activations (and their gradients, summed over the n readers) exist once.
#pragma once
#include <ATen/ATen.h>

#include <vector>

namespace vsr1 {

// Sequence boundaries of a packed row: cu[0] = 0, cu[i + 1] - cu[i] = length of sequence i.
struct Segments {
  std::vector<int64_t> cu;
  // Empty, or one entry per sequence: the earlier sequence it reads in full before its own
  // tokens (its shared prefix), -1 for none. A prefix sequence has no prefix itself.
  std::vector<int64_t> prefix;
  int64_t count() const { return static_cast<int64_t>(cu.size()) - 1; }
  int64_t total() const { return cu.empty() ? 0 : cu.back(); }
  int64_t maxLength() const;
  int64_t length(int64_t s) const { return cu[s + 1] - cu[s]; }
  // The prefix of sequence s (-1 for none).
  int64_t prefixOf(int64_t s) const { return prefix.empty() ? -1 : prefix[s]; }
  bool hasPrefixes() const;
  // Throws std::invalid_argument unless cu starts at 0, never decreases and ends at `total`, and
  // every prefix is an earlier sequence without a prefix of its own.
  void check(int64_t total, const char* what) const;
};

// q [T, Hq, D], k/v [T, Hkv, D] (Hq a multiple of Hkv) -> [T, Hq, D]. On CUDA in half/bf16 this is
// the varlen flash kernel that libtorch ships (it has autograd); otherwise an exact fallback that
// batches sequences of similar length into padded scaled_dot_product_attention calls. Rows with
// shared prefixes (causal only) always take a masked fallback of the same kind, on every device.
at::Tensor varlenAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Segments& seg, bool causal);

// Whether varlenAttention takes the flash kernel for these inputs (exposed for the profile/tests).
bool varlenUsesFlash(const at::Tensor& q);

}  // namespace vsr1
