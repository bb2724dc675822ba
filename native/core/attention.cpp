#include "core/attention.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vsr1 {

int64_t Segments::maxLength() const {
  int64_t m = 0;
  for (int64_t s = 0; s < count(); ++s) m = std::max(m, length(s));
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
  if (prefix.empty()) return;
  if (static_cast<int64_t>(prefix.size()) != count()) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(prefix.size()) + " shared-prefix entries for " + std::to_string(count()) + " sequences");
  }
  for (int64_t s = 0; s < count(); ++s) {
    const int64_t p = prefix[s];
    if (p == -1) continue;
    if (p < 0 || p >= s || prefix[p] != -1) {
      throw std::invalid_argument(std::string(what) + ": sequence " + std::to_string(s) + " has shared prefix " + std::to_string(p) +
                                  "; a prefix must be an earlier sequence without a prefix of its own (or -1 for none)");
    }
  }
}

bool Segments::hasPrefixes() const {
  for (int64_t p : prefix) if (p != -1) return true;
  return false;
}

bool varlenUsesFlash(const at::Tensor& q) {
  const auto dt = q.scalar_type();
  // The flash kernel takes half/bf16 only, head dims up to 256 in multiples of 8.
  return q.is_cuda() && (dt == at::kBFloat16 || dt == at::kHalf) && q.size(-1) % 8 == 0 && q.size(-1) <= 256;
}

namespace {

// Sequences of similar length, longest (in keys) first: a bucket grows while padding its members
// to its longest queries and keys costs at most a quarter more attention (queries x keys) than
// running them one by one. `queries(s)` and `keys(s)` are sequence s's query and key counts.
template <typename Q, typename K>
std::vector<std::vector<int64_t>> lengthBuckets(int64_t count, const Q& queries, const K& keys) {
  std::vector<int64_t> order(count);
  for (int64_t s = 0; s < count; ++s) order[s] = s;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return keys(a) > keys(b); });
  std::vector<std::vector<int64_t>> buckets;
  double exact = 0;
  int64_t bucketQ = 0;
  for (int64_t s : order) {
    const double cost = static_cast<double>(queries(s)) * static_cast<double>(keys(s));
    if (!buckets.empty()) {
      const int64_t lq = std::max(bucketQ, queries(s));
      const double n = static_cast<double>(buckets.back().size() + 1);
      if (n * static_cast<double>(lq) * static_cast<double>(keys(buckets.back().front())) <= 1.25 * (exact + cost)) {
        buckets.back().push_back(s);
        exact += cost;
        bucketQ = lq;
        continue;
      }
    }
    buckets.push_back({s});
    exact = cost;
    bucketQ = queries(s);
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
  auto len = [&](int64_t s) { return seg.length(s); };
  for (const auto& bucket : lengthBuckets(seg.count(), len, len)) {
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

// Causal attention where a sequence may read a shared prefix (Segments::prefix): its queries see
// every prefix key, then its own keys causally. Sequences of similar key length share one
// padded call with an explicit mask (query j of a sequence with a prefix of P tokens sees keys
// 0 .. P + j); padded query rows are discarded, padded key rows are never visible to a real one.
// Gathers are index_select, so a prefix read by n sequences gets the sum of their gradients.
at::Tensor prefixedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Segments& seg) {
  const bool gqa = q.size(1) != k.size(1);
  const auto longOpts = at::TensorOptions().dtype(at::kLong);
  auto prefixLen = [&](int64_t s) { const int64_t p = seg.prefixOf(s); return p < 0 ? int64_t{0} : seg.length(p); };
  auto queries = [&](int64_t s) { return seg.length(s); };
  auto keys = [&](int64_t s) { return prefixLen(s) + seg.length(s); };
  const auto buckets = lengthBuckets(seg.count(), queries, keys);
  std::vector<at::Tensor> outs;
  std::vector<int64_t> where(seg.total());
  int64_t base = 0;
  for (const auto& bucket : buckets) {
    const int64_t n = static_cast<int64_t>(bucket.size()), Lk = keys(bucket[0]);
    int64_t Lq = 0;
    for (int64_t s : bucket) Lq = std::max(Lq, seg.length(s));
    std::vector<int64_t> qRows(n * Lq), kRows(n * Lk), prefixes(n);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t s = bucket[i], a = seg.cu[s], len = seg.length(s), P = prefixLen(s), p = seg.prefixOf(s);
      prefixes[i] = P;
      for (int64_t j = 0; j < Lq; ++j) {
        qRows[i * Lq + j] = a + std::min(j, len - 1);  // padding repeats a real row and is discarded
        if (j < len) where[a + j] = base + i * Lq + j;
      }
      for (int64_t c = 0; c < Lk; ++c) kRows[i * Lk + c] = c < P ? seg.cu[p] + c : a + std::min(c - P, len - 1);
    }
    auto onDevice = [&](const std::vector<int64_t>& v) { return at::tensor(v, longOpts).to(q.device()); };
    auto batch = [&](const at::Tensor& t, const std::vector<int64_t>& rows, int64_t L) {
      return t.index_select(0, onDevice(rows)).view({n, L, t.size(1), t.size(2)}).transpose(1, 2);  // [n, H, L, D]
    };
    // Key c is visible to query j of member i when c <= P_i + j.
    const auto devLong = longOpts.device(q.device());
    at::Tensor mask = at::arange(Lk, devLong).view({1, 1, Lk}).le(onDevice(prefixes).view({n, 1, 1}) + at::arange(Lq, devLong).view({1, Lq, 1})).unsqueeze(1);
    at::Tensor kb = batch(k, kRows, Lk), vb = batch(v, kRows, Lk);
    if (gqa && q.is_cuda()) {
      // CUDA's memory-efficient kernel takes the mask but not grouped-query attention; with both,
      // SDPA would fall back to the math kernel and its [n, H, Lq, Lk] scores.
      kb = kb.repeat_interleave(q.size(1) / k.size(1), 1);
      vb = vb.repeat_interleave(q.size(1) / k.size(1), 1);
    }
    at::Tensor o = at::scaled_dot_product_attention(batch(q, qRows, Lq), kb, vb, mask, 0.0, false, std::nullopt, gqa && !q.is_cuda());
    outs.push_back(o.transpose(1, 2).reshape({n * Lq, q.size(1), q.size(2)}));
    base += n * Lq;
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
  if (seg.hasPrefixes()) {
    TORCH_CHECK(causal, "varlenAttention: shared prefixes are for causal attention");
    return prefixedAttention(q, k, v, seg);
  }
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
