#include "core/qwen/score.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/attention.h"
#include "core/qwen/logprob.h"

namespace vsr1::qwen {
namespace {

// The row whose hidden state predicts the token at packed index `start`: the one before it,
// except at the start of a sequence that reads a shared prefix, whose first token follows the
// prefix's last one (a response placed after its prompt's other responses).
int64_t firstPredictor(const Segments& seg, int64_t start) {
  const int64_t s = std::upper_bound(seg.cu.begin(), seg.cu.end(), start) - seg.cu.begin() - 1;
  const int64_t p = seg.prefixOf(s);
  return p >= 0 && start == seg.cu[s] ? seg.cu[p + 1] - 1 : start - 1;
}

}  // namespace

ScoredResponses scorePackedResponses(const Model& m, const ForwardInput& in, const PackedResponses& r, double temperature, int64_t chunk,
                                     bool withEntropy) {
  if (in.cuSeqlens.empty()) throw std::invalid_argument("scorePackedResponses: the input is not packed (no sequence boundaries)");
  const int64_t B = static_cast<int64_t>(r.start.size()), R = r.columns;
  if (static_cast<int64_t>(r.length.size()) != B) throw std::invalid_argument("scorePackedResponses: starts and lengths differ in count");
  const int64_t T = in.inputIds.size(1);
  const Segments seg{in.cuSeqlens, in.segmentPrefix};
  seg.check(T, "scorePackedResponses");
  std::vector<int64_t> hiddenRow, targetCol, outSlot;
  for (int64_t b = 0; b < B; ++b) {
    if (r.length[b] > R) throw std::invalid_argument("response " + std::to_string(b) + " has " + std::to_string(r.length[b]) + " tokens, more than the " + std::to_string(R) + " columns");
    if (r.length[b] > 0 && (r.start[b] < 1 || r.start[b] + r.length[b] > T)) {
      throw std::invalid_argument("response " + std::to_string(b) + " at packed tokens [" + std::to_string(r.start[b]) + ", " + std::to_string(r.start[b] + r.length[b]) +
                                  ") does not fit in " + std::to_string(T) + " tokens (token 0 has no preceding token)");
    }
    const int64_t first = r.length[b] > 0 ? firstPredictor(seg, r.start[b]) : 0;
    for (int64_t j = 0; j < r.length[b]; ++j) {
      hiddenRow.push_back(j == 0 ? first : r.start[b] + j - 1);
      targetCol.push_back(r.start[b] + j);
      outSlot.push_back(b * R + j);
    }
  }
  auto idx = [&](const std::vector<int64_t>& v) { return at::tensor(v, at::kLong).to(m.device); };
  at::Tensor h = m.hidden(in).squeeze(0);                                    // [T, hidden]
  at::Tensor ids = in.inputIds.to(m.device).to(at::kLong).squeeze(0);          // [T]
  at::Tensor rows = h.index_select(0, idx(hiddenRow));
  at::Tensor targets = ids.index_select(0, idx(targetCol));
  at::Tensor ent;
  at::Tensor lp = lmHeadLogProbs(rows, m.w.lmHead, targets, temperature, chunk, withEntropy ? &ent : nullptr);
  at::Tensor slots = idx(outSlot);
  ScoredResponses out;
  out.logProbs = at::zeros({B * R}, lp.options()).index_copy(0, slots, lp).view({B, R});
  if (withEntropy) out.entropy = at::zeros({B * R}, ent.options()).index_copy(0, slots, ent).view({B, R});
  return out;
}

}  // namespace vsr1::qwen
