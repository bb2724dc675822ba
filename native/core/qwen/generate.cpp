#include "core/qwen/generate.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

namespace vsr1::qwen {

std::pair<at::Tensor, at::Tensor> sampleNext(const at::Tensor& raw, const SamplingParams& p, std::optional<at::Generator> gen) {
  at::Tensor logits = raw.to(at::kFloat);
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

GenerateOutput generate(const Model& m, const GenerateInput& gin, const SamplingParams& p,
                        const std::function<void(int64_t, const at::Tensor&)>& onStep) {
  TORCH_CHECK(p.n >= 1, "n must be >= 1");
  TORCH_CHECK(p.maxNewTokens >= 1, "max new tokens must be >= 1");
  ForwardInput in = normalizeInput(m, gin.prompt);
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1), R = B * p.n;
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
  for (int64_t t = 0; t < p.maxNewTokens; ++t) {
    auto [tok, lp] = sampleNext(last, p, gen);
    tok = at::where(finished, at::full_like(tok, p.padTokenId), tok);
    tokens.select(1, t).copy_(tok);
    logProbs.select(1, t).copy_(at::where(finished, at::zeros_like(lp), lp));
    lengths.add_((~finished).to(at::kLong));
    finished = finished | at::isin(tok, stop);
    steps = t + 1;
    if (onStep) onStep(t, tok);
    if (t + 1 == p.maxNewTokens) break;
    if ((t + 1) % checkEvery == 0 && finished.all().item<bool>()) break;
    keyMask.select(1, L + t).fill_(true);  // rows that stopped are never read again
    at::Tensor pos = (nextPos + t).view({1, R, 1}).expand({3, R, 1});
    DecoderInput step{at::embedding(m.w.embed, tok.unsqueeze(1)), pos, keyMask.narrow(1, 0, L + t + 1)};
    last = m.logits(decoderForward(m.cfg.text, m.w, step, &cache).select(1, 0));
  }
  return {tokens.narrow(1, 0, steps), logProbs.narrow(1, 0, steps), lengths};
}

}  // namespace vsr1::qwen
