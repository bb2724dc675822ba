// The parameters of a Qwen2.5-VL model, by their Hugging Face names (transformers 5 layout:
// model.visual.*, model.language_model.*, lm_head.weight), with typed views per layer for the
// forward pass. Tensors are created with their final shapes; loading copies into them.
#pragma once
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "core/qwen/config.h"

namespace vsr1::qwen {

struct VisionBlockW {
  at::Tensor norm1, norm2, qkvW, qkvB, projW, projB, gateW, gateB, upW, upB, downW, downB;
};
struct DecoderLayerW {
  at::Tensor inNorm, postNorm, qW, qB, kW, kB, vW, vB, oW, gateW, upW, downW;
};

class Weights {
 public:
  Weights(const ModelConfig& cfg, at::ScalarType dtype, at::Device device);

  // Every parameter by name, in a stable order (vision, then text, then lm_head).
  const std::vector<std::pair<std::string, at::Tensor>>& named() const { return named_; }
  at::Tensor* find(const std::string& name);
  // Normal(0, std) for matrices, ones for norm weights, zeros for biases (seeded generator).
  void initRandom(double stdDev, uint64_t seed);

  at::Tensor patchW;  // [hidden, C, T, P, P]
  std::vector<VisionBlockW> vblocks;
  at::Tensor mergerNorm, mergerW1, mergerB1, mergerW2, mergerB2;
  at::Tensor embed;  // [vocab, hidden]
  std::vector<DecoderLayerW> layers;
  at::Tensor finalNorm;
  at::Tensor lmHead;  // aliases `embed` when tied

 private:
  at::Tensor make(const std::string& name, std::vector<int64_t> shape);
  std::vector<std::pair<std::string, at::Tensor>> named_;
  std::map<std::string, size_t> index_;
  at::TensorOptions opts_;
};

}  // namespace vsr1::qwen
