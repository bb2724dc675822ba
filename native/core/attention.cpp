#include "core/attention.h"

#include <stdexcept>
#include <string>

namespace vsr1 {

int64_t Segments::maxLength() const {
  int64_t m = 0;
  for (size_t i = 0; i + 1 < cu.size(); ++i) m = std::max(m, cu[i + 1] - cu[i]);
  return m;
}

void Segments::check(int64_t total, const char* what) const {
  if (cu.size() < 2 || cu.front() != 0 || cu.back() != total) {
    throw std::invalid_argument(std::string(what) + ": sequence boundaries must start at 0 and end at the packed length " + std::to_string(total) +
                                (cu.empty() ? std::string(", got none") : ", got [" + std::to_string(cu.front()) + " .. " + std::to_string(cu.back()) + "]"));
  }
  for (size_t i = 0; i + 1 < cu.size(); ++i) {
    if (cu[i + 1] <= cu[i]) throw std::invalid_argument(std::string(what) + ": sequence " + std::to_string(i) + " is empty or the boundaries decrease");
  }
}

bool varlenUsesFlash(const at::Tensor& q) {
  const auto dt = q.scalar_type();
  // The flash kernel takes half/bf16 only, head dims up to 256 in multiples of 8.
  return q.is_cuda() && (dt == at::kBFloat16 || dt == at::kHalf) && q.size(-1) % 8 == 0 && q.size(-1) <= 256;
}

at::Tensor varlenAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Segments& seg, bool causal) {
  TORCH_CHECK(q.dim() == 3 && k.dim() == 3 && v.dim() == 3, "varlenAttention: q, k, v must be [tokens, heads, head_dim], got ", q.sizes(), ", ",
              k.sizes(), ", ", v.sizes());
  TORCH_CHECK(q.size(1) % k.size(1) == 0, "varlenAttention: ", q.size(1), " query heads are not a multiple of ", k.size(1), " key/value heads");
  seg.check(q.size(0), "varlenAttention");
  if (varlenUsesFlash(q)) {
    at::Tensor cu = at::tensor(seg.cu, at::kLong).to(at::kInt).to(q.device());
    const int64_t maxLen = seg.maxLength();
    // Flash takes grouped-query attention as is (fewer key/value heads), so K/V are never repeated.
    auto out = at::_flash_attention_forward(q.contiguous(), k.contiguous(), v.contiguous(), cu, cu, maxLen, maxLen, 0.0, causal, false);
    return std::get<0>(out);
  }
  const bool gqa = q.size(1) != k.size(1);
  std::vector<at::Tensor> outs;
  outs.reserve(seg.count());
  for (int64_t s = 0; s < seg.count(); ++s) {
    const int64_t a = seg.cu[s], len = seg.cu[s + 1] - a;
    auto head = [&](const at::Tensor& t) { return t.narrow(0, a, len).transpose(0, 1).unsqueeze(0); };  // [1, H, len, D]
    outs.push_back(at::scaled_dot_product_attention(head(q), head(k), head(v), std::nullopt, 0.0, causal, std::nullopt, gqa).squeeze(0).transpose(0, 1));
  }
  return outs.size() == 1 ? outs[0] : at::cat(outs, 0);
}

}  // namespace vsr1
