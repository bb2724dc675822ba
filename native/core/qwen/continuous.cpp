// Continuous batching: the prompts are prefilled once into a prompt cache (one row per prompt,
// not per sample), and a fixed pool of `maxRows` decode slots runs the sequences. Each slot is at
// its own step of its own sequence: its key/value goes to column L + step of its slot and its
// mask admits its prompt and its own generated columns only. When a slot's sequence stops (a stop
// token or its token budget), the next pending sequence takes the slot: its prompt's keys/values
// and last logits are copied in and its step starts at 0. Sampling noise is keyed by (sequence,
// step), so every sequence draws what it would draw alone.
#include <algorithm>
#include <chrono>
#include <vector>

#include "core/qwen/decoder.h"
#include "core/qwen/generate.h"

namespace vsr1::qwen {
namespace {

// What a slot needs from its sequence's prompt, for every prompt of the call.
struct PromptState {
  KvCache cache;       // [B, kvHeads, L, headDim] per layer
  at::Tensor mask;     // [B, L] bool
  at::Tensor last;     // [B, V] logits of the first generated token
  at::Tensor nextPos;  // [B] int64
};

struct Slots {
  KvCache cache;        // [A, kvHeads, L + maxNew, headDim]
  at::Tensor seq;       // [A] int64: the sequence in each slot (-1 never filled)
  at::Tensor keyMask;   // [A, L + maxNew] bool
  at::Tensor nextPos;   // [A] int64: position of the slot's first generated token
  at::Tensor step;      // [A] int64: tokens the slot's sequence has generated
  at::Tensor finished;  // [A] bool: stopped, or empty
  at::Tensor last;      // [A, V]
  std::vector<int64_t> hostStep;  // step per slot, kept on the host to size attention
  int64_t copiedBytes = 0;        // prompt keys/values copied into slots
  double copySeconds = 0;         // host time spent in those copies (meaningful on a CPU only)
};

// Puts sequences `seqs` into slots `slots` (host lists of the same length).
void admit(Slots& s, const PromptState& ps, const std::vector<int64_t>& slots, const std::vector<int64_t>& seqs, int64_t n, int64_t L) {
  const auto t0 = std::chrono::steady_clock::now();
  auto opts = s.seq.options();
  at::Tensor idx = at::tensor(slots, at::kLong).to(opts.device());
  at::Tensor sq = at::tensor(seqs, at::kLong).to(opts.device());
  at::Tensor prompt = at::floor_divide(sq, n);
  for (size_t i = 0; i < s.cache.k.size(); ++i) {
    s.cache.k[i].narrow(2, 0, L).index_copy_(0, idx, ps.cache.k[i].index_select(0, prompt));
    s.cache.v[i].narrow(2, 0, L).index_copy_(0, idx, ps.cache.v[i].index_select(0, prompt));
    s.copiedBytes += 2 * static_cast<int64_t>(slots.size()) * ps.cache.k[i].select(0, 0).nbytes();
  }
  s.copySeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  at::Tensor rowsMask = at::zeros({static_cast<int64_t>(slots.size()), s.keyMask.size(1)}, s.keyMask.options());
  rowsMask.narrow(1, 0, L).copy_(ps.mask.index_select(0, prompt));
  s.keyMask.index_copy_(0, idx, rowsMask);
  s.seq.index_copy_(0, idx, sq);
  s.nextPos.index_copy_(0, idx, ps.nextPos.index_select(0, prompt));
  s.step.index_fill_(0, idx, 0);
  s.finished.index_fill_(0, idx, false);
  s.last.index_copy_(0, idx, ps.last.index_select(0, prompt));
  for (int64_t slot : slots) s.hostStep[slot] = 0;
}

// Once nothing is pending, drops the slots that stopped (when at least a quarter did), so the
// tail of long sequences does not drag idle slots through every layer.
void compactSlots(Slots& s) {
  at::Tensor keep = (~s.finished).nonzero().flatten();
  const int64_t live = keep.size(0), A = s.seq.size(0);
  if (live == 0 || (A - live) * 4 < A) return;
  for (auto& x : s.cache.k) x = x.index_select(0, keep);
  for (auto& x : s.cache.v) x = x.index_select(0, keep);
  for (at::Tensor* t : {&s.seq, &s.keyMask, &s.nextPos, &s.step, &s.finished, &s.last}) *t = t->index_select(0, keep);
  at::Tensor k = keep.to(at::kCPU);
  std::vector<int64_t> steps;
  for (int64_t i = 0; i < live; ++i) steps.push_back(s.hostStep[k[i].item<int64_t>()]);
  s.hostStep = std::move(steps);
}

// Fills the slots whose sequence is done with pending sequences; returns whether any slot is live.
bool refill(Slots& s, const PromptState& ps, int64_t& nextSeq, int64_t R, int64_t n, int64_t L) {
  at::Tensor done = s.finished.to(at::kCPU);
  auto d = done.accessor<bool, 1>();
  std::vector<int64_t> slots, seqs;
  bool live = false;
  for (int64_t a = 0; a < done.size(0); ++a) {
    if (!d[a]) { live = true; continue; }
    if (nextSeq < R) { slots.push_back(a); seqs.push_back(nextSeq++); }
  }
  if (!slots.empty()) admit(s, ps, slots, seqs, n, L);
  return live || !slots.empty();
}

PromptState prefillPrompts(const Model& m, const ForwardInput& in, const at::Tensor& nextPosition) {
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1);
  PromptState ps;
  ps.cache.allocate(m.cfg.text, B, L, at::TensorOptions().dtype(m.dtype).device(m.device));
  DecoderInput d{m.embed(in.inputIds, in.pixelValues, in.grids), in.positionIds, in.attentionMask};
  d.allKeysValid = in.unpadded;
  at::Tensor h = decoderForward(m.cfg.text, m.w, d, &ps.cache);
  ps.last = m.logits(h.select(1, L - 1));  // left padding: the last column is every prompt's end
  ps.mask = in.attentionMask.to(at::kBool);
  ps.nextPos = nextPosition.to(at::TensorOptions().dtype(at::kLong).device(m.device));
  return ps;
}
}  // namespace

GenerateOutput generateContinuous(const Model& m, const GenerateInput& gin, const SamplingParams& p) {
  ForwardInput in = normalizeInput(m, gin.prompt);
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1), n = p.n, R = B * n, T = p.maxNewTokens;
  const int64_t A = std::min(p.maxRows, R);
  auto longOpts = at::TensorOptions().dtype(at::kLong).device(m.device);
  PromptState ps = prefillPrompts(m, in, gin.nextPosition);

  Slots s;
  s.cache.allocate(m.cfg.text, A, L + T, at::TensorOptions().dtype(m.dtype).device(m.device));
  s.seq = at::full({A}, -1, longOpts);
  s.keyMask = at::zeros({A, L + T}, longOpts.dtype(at::kBool));
  s.nextPos = at::zeros({A}, longOpts);
  s.step = at::zeros({A}, longOpts);
  s.finished = at::ones({A}, longOpts.dtype(at::kBool));
  s.last = at::zeros({A, ps.last.size(1)}, ps.last.options());
  s.hostStep.assign(A, 0);
  at::Tensor stop = at::tensor(p.stopTokenIds.empty() ? std::vector<int64_t>{-1} : p.stopTokenIds, at::kLong).to(m.device);

  // Outputs by sequence, with one spare column that stopped slots write into until refilled.
  at::Tensor tokens = at::full({R, T + 1}, p.padTokenId, longOpts);
  at::Tensor logProbs = at::zeros({R, T + 1}, longOpts.dtype(at::kFloat));
  at::Tensor lengths = at::zeros({R}, longOpts);
  at::Tensor bad = at::zeros({R}, longOpts.dtype(at::kBool));
  // Refilling reads which slots stopped (a device sync); on a GPU every few steps only.
  const int64_t checkEvery = m.device.is_cpu() ? 1 : 8;
  int64_t nextSeq = 0, decodedRows = 0, iter = 0;
  refill(s, ps, nextSeq, R, n, L);
  for (;; ++iter) {
    at::Tensor live = ~s.finished;
    at::Tensor seqIdx = s.seq.clamp_min(0);  // empty slots (never filled) write to sequence 0's spare column
    bad.index_put_({seqIdx}, bad.index_select(0, seqIdx) | (live & nonFiniteRows(s.last)));
    auto [tok, lp] = sampleNextForSequences(s.last, p, seqIdx + p.firstSequenceId, s.step);
    tok = at::where(live, tok, at::full_like(tok, p.padTokenId));
    at::Tensor col = at::where(live, s.step, at::full_like(s.step, T));
    tokens.index_put_({seqIdx, col}, tok);
    logProbs.index_put_({seqIdx, col}, at::where(live, lp, at::zeros_like(lp)));
    lengths.index_add_(0, seqIdx, live.to(at::kLong));
    s.finished = s.finished | at::isin(tok, stop) | (s.step + 1 >= T);
    // The token just sampled is this step's input: its key/value goes to column L + step.
    at::Tensor writeCol = (L + s.step).clamp_max(L + T - 1);
    const int64_t slots = s.seq.size(0);
    s.keyMask.index_put_({at::arange(slots, longOpts), writeCol}, live);
    s.step = at::where(live, s.step + 1, s.step);
    for (auto& h : s.hostStep) h = std::min(h + 1, T);  // an upper bound of the device steps
    const bool check = (iter + 1) % checkEvery == 0 || nextSeq >= R;
    if (check) {
      throwIfNonFinite(bad, iter);
      if (nextSeq >= R && !s.finished.logical_not().any().item<bool>()) break;
    }
    // Attention spans the furthest column any slot has written.
    const int64_t span = L + *std::max_element(s.hostStep.begin(), s.hostStep.end());
    s.cache.rowColumns = writeCol;
    s.cache.length = std::min(span, L + T) - 1;
    decodedRows += slots;
    at::Tensor pos = (s.nextPos + s.step - 1).clamp_min(0).view({1, slots, 1}).expand({3, slots, 1});
    DecoderInput step{at::embedding(m.w.embed, tok.unsqueeze(1)), pos, s.keyMask.narrow(1, 0, s.cache.length + 1)};
    s.last = m.logits(decoderForward(m.cfg.text, m.w, step, &s.cache).select(1, 0));
    s.cache.rowColumns = at::Tensor();
    // After the step, so a refilled slot keeps its prompt's logits for its first token.
    if (check) {
      refill(s, ps, nextSeq, R, n, L);
      if (nextSeq >= R) compactSlots(s);
    }
  }
  throwIfNonFinite(bad, iter);
  const int64_t longest = lengths.numel() ? lengths.max().item<int64_t>() : 0;
  const double copySeconds = m.device.is_cpu() ? s.copySeconds : -1;
  return {tokens.narrow(1, 0, std::max<int64_t>(longest, 1)), logProbs.narrow(1, 0, std::max<int64_t>(longest, 1)), lengths, decodedRows, s.copiedBytes, copySeconds};
}

}  // namespace vsr1::qwen
