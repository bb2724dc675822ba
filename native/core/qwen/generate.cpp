#include "core/qwen/generate.h"

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

namespace {
void throwIfNonFinite(const at::Tensor& bad, int64_t step) {
  if (!bad.any().item<bool>()) return;
  at::Tensor rows = bad.nonzero().flatten().to(at::kCPU);
  TORCH_CHECK(false, "the model produced non-finite logits (NaN or infinity) by decode step ", step, " in ", rows.numel(), " row(s), the first row ",
              rows[0].item<int64_t>(), "; the weights or inputs hold NaN/inf");
}

// Rows whose logits hold a NaN or an infinity. Sampling from them would trip a device-side
// assert on CUDA (poisoning the context), so they are sampled from zeros instead and the caller
// reports them as an error at its next sync.
at::Tensor nonFiniteRows(const at::Tensor& logits) { return ~at::isfinite(logits).all(-1); }
}  // namespace

std::pair<at::Tensor, at::Tensor> sampleNext(const at::Tensor& raw, const SamplingParams& p, std::optional<at::Generator> gen) {
  at::Tensor logits = raw.to(at::kFloat);
  logits = at::where(at::isfinite(logits), logits, at::zeros_like(logits));
  if (!p.logitBias.empty()) {
    logits = logits.clone();
    for (const auto& [id, bias] : p.logitBias) logits.select(1, id).add_(bias);
  }
  const double temp = p.temperature > 0 ? p.temperature : 1.0;
  at::Tensor logp = at::log_softmax(logits / temp, -1);
  at::Tensor tokens;
  if (p.greedy || p.temperature <= 0) {
    tokens = logits.argmax(-1);
  } else {
    at::Tensor z = logits / temp;
    if (p.topK > 0 && p.topK < z.size(-1)) {
      at::Tensor kth = std::get<0>(z.topk(p.topK, -1)).narrow(-1, p.topK - 1, 1);
      z = z.masked_fill(z < kth, -std::numeric_limits<float>::infinity());
    }
    if (p.topP < 1.0) {
      // Keep the smallest set of tokens whose probability reaches top_p (always the first).
      auto [sorted, order] = z.sort(-1, /*descending=*/true);
      at::Tensor probs = at::softmax(sorted, -1);
      at::Tensor before = probs.cumsum(-1) - probs;
      at::Tensor drop = before > p.topP;
      sorted = sorted.masked_fill(drop, -std::numeric_limits<float>::infinity());
      z = at::empty_like(z).scatter_(-1, order, sorted);
    }
    tokens = at::multinomial(at::softmax(z, -1), 1, false, gen).squeeze(-1);
  }
  return {tokens, logp.gather(1, tokens.unsqueeze(1)).squeeze(1)};
}

GenerateOutput generate(const Model& m, const GenerateInput& gin, const SamplingParams& requested,
                        const std::function<void(int64_t, const at::Tensor&)>& onStep) {
  TORCH_CHECK(requested.n >= 1, "n must be >= 1");
  TORCH_CHECK(requested.maxNewTokens >= 1, "max new tokens must be >= 1");
  checkSampling(requested);
  ForwardInput in = normalizeInput(m, gin.prompt);
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1), R = B * requested.n;
  const int64_t context = m.cfg.text.maxPositionEmbeddings;
  TORCH_CHECK(L < context, "the prompt has ", L, " tokens; the model's context length (max_position_embeddings) is ", context, ", which leaves no room to generate");
  // Generation stops at the context length: the cache and outputs are sized for at most that.
  SamplingParams p = requested;
  p.maxNewTokens = std::min(p.maxNewTokens, context - L);
  auto longOpts = at::TensorOptions().dtype(at::kLong).device(m.device);
  at::Generator gen = m.device.is_cpu() ? at::make_generator<at::CPUGeneratorImpl>(p.seed) : at::globalContext().defaultGenerator(m.device).clone();
  if (!m.device.is_cpu()) gen.set_current_seed(p.seed);

  KvCache cache;
  cache.allocate(m.cfg.text, B, L + p.maxNewTokens, at::TensorOptions().dtype(m.dtype).device(m.device));
  DecoderInput d{m.embed(in.inputIds, in.pixelValues, in.grids), in.positionIds, in.attentionMask};
  at::Tensor h = decoderForward(m.cfg.text, m.w, d, &cache);
  at::Tensor last = m.logits(h.select(1, L - 1));  // left padding: the last column is every prompt's end

  // n samples per prompt share the prefill: repeat cache rows and per-row state.
  cache.repeatRows(p.n);
  last = last.repeat_interleave(p.n, 0);
  at::Tensor keyMask = at::zeros({R, L + p.maxNewTokens}, longOpts.dtype(at::kBool));
  keyMask.narrow(1, 0, L).copy_(in.attentionMask.repeat_interleave(p.n, 0));
  at::Tensor nextPos = gin.nextPosition.to(longOpts).repeat_interleave(p.n, 0);
  at::Tensor stop = at::tensor(p.stopTokenIds.empty() ? std::vector<int64_t>{-1} : p.stopTokenIds, at::kLong).to(m.device);

  at::Tensor tokens = at::full({R, p.maxNewTokens}, p.padTokenId, longOpts);
  at::Tensor logProbs = at::zeros({R, p.maxNewTokens}, longOpts.dtype(at::kFloat));
  at::Tensor finished = at::zeros({R}, longOpts.dtype(at::kBool));
  at::Tensor lengths = at::zeros({R}, longOpts);
  // Checking "all rows stopped" syncs with the device; on a GPU do it every few steps only.
  const int64_t checkEvery = m.device.is_cpu() ? 1 : 16;
  int64_t steps = 0;
  at::Tensor bad = at::zeros({R}, longOpts.dtype(at::kBool));  // rows that met non-finite logits
  for (int64_t t = 0; t < p.maxNewTokens; ++t) {
    bad = bad | nonFiniteRows(last);
    auto [tok, lp] = sampleNext(last, p, gen);
    tok = at::where(finished, at::full_like(tok, p.padTokenId), tok);
    tokens.select(1, t).copy_(tok);
    logProbs.select(1, t).copy_(at::where(finished, at::zeros_like(lp), lp));
    lengths.add_((~finished).to(at::kLong));
    finished = finished | at::isin(tok, stop);
    steps = t + 1;
    if (onStep) onStep(t, tok);
    if (t + 1 == p.maxNewTokens) break;
    if ((t + 1) % checkEvery == 0) {
      throwIfNonFinite(bad, t);
      if (finished.all().item<bool>()) break;
    }
    keyMask.select(1, L + t).fill_(true);  // rows that stopped are never read again
    at::Tensor pos = (nextPos + t).view({1, R, 1}).expand({3, R, 1});
    DecoderInput step{at::embedding(m.w.embed, tok.unsqueeze(1)), pos, keyMask.narrow(1, 0, L + t + 1)};
    last = m.logits(decoderForward(m.cfg.text, m.w, step, &cache).select(1, 0));
  }
  throwIfNonFinite(bad, steps - 1);
  return {tokens.narrow(1, 0, steps), logProbs.narrow(1, 0, steps), lengths};
}

}  // namespace vsr1::qwen
