#include "core/qwen/sequence_noise.h"

namespace vsr1::qwen {
namespace {

constexpr int64_t kMask32 = 0xffffffffLL;

// A 32-bit xorshift-multiply mixer on int64 tensors holding values in [0, 2^32). Every
// multiplier is below 2^31, so no product reaches 2^63 (no signed overflow), and the shifts act
// on non-negative values (arithmetic = logical).
at::Tensor mix32(at::Tensor h) {
  h = at::bitwise_xor(h, at::bitwise_right_shift(h, 16));
  h = at::bitwise_and(h * 0x7feb352dLL, kMask32);
  h = at::bitwise_xor(h, at::bitwise_right_shift(h, 15));
  h = at::bitwise_and(h * 0x2c1b3c6dLL, kMask32);
  h = at::bitwise_xor(h, at::bitwise_right_shift(h, 12));
  h = at::bitwise_and(h * 0x297a2d39LL, kMask32);
  return at::bitwise_xor(h, at::bitwise_right_shift(h, 15));
}

at::Tensor low32(const at::Tensor& x) { return at::bitwise_and(x, kMask32); }

}  // namespace

at::Tensor sequenceUniforms(uint64_t seed, const at::Tensor& seqIds, const at::Tensor& steps, int64_t round) {
  TORCH_CHECK(seqIds.dim() == 1 && steps.sizes() == seqIds.sizes(), "sequence ids and steps must be matching [rows] tensors");
  auto opts = seqIds.options().dtype(at::kLong);
  const int64_t s = static_cast<int64_t>((seed ^ (seed >> 32)) & 0xffffffffULL);
  // Seed, then sequence id, then step, each folded in through the mixer.
  at::Tensor bits = mix32(at::bitwise_xor(mix32(at::bitwise_xor(mix32(at::full_like(seqIds, s, opts)), low32(seqIds))), low32(steps)));
  if (round > 0) bits = mix32(at::bitwise_xor(bits, round & kMask32));
  // In (0, 1): never 0 or 1.
  return (bits.to(at::kDouble) + 0.5) / 4294967296.0;
}

}  // namespace vsr1::qwen
