#include "core/qwen/generate.h"
#include "core/qwen/sequence_noise.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

#include <cmath>

namespace vsr1::qwen {

void checkSampling(const SamplingParams& p) {
  TORCH_CHECK(std::isfinite(p.temperature) && p.temperature >= 0, "temperature must be a finite number >= 0 (0 = greedy), got ", p.temperature);
  TORCH_CHECK(std::isfinite(p.topP) && p.topP > 0 && p.topP <= 1, "top_p must be in (0, 1], got ", p.topP);
  TORCH_CHECK(p.topK >= -1, "top_k must be -1 or 0 (off) or a positive count, got ", p.topK);
  for (const auto& [id, bias] : p.logitBias) TORCH_CHECK(!std::isnan(bias), "logit bias of token ", id, " is NaN");
}

void throwIfNonFinite(const at::Tensor& bad, int64_t step) {
  if (!bad.any().item<bool>()) return;
  at::Tensor rows = bad.nonzero().flatten().to(at::kCPU);
  TORCH_CHECK(false, "the model produced non-finite logits (NaN or infinity) by decode step ", step, " in ", rows.numel(), " row(s), the first row ",
              rows[0].item<int64_t>(), "; the weights or inputs hold NaN/inf");
}

// Rows whose logits hold a NaN or an infinity. Sampling from them would trip a device-side
// assert on CUDA (poisoning the context), so they are sampled from zeros instead and the caller
// reports them as an error at its next sync. x * 0 is NaN exactly where x is not finite (0
// elsewhere) and a sum of zeros stays 0: two passes over the logits where isfinite takes four.
at::Tensor nonFiniteRows(const at::Tensor& logits) { return at::isnan((logits * 0).sum(-1)); }

namespace {
// The sampling distribution's logits: bias added, divided by the temperature, top-k and top-p
// applied as -inf; and the full log-softmax (the log-probs reported are of the tempered
// distribution before top-k/top-p, as the reference reports them).
struct Filtered {
  at::Tensor z;     // [R, V] logits to sample from
  at::Tensor logp;  // [R, V] log-probs to report
  at::Tensor biased;
};

Filtered filterLogits(const at::Tensor& raw, const SamplingParams& p, bool applyTopP = true) {
  at::Tensor logits = raw.to(at::kFloat);
  logits = logits.masked_fill(nonFiniteRows(logits).unsqueeze(1), 0.0);
  if (!p.logitBias.empty()) {
    logits = logits.clone();
    for (const auto& [id, bias] : p.logitBias) logits.select(1, id).add_(bias);
  }
  const double temp = p.temperature > 0 ? p.temperature : 1.0;
  at::Tensor z = temp == 1.0 ? logits : logits / temp;
  at::Tensor logp = at::log_softmax(z, -1);
  if (p.topK > 0 && p.topK < z.size(-1)) {
    at::Tensor kth = std::get<0>(z.topk(p.topK, -1)).narrow(-1, p.topK - 1, 1);
    z = z.masked_fill(z < kth, -std::numeric_limits<float>::infinity());
  }
  if (applyTopP && p.topP < 1.0) {
    // Keep the smallest set of tokens whose probability reaches top_p (always the first).
    auto [sorted, order] = z.sort(-1, /*descending=*/true);
    at::Tensor probs = at::softmax(sorted, -1);
    at::Tensor before = probs.cumsum(-1) - probs;
    at::Tensor drop = before > p.topP;
    sorted = sorted.masked_fill(drop, -std::numeric_limits<float>::infinity());
    z = at::empty_like(z).scatter_(-1, order, sorted);
  }
  return {z, logp, logits};
}

bool isGreedy(const SamplingParams& p) { return p.greedy || p.temperature <= 0; }

std::pair<at::Tensor, at::Tensor> pick(const Filtered& f, const at::Tensor& tokens) { return {tokens, f.logp.gather(1, tokens.unsqueeze(1)).squeeze(1)}; }
}  // namespace

std::pair<at::Tensor, at::Tensor> sampleNext(const at::Tensor& raw, const SamplingParams& p, std::optional<at::Generator> gen) {
  Filtered f = filterLogits(raw, p);
  if (isGreedy(p)) return pick(f, f.biased.argmax(-1));
  return pick(f, at::multinomial(at::softmax(f.z, -1), 1, false, gen).squeeze(-1));
}

namespace {
// Inverse CDF with one uniform per row: the first token whose cumulative probability exceeds u.
// Tokens of probability 0 (masked by top-k/top-p) are never stepped onto; u is scaled just inside
// the row's total so rounding cannot run past the last token.
at::Tensor drawFromCdf(const at::Tensor& cdf, const at::Tensor& uniforms) {
  at::Tensor u = (uniforms.to(cdf.scalar_type()) * cdf.select(1, cdf.size(1) - 1) * (1 - 1e-6)).unsqueeze(1);
  return at::searchsorted(cdf, u, /*out_int32=*/false, /*right=*/true).squeeze(1).clamp_max(cdf.size(1) - 1);
}

// Whether each row's token is in its top-p nucleus: the mass of the more probable tokens is at
// most top_p (the sorted definition of filterLogits, without sorting).
at::Tensor inNucleus(const at::Tensor& probs, const at::Tensor& tok, double topP) {
  at::Tensor pt = probs.gather(1, tok.unsqueeze(1));
  return (probs * (probs > pt)).sum(1) <= topP;
}

constexpr int64_t kNucleusRounds = 16;
}  // namespace

std::pair<at::Tensor, at::Tensor> sampleNextForSequences(const at::Tensor& raw, const SamplingParams& p, const at::Tensor& seqIds, const at::Tensor& steps) {
  if (isGreedy(p)) {
    Filtered f = filterLogits(raw, p);
    return pick(f, f.biased.argmax(-1));
  }
  // Top-p by rejection, not by sorting the vocabulary: draw from the top-k distribution and keep a
  // token that lies in the nucleus, else draw again (a fresh uniform per round). The kept token is
  // a sample of the renormalised nucleus. At top_p 0.99 a round is rejected 1% of the time; rows
  // still rejected after kNucleusRounds take one draw from the sorted, masked distribution.
  Filtered f = filterLogits(raw, p, /*applyTopP=*/false);
  at::Tensor probs = at::softmax(f.z, -1);
  at::Tensor cdf = probs.cumsum(-1);
  at::Tensor tok = drawFromCdf(cdf, sequenceUniforms(p.seed, seqIds, steps, 0));
  if (p.topP >= 1.0) return pick(f, tok);
  at::Tensor pending = ~inNucleus(probs, tok, p.topP);
  for (int64_t round = 1; round < kNucleusRounds && pending.any().item<bool>(); ++round) {
    at::Tensor cand = drawFromCdf(cdf, sequenceUniforms(p.seed, seqIds, steps, round));
    at::Tensor take = pending & inNucleus(probs, cand, p.topP);
    tok = at::where(take, cand, tok);
    pending = pending & ~take;
  }
  if (pending.any().item<bool>()) {
    at::Tensor nucleusCdf = at::softmax(filterLogits(raw, p).z, -1).cumsum(-1);
    tok = at::where(pending, drawFromCdf(nucleusCdf, sequenceUniforms(p.seed, seqIds, steps, kNucleusRounds)), tok);
  }
  return pick(f, tok);
}

namespace {
// The decode state of the rows still in the batch. Rows are sequences (prompt-major ids
// 0..R-1); when enough of them have stopped, the stopped ones are dropped from the cache and
// every per-row tensor (compaction), so later steps compute only live rows.
struct LiveRows {
  at::Tensor seq;       // [r] int64: sequence of each batch row
  at::Tensor finished;  // [r] bool
  at::Tensor keyMask;   // [r, L + maxNew] bool
  at::Tensor nextPos;   // [r] int64
  at::Tensor last;      // [r, V] logits of the next token
  at::Tensor tok;       // [r] int64: the token just sampled (the next step's input)

  void keep(const at::Tensor& idx, KvCache& cache) {
    for (auto& x : cache.k) x = x.index_select(0, idx);
    for (auto& x : cache.v) x = x.index_select(0, idx);
    seq = seq.index_select(0, idx);
    finished = finished.index_select(0, idx);
    keyMask = keyMask.index_select(0, idx);
    nextPos = nextPos.index_select(0, idx);
    last = last.index_select(0, idx);
    tok = tok.index_select(0, idx);
  }
};

// Compacts when at least a quarter of the batch (and 1 row) has stopped: copying the cache costs
// about one decode step, so compacting on every stop would cost more than it saves.
void maybeCompact(LiveRows& rows, KvCache& cache, int64_t nStopped) {
  const int64_t r = rows.seq.size(0);
  if (nStopped == 0 || nStopped * 4 < r || nStopped == r) return;
  rows.keep((~rows.finished).nonzero().flatten(), cache);
}
}  // namespace

GenerateOutput generate(const Model& m, const GenerateInput& gin, const SamplingParams& requested,
                        const std::function<void(int64_t, const at::Tensor&)>& onStep) {
  TORCH_CHECK(requested.n >= 1, "n must be >= 1");
  TORCH_CHECK(requested.maxNewTokens >= 1, "max new tokens must be >= 1");
  checkSampling(requested);
  for (const auto& [id, bias] : requested.logitBias) TORCH_CHECK(id >= 0 && id < m.cfg.text.vocabSize, "logit bias token ", id, " is outside the vocabulary [0, ", m.cfg.text.vocabSize, ")");
  ForwardInput in = normalizeInput(m, gin.prompt);
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1), R = B * requested.n;
  const int64_t context = m.cfg.text.maxPositionEmbeddings;
  TORCH_CHECK(L < context, "the prompt has ", L, " tokens; the model's context length (max_position_embeddings) is ", context, ", which leaves no room to generate");
  // Generation stops at the context length: the cache and outputs are sized for at most that.
  SamplingParams p = requested;
  p.maxNewTokens = std::min(p.maxNewTokens, context - L);
  if (p.maxRows > 0 && p.maxRows < R) {
    TORCH_CHECK(!onStep, "streaming (onStep) is not available with continuous batching (maxRows)");
    return generateContinuous(m, gin, p);
  }
  auto longOpts = at::TensorOptions().dtype(at::kLong).device(m.device);

  KvCache cache;
  cache.allocate(m.cfg.text, B, L + p.maxNewTokens, at::TensorOptions().dtype(m.dtype).device(m.device));
  DecoderInput d{m.embed(in.inputIds, in.pixelValues, in.grids), in.positionIds, in.attentionMask};
  // No padding in the prompts: every later key column is valid too (each step's is set before it
  // is read), so no step needs a mask.
  const bool unpadded = in.unpadded;
  d.allKeysValid = unpadded;
  at::Tensor h = decoderForward(m.cfg.text, m.w, d, &cache);

  // n samples per prompt share the prefill: repeat cache rows and per-row state.
  cache.repeatRows(p.n);
  LiveRows rows;
  rows.seq = at::arange(R, longOpts);
  rows.finished = at::zeros({R}, longOpts.dtype(at::kBool));
  rows.keyMask = at::zeros({R, L + p.maxNewTokens}, longOpts.dtype(at::kBool));
  rows.keyMask.narrow(1, 0, L).copy_(in.attentionMask.repeat_interleave(p.n, 0));
  rows.nextPos = gin.nextPosition.to(longOpts).repeat_interleave(p.n, 0);
  rows.last = m.logits(h.select(1, L - 1)).repeat_interleave(p.n, 0);  // left padding: the last column is every prompt's end
  at::Tensor stop = at::tensor(p.stopTokenIds.empty() ? std::vector<int64_t>{-1} : p.stopTokenIds, at::kLong).to(m.device);

  // Outputs by sequence; rows write into them through rows.seq.
  at::Tensor tokens = at::full({R, p.maxNewTokens}, p.padTokenId, longOpts);
  at::Tensor logProbs = at::zeros({R, p.maxNewTokens}, longOpts.dtype(at::kFloat));
  at::Tensor lengths = at::zeros({R}, longOpts);
  at::Tensor bad = at::zeros({R}, longOpts.dtype(at::kBool));  // sequences that met non-finite logits
  // Checking "all rows stopped" syncs with the device; on a GPU do it every few steps only.
  const int64_t checkEvery = m.device.is_cpu() ? 1 : 16;
  int64_t steps = 0, decodedRows = 0;
  for (int64_t t = 0; t < p.maxNewTokens; ++t) {
    bad.index_copy_(0, rows.seq, bad.index_select(0, rows.seq) | nonFiniteRows(rows.last));
    auto [tok, lp] = sampleNextForSequences(rows.last, p, rows.seq + p.firstSequenceId, at::full_like(rows.seq, t));
    tok = at::where(rows.finished, at::full_like(tok, p.padTokenId), tok);
    tokens.select(1, t).index_copy_(0, rows.seq, tok);
    logProbs.select(1, t).index_copy_(0, rows.seq, at::where(rows.finished, at::zeros_like(lp), lp));
    lengths.index_add_(0, rows.seq, (~rows.finished).to(at::kLong));
    rows.finished = rows.finished | at::isin(tok, stop);
    rows.tok = tok;
    steps = t + 1;
    if (onStep) onStep(t, tokens.select(1, t));
    if (t + 1 == p.maxNewTokens) break;
    if ((t + 1) % checkEvery == 0) {
      throwIfNonFinite(bad, t);
      const int64_t stopped = rows.finished.sum().item<int64_t>();
      if (stopped == rows.seq.size(0)) break;
      if (p.compactFinished) maybeCompact(rows, cache, stopped);
    }
    rows.keyMask.select(1, L + t).fill_(true);  // rows that stopped are never read again
    const int64_t r = rows.seq.size(0);
    decodedRows += r;
    at::Tensor pos = (rows.nextPos + t).view({1, r, 1}).expand({3, r, 1});
    DecoderInput step{at::embedding(m.w.embed, rows.tok.unsqueeze(1)), pos, rows.keyMask.narrow(1, 0, L + t + 1)};
    step.allKeysValid = unpadded;
    rows.last = m.logits(decoderForward(m.cfg.text, m.w, step, &cache).select(1, 0));
  }
  throwIfNonFinite(bad, steps - 1);
  return {tokens.narrow(1, 0, steps), logProbs.narrow(1, 0, steps), lengths, decodedRows};
}

}  // namespace vsr1::qwen
