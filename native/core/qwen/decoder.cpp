#include "core/qwen/decoder.h"

#include "core/checkpoint.h"
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

namespace {

// The weights a layer reads, for checkpointing's gradient routing.
std::vector<at::Tensor> layerParams(const DecoderLayerW& l) {
  std::vector<at::Tensor> out;
  for (const at::Tensor& t : {l.inNorm, l.postNorm, l.qW, l.qB, l.kW, l.kB, l.vW, l.vB, l.oW, l.gateW, l.upW, l.downW})
    if (t.defined()) out.push_back(t);
  return out;
}

at::Tensor mlpResidual(const TextConfig& t, const DecoderLayerW& l, const at::Tensor& h) {
  return h + gatedMlp(rmsNorm(h, l.postNorm, t.rmsNormEps), l.gateW, at::Tensor(), l.upW, at::Tensor(), l.downW, at::Tensor());
}

// One layer over packed tokens h [T, hidden]; cos/sin [T, 1, hd].
at::Tensor packedLayer(const TextConfig& t, const DecoderLayerW& l, const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                       const Segments& seg) {
  const int64_t T = h.size(0), hd = t.headDim();
  at::Tensor x = rmsNorm(h, l.inNorm, t.rmsNormEps);
  at::Tensor q = applyRotary(at::linear(x, l.qW, l.qB).view({T, t.numHeads, hd}), cos, sin);
  at::Tensor k = applyRotary(at::linear(x, l.kW, l.kB).view({T, t.numKvHeads, hd}), cos, sin);
  at::Tensor v = at::linear(x, l.vW, l.vB).view({T, t.numKvHeads, hd});
  at::Tensor o = varlenAttention(q, k, v, seg, /*causal=*/true).reshape({T, t.numHeads * hd});
  return mlpResidual(t, l, h + at::linear(o, l.oW));
}

// One layer over a padded batch h [B, L, hidden] with an explicit [B, 1, L, Lk] mask; with a
// cache the new keys/values are written at `past` and attention reads the cache.
at::Tensor paddedLayer(const TextConfig& t, const DecoderLayerW& l, int64_t i, const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask, KvCache* cache, int64_t past) {
  const int64_t B = h.size(0), L = h.size(1), hd = t.headDim(), Lk = past + L;
  at::Tensor x = rmsNorm(h, l.inNorm, t.rmsNormEps);
  at::Tensor q = applyRotary(at::linear(x, l.qW, l.qB).view({B, L, t.numHeads, hd}).transpose(1, 2), cos, sin);
  at::Tensor k = applyRotary(at::linear(x, l.kW, l.kB).view({B, L, t.numKvHeads, hd}).transpose(1, 2), cos, sin);
  at::Tensor v = at::linear(x, l.vW, l.vB).view({B, L, t.numKvHeads, hd}).transpose(1, 2);
  if (cache) {
    TORCH_CHECK(Lk <= cache->capacity, "KV cache overflow: ", Lk, " > ", cache->capacity);
    if (cache->rowColumns.defined()) {
      TORCH_CHECK(L == 1, "per-row cache columns take one token per row, got ", L);
      at::Tensor rows = at::arange(B, cache->rowColumns.options());
      using at::indexing::Slice;
      cache->k[i].index_put_({rows, Slice(), cache->rowColumns}, k.squeeze(2));
      cache->v[i].index_put_({rows, Slice(), cache->rowColumns}, v.squeeze(2));
    } else {
      cache->k[i].narrow(2, past, L).copy_(k);
      cache->v[i].narrow(2, past, L).copy_(v);
    }
    k = cache->k[i].narrow(2, 0, Lk);
    v = cache->v[i].narrow(2, 0, Lk);
  }
  bool gqa = t.numKvHeads != t.numHeads;
  if (gqa && !cache && q.is_cuda()) {
    // CUDA's memory-efficient kernel takes an explicit mask but not grouped-query attention, and
    // flash takes no mask: with both, SDPA would fall back to the O(L^2) math kernel. Without a
    // cache (training, scoring) repeating K/V costs one copy per layer and keeps the fused kernel.
    k = k.repeat_interleave(t.numHeads / t.numKvHeads, 1);
    v = v.repeat_interleave(t.numHeads / t.numKvHeads, 1);
    gqa = false;
  }
  at::Tensor o = at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, std::nullopt, gqa);
  o = at::linear(o.transpose(1, 2).reshape({B, L, t.numHeads * hd}), l.oW);
  return mlpResidual(t, l, h + o);
}

// Causal + padding mask [B, 1, L, Lk]. A query row with no valid key (a padding position) may
// see itself, so softmax stays finite; its output is never used.
at::Tensor paddedMask(const DecoderInput& in, int64_t past) {
  const int64_t B = in.embeds.size(0), L = in.embeds.size(1), Lk = past + L;
  TORCH_CHECK(in.keyMask.size(0) == B && in.keyMask.size(1) == Lk, "attention mask has shape ", in.keyMask.sizes(), " but ", Lk,
              " keys are attended");
  auto opts = at::TensorOptions().dtype(at::kLong).device(in.embeds.device());
  at::Tensor qpos = at::arange(past, past + L, opts).view({L, 1});
  at::Tensor kpos = at::arange(0, Lk, opts).view({1, Lk});
  at::Tensor mask = (kpos <= qpos).unsqueeze(0) & in.keyMask.to(at::kBool).unsqueeze(1);
  return (mask | (kpos == qpos).unsqueeze(0)).unsqueeze(1);
}

at::Tensor packedForward(const TextConfig& t, const Weights& w, const DecoderInput& in) {
  TORCH_CHECK(in.embeds.size(0) == 1, "packed input must be one row [1, tokens], got ", in.embeds.size(0), " rows");
  const Segments seg = *in.packed;
  seg.check(in.embeds.size(1), "packed input");
  auto [cos, sin] = mropeCosSin(t, in.positionIds, in.embeds.scalar_type());
  cos = cos.squeeze(0).unsqueeze(1);  // [T, 1, hd]
  sin = sin.squeeze(0).unsqueeze(1);
  at::Tensor h = in.embeds.squeeze(0);
  for (int64_t i = 0; i < t.numLayers; ++i) {
    const DecoderLayerW& l = w.layers[i];
    if (in.checkpointLayers) {
      h = checkpointed([t, l, cos, sin, seg](const at::Tensor& x) { return packedLayer(t, l, x, cos, sin, seg); }, h, layerParams(l));
    } else {
      h = packedLayer(t, l, h, cos, sin, seg);
    }
  }
  return rmsNorm(h, w.finalNorm, t.rmsNormEps).unsqueeze(0);
}

}  // namespace

at::Tensor decoderForward(const TextConfig& t, const Weights& w, const DecoderInput& in, KvCache* cache) {
  if (in.packed) {
    TORCH_CHECK(!cache, "the KV cache works with the padded layout only, not with packed input");
    return packedForward(t, w, in);
  }
  auto [cos, sin] = mropeCosSin(t, in.positionIds, in.embeds.scalar_type());
  cos = cos.unsqueeze(1);  // [B, 1, L, hd]
  sin = sin.unsqueeze(1);
  const int64_t past = cache ? cache->length : 0;
  // Per-row columns: each row's valid keys are exactly its keyMask (no shared causal order).
  at::Tensor mask = cache && cache->rowColumns.defined() ? in.keyMask.to(at::kBool).view({in.keyMask.size(0), 1, 1, in.keyMask.size(1)}) : paddedMask(in, past);
  at::Tensor h = in.embeds;
  const bool ckpt = in.checkpointLayers && !cache;
  for (int64_t i = 0; i < t.numLayers; ++i) {
    const DecoderLayerW& l = w.layers[i];
    if (ckpt) {
      h = checkpointed([t, l, i, cos, sin, mask](const at::Tensor& x) { return paddedLayer(t, l, i, x, cos, sin, mask, nullptr, 0); }, h, layerParams(l));
    } else {
      h = paddedLayer(t, l, i, h, cos, sin, mask, cache, past);
    }
  }
  if (cache) cache->length = past + in.embeds.size(1);
  return rmsNorm(h, w.finalNorm, t.rmsNormEps);
}

}  // namespace vsr1::qwen
