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

size_t Weights::makeStack(std::vector<int64_t> shape) {
  stacks_.push_back({at::zeros(shape, opts_), {}});
  return stacks_.size() - 1;
}

at::Tensor Weights::makePart(size_t stack, const std::string& name, int64_t row, int64_t rows) {
  Stack& st = stacks_[stack];
  TORCH_CHECK(row + rows <= st.whole.size(0), "stacked parameter ", name, " runs past its stack");
  at::Tensor t = st.whole.narrow(0, row, rows);
  index_[name] = named_.size();
  st.parts.emplace_back(named_.size(), row);
  named_.emplace_back(name, t);
  return t;
}

void Weights::moveTo(at::Device to) {
  packs.clear();
  std::vector<bool> stacked(named_.size(), false);
  for (const Stack& st : stacks_)
    for (const auto& [i, row] : st.parts) stacked[i] = true;
  std::vector<at::Tensor> moved(named_.size()), movedStacks;
  auto check = [&](const at::Tensor& from, const at::Tensor& copy) {
    if (!from.unsafeGetTensorImpl()->has_compatible_shallow_copy_type(copy.key_set())) {
      throw std::runtime_error("cannot move the model's weights from " + from.device().str() + " to " + to.str() + " in place (only between CPU and accelerator devices)");
    }
  };
  for (size_t i = 0; i < named_.size(); ++i) {
    if (stacked[i]) continue;
    moved[i] = named_[i].second.to(to);
    check(named_[i].second, moved[i]);
  }
  for (const Stack& st : stacks_) {
    movedStacks.push_back(st.whole.to(to));
    check(st.whole, movedStacks.back());
  }
  for (size_t i = 0; i < named_.size(); ++i)
    if (!stacked[i]) named_[i].second.set_data(moved[i]);
  for (size_t s = 0; s < stacks_.size(); ++s) {
    Stack& st = stacks_[s];
    st.whole.set_data(movedStacks[s]);
    for (const auto& [i, row] : st.parts) named_[i].second.set_data(st.whole.narrow(0, row, named_[i].second.size(0)));
  }
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
    // Registered in the checkpoint's order (q, q bias, k, ...), which initRandom draws in.
    const int64_t qRows = t.numHeads * hd, kvRows = t.numKvHeads * hd, inter = t.intermediateSize;
    const size_t qkvW = makeStack({qRows + 2 * kvRows, t.hiddenSize}), qkvB = makeStack({qRows + 2 * kvRows});
    const size_t gateUp = makeStack({2 * inter, t.hiddenSize});
    l.qkvW = stacks_[qkvW].whole;
    l.qkvB = stacks_[qkvB].whole;
    l.gateUpW = stacks_[gateUp].whole;
    l.qW = makePart(qkvW, p + "self_attn.q_proj.weight", 0, qRows);
    l.qB = makePart(qkvB, p + "self_attn.q_proj.bias", 0, qRows);
    l.kW = makePart(qkvW, p + "self_attn.k_proj.weight", qRows, kvRows);
    l.kB = makePart(qkvB, p + "self_attn.k_proj.bias", qRows, kvRows);
    l.vW = makePart(qkvW, p + "self_attn.v_proj.weight", qRows + kvRows, kvRows);
    l.vB = makePart(qkvB, p + "self_attn.v_proj.bias", qRows + kvRows, kvRows);
    l.oW = make(p + "self_attn.o_proj.weight", {t.hiddenSize, t.numHeads * hd});
    l.gateW = makePart(gateUp, p + "mlp.gate_proj.weight", 0, inter);
    l.upW = makePart(gateUp, p + "mlp.up_proj.weight", inter, inter);
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
