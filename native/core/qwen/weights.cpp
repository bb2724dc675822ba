#include "core/qwen/weights.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>

namespace vsr1::qwen {

at::Tensor Weights::make(const std::string& name, std::vector<int64_t> shape) {
  at::Tensor t = at::zeros(shape, opts_);
  index_[name] = named_.size();
  named_.emplace_back(name, t);
  return t;
}

at::Tensor* Weights::find(const std::string& name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &named_[it->second].second;
}

Weights::Weights(const ModelConfig& cfg, at::ScalarType dtype, at::Device device) : opts_(at::TensorOptions().dtype(dtype).device(device)) {
  const auto& v = cfg.vision;
  const auto& t = cfg.text;
  const std::string vp = "model.visual.";
  patchW = make(vp + "patch_embed.proj.weight", {v.hiddenSize, v.inChannels, v.temporalPatchSize, v.patchSize, v.patchSize});
  for (int64_t i = 0; i < v.depth; ++i) {
    std::string p = vp + "blocks." + std::to_string(i) + ".";
    VisionBlockW b;
    b.norm1 = make(p + "norm1.weight", {v.hiddenSize});
    b.norm2 = make(p + "norm2.weight", {v.hiddenSize});
    b.qkvW = make(p + "attn.qkv.weight", {3 * v.hiddenSize, v.hiddenSize});
    b.qkvB = make(p + "attn.qkv.bias", {3 * v.hiddenSize});
    b.projW = make(p + "attn.proj.weight", {v.hiddenSize, v.hiddenSize});
    b.projB = make(p + "attn.proj.bias", {v.hiddenSize});
    b.gateW = make(p + "mlp.gate_proj.weight", {v.intermediateSize, v.hiddenSize});
    b.gateB = make(p + "mlp.gate_proj.bias", {v.intermediateSize});
    b.upW = make(p + "mlp.up_proj.weight", {v.intermediateSize, v.hiddenSize});
    b.upB = make(p + "mlp.up_proj.bias", {v.intermediateSize});
    b.downW = make(p + "mlp.down_proj.weight", {v.hiddenSize, v.intermediateSize});
    b.downB = make(p + "mlp.down_proj.bias", {v.hiddenSize});
    vblocks.push_back(b);
  }
  int64_t mh = v.hiddenSize * v.spatialMergeSize * v.spatialMergeSize;
  mergerNorm = make(vp + "merger.ln_q.weight", {v.hiddenSize});
  mergerW1 = make(vp + "merger.mlp.0.weight", {mh, mh});
  mergerB1 = make(vp + "merger.mlp.0.bias", {mh});
  mergerW2 = make(vp + "merger.mlp.2.weight", {v.outHiddenSize, mh});
  mergerB2 = make(vp + "merger.mlp.2.bias", {v.outHiddenSize});

  const std::string tp = "model.language_model.";
  embed = make(tp + "embed_tokens.weight", {t.vocabSize, t.hiddenSize});
  int64_t hd = t.headDim();
  for (int64_t i = 0; i < t.numLayers; ++i) {
    std::string p = tp + "layers." + std::to_string(i) + ".";
    DecoderLayerW l;
    l.inNorm = make(p + "input_layernorm.weight", {t.hiddenSize});
    l.postNorm = make(p + "post_attention_layernorm.weight", {t.hiddenSize});
    l.qW = make(p + "self_attn.q_proj.weight", {t.numHeads * hd, t.hiddenSize});
    l.qB = make(p + "self_attn.q_proj.bias", {t.numHeads * hd});
    l.kW = make(p + "self_attn.k_proj.weight", {t.numKvHeads * hd, t.hiddenSize});
    l.kB = make(p + "self_attn.k_proj.bias", {t.numKvHeads * hd});
    l.vW = make(p + "self_attn.v_proj.weight", {t.numKvHeads * hd, t.hiddenSize});
    l.vB = make(p + "self_attn.v_proj.bias", {t.numKvHeads * hd});
    l.oW = make(p + "self_attn.o_proj.weight", {t.hiddenSize, t.numHeads * hd});
    l.gateW = make(p + "mlp.gate_proj.weight", {t.intermediateSize, t.hiddenSize});
    l.upW = make(p + "mlp.up_proj.weight", {t.intermediateSize, t.hiddenSize});
    l.downW = make(p + "mlp.down_proj.weight", {t.hiddenSize, t.intermediateSize});
    layers.push_back(l);
  }
  finalNorm = make(tp + "norm.weight", {t.hiddenSize});
  lmHead = t.tieWordEmbeddings ? embed : make("lm_head.weight", {t.vocabSize, t.hiddenSize});
}

void Weights::initRandom(double stdDev, uint64_t seed) {
  at::NoGradGuard noGrad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& [name, t] : named_) {
    bool isNorm = name.find("norm") != std::string::npos || name.find("ln_q") != std::string::npos;
    bool isBias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (isNorm) t.fill_(1.0);
    else if (isBias) t.zero_();
    else t.copy_(at::normal(0.0, stdDev, t.sizes(), gen, at::TensorOptions().dtype(at::kFloat)));
  }
}

}  // namespace vsr1::qwen
