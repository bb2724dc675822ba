#include "core/qwen/decoder.h"

#include "core/checkpoint.h"
#include "core/qwen/layers.h"

#include <ATen/core/grad_mode.h>

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

}  // namespace

bool fusedIntact(const DecoderLayerW& l) {
  auto partOf = [](const at::Tensor& whole, const at::Tensor& part, int64_t row) {
    return whole.defined() && part.defined() && whole.is_contiguous() && part.is_alias_of(whole) &&
           part.storage_offset() == whole.storage_offset() + row * whole.stride(0);
  };
  const int64_t q = l.qW.size(0), kv = l.kW.size(0), inter = l.gateW.size(0);
  return partOf(l.qkvW, l.qW, 0) && partOf(l.qkvW, l.kW, q) && partOf(l.qkvW, l.vW, q + kv) && partOf(l.qkvB, l.qB, 0) &&
         partOf(l.qkvB, l.kB, q) && partOf(l.qkvB, l.vB, q + kv) && partOf(l.gateUpW, l.gateW, 0) && partOf(l.gateUpW, l.upW, inter);
}

namespace {

// Whether the fused weights may stand in for the separate ones: they must be intact, and no
// gradient may be wanted for the parameters (the fused tensors are not autograd leaves:
// gradients would be lost).
bool fusedUsable(const DecoderLayerW& l) {
  if (!fusedIntact(l)) return false;
  if (!at::GradMode::is_enabled()) return true;
  for (const at::Tensor& t : {l.qW, l.kW, l.vW, l.qB, l.kB, l.vB, l.gateW, l.upW})
    if (t.requires_grad()) return false;
  return true;
}

struct Qkv {
  at::Tensor q, k, v;  // [..., heads, hd], token-major
};

// The attention projections of normed tokens x [..., hidden], with rotary applied to q and k;
// cos/sin broadcast over [..., heads, hd]. Fused: one matmul and one rotary over q and k together
// (the same elementwise arithmetic as applying it to each).
Qkv projectQkv(const TextConfig& t, const DecoderLayerW& l, const PackedLinears* lin, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
               bool fused) {
  std::vector<int64_t> heads(x.sizes().begin(), x.sizes().end() - 1);
  heads.push_back(-1);
  heads.push_back(t.headDim());
  if (!fused) {
    return {applyRotary(linear(lin, x, l.qW, l.qB).view(heads), cos, sin), applyRotary(linear(lin, x, l.kW, l.kB).view(heads), cos, sin),
            linear(lin, x, l.vW, l.vB).view(heads)};
  }
  at::Tensor qkv = linear(lin, x, l.qkvW, l.qkvB).view(heads);
  const int64_t H = t.numHeads, Hkv = t.numKvHeads;
  at::Tensor qk = applyRotary(qkv.narrow(-2, 0, H + Hkv), cos, sin);
  return {qk.narrow(-2, 0, H), qk.narrow(-2, H, Hkv), qkv.narrow(-2, H + Hkv, Hkv)};
}

at::Tensor mlpResidual(const TextConfig& t, const DecoderLayerW& l, const PackedLinears* lin, const at::Tensor& h, bool fused) {
  at::Tensor x = rmsNorm(h, l.postNorm, t.rmsNormEps);
  if (!fused) return h + gatedMlp(x, l.gateW, at::Tensor(), l.upW, at::Tensor(), l.downW, at::Tensor(), lin);
  at::Tensor gu = linear(lin, x, l.gateUpW);
  const int64_t inter = l.gateW.size(0);
  return h + linear(lin, at::silu(gu.narrow(-1, 0, inter)) * gu.narrow(-1, inter, inter), l.downW);
}

// One layer over packed tokens h [T, hidden]; cos/sin [T, 1, hd].
at::Tensor packedLayer(const TextConfig& t, const DecoderLayerW& l, const PackedLinears* lin, const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                       const Segments& seg) {
  const int64_t T = h.size(0), hd = t.headDim();
  const bool fused = fusedUsable(l);
  Qkv p = projectQkv(t, l, lin, rmsNorm(h, l.inNorm, t.rmsNormEps), cos, sin, fused);
  at::Tensor o = varlenAttention(p.q, p.k, p.v, seg, /*causal=*/true).reshape({T, t.numHeads * hd});
  return mlpResidual(t, l, lin, h + linear(lin, o, l.oW), fused);
}

// One layer over a padded batch h [B, L, hidden]; cos/sin [B, L, 1, hd]. Attention takes the
// explicit [B, 1, L, Lk] mask, or none when every key is valid (causal when L > 1, which needs
// past == 0). With a cache the new keys/values are written at `past` and attention reads the cache.
at::Tensor paddedLayer(const TextConfig& t, const DecoderLayerW& l, const PackedLinears* lin, int64_t i, const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask, KvCache* cache, int64_t past) {
  const int64_t B = h.size(0), L = h.size(1), hd = t.headDim(), Lk = past + L;
  const bool fused = fusedUsable(l);
  Qkv p = projectQkv(t, l, lin, rmsNorm(h, l.inNorm, t.rmsNormEps), cos, sin, fused);
  at::Tensor q = p.q.transpose(1, 2), k = p.k.transpose(1, 2), v = p.v.transpose(1, 2);  // [B, heads, L, hd]
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
  if (gqa && mask.defined() && !cache && q.is_cuda()) {
    // CUDA's memory-efficient kernel takes an explicit mask but not grouped-query attention, and
    // flash takes no mask: with both, SDPA would fall back to the O(L^2) math kernel. Without a
    // cache (training, scoring) repeating K/V costs one copy per layer and keeps the fused kernel.
    k = k.repeat_interleave(t.numHeads / t.numKvHeads, 1);
    v = v.repeat_interleave(t.numHeads / t.numKvHeads, 1);
    gqa = false;
  }
  const bool causal = !mask.defined() && L > 1;
  TORCH_CHECK(!causal || past == 0, "attention without a mask over ", L, " new tokens needs an empty cache (it has ", past, " columns)");
  at::Tensor o = at::scaled_dot_product_attention(q, k, v, mask.defined() ? std::optional<at::Tensor>(mask) : std::nullopt, 0.0, causal,
                                                  std::nullopt, gqa);
  o = linear(lin, o.transpose(1, 2).reshape({B, L, t.numHeads * hd}), l.oW);
  return mlpResidual(t, l, lin, h + o, fused);
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
      h = checkpointed([t, l, cos, sin, seg](const at::Tensor& x) { return packedLayer(t, l, nullptr, x, cos, sin, seg); }, h, layerParams(l));
    } else {
      h = packedLayer(t, l, &w.packs, h, cos, sin, seg);
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
  cos = cos.unsqueeze(2);  // [B, L, 1, hd]
  sin = sin.unsqueeze(2);
  const int64_t past = cache ? cache->length : 0, L = in.embeds.size(1);
  // Per-row columns: each row's valid keys are exactly its keyMask (no shared causal order).
  // Every key valid: no mask at all when one token is decoded, or a causal prefill from an empty
  // cache (the fused kernels' fast paths); otherwise causal + padding.
  at::Tensor mask;
  if (cache && cache->rowColumns.defined()) mask = in.keyMask.to(at::kBool).view({in.keyMask.size(0), 1, 1, in.keyMask.size(1)});
  else if (!(in.allKeysValid && (L == 1 || past == 0))) mask = paddedMask(in, past);
  at::Tensor h = in.embeds;
  const bool ckpt = in.checkpointLayers && !cache;
  for (int64_t i = 0; i < t.numLayers; ++i) {
    const DecoderLayerW& l = w.layers[i];
    if (ckpt) {
      h = checkpointed([t, l, i, cos, sin, mask](const at::Tensor& x) { return paddedLayer(t, l, nullptr, i, x, cos, sin, mask, nullptr, 0); }, h, layerParams(l));
    } else {
      h = paddedLayer(t, l, &w.packs, i, h, cos, sin, mask, cache, past);
    }
  }
  if (cache) cache->length = past + in.embeds.size(1);
  return rmsNorm(h, w.finalNorm, t.rmsNormEps);
}

}  // namespace vsr1::qwen
