#include "core/attention.h"

#include <algorithm>
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

namespace {

// Sequences of similar length, longest first: a bucket grows while padding its members to the
// first (longest) one costs at most a quarter more attention than running them one by one.
std::vector<std::vector<int64_t>> lengthBuckets(const Segments& seg) {
  std::vector<int64_t> order(seg.count());
  for (int64_t s = 0; s < seg.count(); ++s) order[s] = s;
  auto len = [&](int64_t s) { return seg.cu[s + 1] - seg.cu[s]; };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return len(a) > len(b); });
  std::vector<std::vector<int64_t>> buckets;
  double exact = 0;
  for (int64_t s : order) {
    const double l = static_cast<double>(len(s));
    if (!buckets.empty()) {
      const double longest = static_cast<double>(len(buckets.back().front()));
      const double n = static_cast<double>(buckets.back().size() + 1);
      if (n * longest * longest <= 1.25 * (exact + l * l)) {
        buckets.back().push_back(s);
        exact += l * l;
        continue;
      }
    }
    buckets.push_back({s});
    exact = l * l;
  }
  return buckets;
}

// The exact fallback: each bucket of sequences becomes one right-padded batch for one
// scaled_dot_product_attention call. Padding keys sit after every real key, so causal masking
// alone keeps them out; without causality a key mask does. Rows are gathered in and out with
// index_select, whose backward is one index_add each.
at::Tensor bucketedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Segments& seg, bool causal) {
  const bool gqa = q.size(1) != k.size(1);
  const auto longOpts = at::TensorOptions().dtype(at::kLong);
  std::vector<at::Tensor> outs;
  std::vector<int64_t> where(seg.total());  // row of each real token in the concatenated bucket outputs
  int64_t base = 0;
  for (const auto& bucket : lengthBuckets(seg)) {
    const int64_t n = static_cast<int64_t>(bucket.size()), L = seg.cu[bucket[0] + 1] - seg.cu[bucket[0]];
    std::vector<int64_t> rows(n * L);
    std::vector<uint8_t> real(n * L, 0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t a = seg.cu[bucket[i]], len = seg.cu[bucket[i] + 1] - a;
      for (int64_t j = 0; j < L; ++j) {
        rows[i * L + j] = a + std::min(j, len - 1);  // padding repeats a real row; it is masked or discarded
        if (j < len) {
          real[i * L + j] = 1;
          where[a + j] = base + i * L + j;
        }
      }
    }
    at::Tensor idx = at::tensor(rows, longOpts).to(q.device());
    auto batch = [&](const at::Tensor& t) { return t.index_select(0, idx).view({n, L, t.size(1), t.size(2)}).transpose(1, 2); };  // [n, H, L, D]
    std::optional<at::Tensor> mask;
    bool padded = false;
    for (uint8_t r : real) padded = padded || !r;
    if (!causal && padded) mask = at::tensor(std::vector<int64_t>(real.begin(), real.end()), longOpts).to(q.device()).to(at::kBool).view({n, 1, 1, L});
    at::Tensor o = at::scaled_dot_product_attention(batch(q), batch(k), batch(v), mask, 0.0, causal, std::nullopt, gqa);
    outs.push_back(o.transpose(1, 2).reshape({n * L, q.size(1), q.size(2)}));
    base += n * L;
  }
  at::Tensor all = outs.size() == 1 ? outs[0] : at::cat(outs, 0);
  return all.index_select(0, at::tensor(where, longOpts).to(q.device()));
}

}  // namespace

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
  return bucketedAttention(q, k, v, seg, causal);
}

}  // namespace vsr1
