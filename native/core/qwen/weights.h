// The parameters of a Qwen2.5-VL model, by their Hugging Face names (transformers 5 layout:
// model.visual.*, model.language_model.*, lm_head.weight), with typed views per layer for the
// forward pass. Tensors are created with their final shapes; loading copies into them.
#pragma once
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "core/packed_linear.h"
#include "core/qwen/config.h"

namespace vsr1::qwen {

struct VisionBlockW {
  at::Tensor norm1, norm2, qkvW, qkvB, projW, projB, gateW, gateB, upW, upB, downW, downB;
};
struct DecoderLayerW {
  at::Tensor inNorm, postNorm, qW, qB, kW, kB, vW, vB, oW, gateW, upW, downW;
  // Fused storage: qW, kW, vW are consecutive row ranges of qkvW (and their biases of qkvB),
  // gateW and upW of gateUpW, so inference runs one matmul where the checkpoint has three (or
  // two). The named parameters stay views of these; anything that rebinds a parameter to other
  // storage breaks the alias, and the forward then falls back to the separate weights
  // (decoder.cpp, fusedUsable).
  at::Tensor qkvW, qkvB, gateUpW;
};

class Weights {
 public:
  Weights(const ModelConfig& cfg, at::ScalarType dtype, at::Device device);

  // Every parameter by name, in a stable order (vision, then text, then lm_head).
  const std::vector<std::pair<std::string, at::Tensor>>& named() const { return named_; }
  at::Tensor* find(const std::string& name);
  // Normal(0, std) for matrices, ones for norm weights, zeros for biases (seeded generator).
  void initRandom(double stdDev, uint64_t seed);
  // Moves every parameter to `to` in place (same tensor objects, new storage), keeping the fused
  // groups fused. Copies everything first, so a device that cannot hold the weights is refused
  // before anything moved.
  void moveTo(at::Device to);

  at::Tensor patchW;  // [hidden, C, T, P, P]
  std::vector<VisionBlockW> vblocks;
  at::Tensor mergerNorm, mergerW1, mergerB1, mergerW2, mergerB2;
  at::Tensor embed;  // [vocab, hidden]
  std::vector<DecoderLayerW> layers;
  at::Tensor finalNorm;
  at::Tensor lmHead;  // aliases `embed` when tied
  // Reordered copies of the matrices for inference on the CPU (packed_linear.h).
  PackedLinears packs;

 private:
  at::Tensor make(const std::string& name, std::vector<int64_t> shape);
  // One storage for several parameters stacked along dim 0 (same trailing shape): makeStack
  // allocates the whole, makePart registers a row range of it as a named parameter.
  size_t makeStack(std::vector<int64_t> shape);
  at::Tensor makePart(size_t stack, const std::string& name, int64_t row, int64_t rows);
  struct Stack {
    at::Tensor whole;
    std::vector<std::pair<size_t, int64_t>> parts;  // (index in named_, first row)
  };
  std::vector<Stack> stacks_;
  std::vector<std::pair<std::string, at::Tensor>> named_;
  std::map<std::string, size_t> index_;
  at::TensorOptions opts_;
};

}  // namespace vsr1::qwen
