#include "core/qwen/decoder.h"

#include "core/qwen/layers.h"

namespace vsr1::qwen {

void KvCache::allocate(const TextConfig& t, int64_t batch, int64_t cap, const at::TensorOptions& opts) {
  k.clear();
  v.clear();
  for (int64_t i = 0; i < t.numLayers; ++i) {
    k.push_back(at::zeros({batch, t.numKvHeads, cap, t.headDim()}, opts));
    v.push_back(at::zeros({batch, t.numKvHeads, cap, t.headDim()}, opts));
  }
  length = 0;
  capacity = cap;
}

void KvCache::repeatRows(int64_t n) {
  if (n == 1) return;
  for (auto& x : k) x = x.repeat_interleave(n, 0);
  for (auto& x : v) x = x.repeat_interleave(n, 0);
}

std::pair<at::Tensor, at::Tensor> mropeCosSin(const TextConfig& t, const at::Tensor& positionIds, at::ScalarType dtype) {
  const int64_t hd = t.headDim();
  at::Tensor invFreq = (1.0 / at::pow(t.ropeTheta, at::arange(0, hd, 2, at::kFloat) / static_cast<double>(hd))).to(positionIds.device());
  at::Tensor freqs = positionIds.to(at::kFloat).unsqueeze(-1) * invFreq;  // [3, B, L, hd/2]
  // Section i of the frequency axis takes its angle from position axis i % 3 (t, h, w).
  std::vector<at::Tensor> parts;
  int64_t off = 0;
  for (size_t i = 0; i < t.mropeSection.size(); ++i) {
    parts.push_back(freqs.select(0, static_cast<int64_t>(i % 3)).narrow(-1, off, t.mropeSection[i]));
    off += t.mropeSection[i];
  }
  at::Tensor f = at::cat(parts, -1);
  at::Tensor emb = at::cat({f, f}, -1);
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

at::Tensor decoderForward(const TextConfig& t, const Weights& w, const DecoderInput& in, KvCache* cache) {
  const int64_t B = in.embeds.size(0), L = in.embeds.size(1), hd = t.headDim();
  auto [cos, sin] = mropeCosSin(t, in.positionIds, in.embeds.scalar_type());
  cos = cos.unsqueeze(1);  // [B, 1, L, hd]
  sin = sin.unsqueeze(1);
  const int64_t past = cache ? cache->length : 0;
  const int64_t Lk = past + L;
  TORCH_CHECK(in.keyMask.size(0) == B && in.keyMask.size(1) == Lk, "attention mask has shape ", in.keyMask.sizes(), " but ", Lk,
              " keys are attended");
  // Causal + padding mask [B, 1, L, Lk]. A query row with no valid key (a padding position)
  // may see itself, so softmax stays finite; its output is never used.
  at::Tensor qpos = at::arange(past, past + L, at::TensorOptions().dtype(at::kLong).device(in.embeds.device())).view({L, 1});
  at::Tensor kpos = at::arange(0, Lk, at::TensorOptions().dtype(at::kLong).device(in.embeds.device())).view({1, Lk});
  at::Tensor mask = (kpos <= qpos).unsqueeze(0) & in.keyMask.to(at::kBool).unsqueeze(1);
  mask = (mask | (kpos == qpos).unsqueeze(0)).unsqueeze(1);

  at::Tensor h = in.embeds;
  for (int64_t i = 0; i < t.numLayers; ++i) {
    const DecoderLayerW& l = w.layers[i];
    at::Tensor x = rmsNorm(h, l.inNorm, t.rmsNormEps);
    at::Tensor q = at::linear(x, l.qW, l.qB).view({B, L, t.numHeads, hd}).transpose(1, 2);
    at::Tensor k = at::linear(x, l.kW, l.kB).view({B, L, t.numKvHeads, hd}).transpose(1, 2);
    at::Tensor v = at::linear(x, l.vW, l.vB).view({B, L, t.numKvHeads, hd}).transpose(1, 2);
    q = applyRotary(q, cos, sin);
    k = applyRotary(k, cos, sin);
    if (cache) {
      TORCH_CHECK(Lk <= cache->capacity, "KV cache overflow: ", Lk, " > ", cache->capacity);
      cache->k[i].narrow(2, past, L).copy_(k);
      cache->v[i].narrow(2, past, L).copy_(v);
      k = cache->k[i].narrow(2, 0, Lk);
      v = cache->v[i].narrow(2, 0, Lk);
    }
    at::Tensor o = at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, std::nullopt, t.numKvHeads != t.numHeads);
    o = at::linear(o.transpose(1, 2).reshape({B, L, t.numHeads * hd}), l.oW);
    h = h + o;
    h = h + gatedMlp(rmsNorm(h, l.postNorm, t.rmsNormEps), l.gateW, at::Tensor(), l.upW, at::Tensor(), l.downW, at::Tensor());
  }
  if (cache) cache->length = Lk;
  return rmsNorm(h, w.finalNorm, t.rmsNormEps);
}

}  // namespace vsr1::qwen
