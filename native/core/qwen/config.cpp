// The one check of a model config before any integer arithmetic uses it: every size and every
// divisor positive, the divisions exact, the vision window a whole number of merged patches.
// A zero here used to reach an integer division (SIGFPE, the process gone) at the first forward.
#include "core/qwen/config.h"

#include <c10/util/Exception.h>

#include <cmath>

namespace vsr1::qwen {

namespace {
void positive(int64_t v, const char* name) { TORCH_CHECK(v > 0, "model config: ", name, " must be a positive integer, got ", v); }
}  // namespace

void validate(const ModelConfig& c) {
  const auto& v = c.vision;
  const auto& t = c.text;
  positive(v.depth, "vision_config.depth");
  positive(v.hiddenSize, "vision_config.hidden_size");
  positive(v.intermediateSize, "vision_config.intermediate_size");
  positive(v.numHeads, "vision_config.num_heads");
  positive(v.inChannels, "vision_config.in_channels");
  positive(v.patchSize, "vision_config.patch_size");
  positive(v.temporalPatchSize, "vision_config.temporal_patch_size");
  positive(v.spatialMergeSize, "vision_config.spatial_merge_size");
  positive(v.windowSize, "vision_config.window_size");
  positive(v.outHiddenSize, "vision_config.out_hidden_size");
  positive(t.vocabSize, "vocab_size");
  positive(t.hiddenSize, "hidden_size");
  positive(t.intermediateSize, "intermediate_size");
  positive(t.numLayers, "num_hidden_layers");
  positive(t.numHeads, "num_attention_heads");
  positive(t.numKvHeads, "num_key_value_heads");
  positive(t.maxPositionEmbeddings, "max_position_embeddings");
  TORCH_CHECK(std::isfinite(t.rmsNormEps) && t.rmsNormEps > 0, "model config: rms_norm_eps must be a positive number, got ", t.rmsNormEps);
  TORCH_CHECK(std::isfinite(t.ropeTheta) && t.ropeTheta > 0, "model config: rope_theta must be a positive number, got ", t.ropeTheta);
  TORCH_CHECK(t.hiddenSize % t.numHeads == 0, "model config: hidden_size ", t.hiddenSize, " is not divisible by num_attention_heads ", t.numHeads);
  TORCH_CHECK(t.numHeads % t.numKvHeads == 0, "model config: num_attention_heads ", t.numHeads, " is not a multiple of num_key_value_heads ", t.numKvHeads);
  TORCH_CHECK(v.hiddenSize % v.numHeads == 0, "model config: vision hidden_size ", v.hiddenSize, " is not divisible by num_heads ", v.numHeads);
  const int64_t unit = v.spatialMergeSize * v.patchSize;
  TORCH_CHECK(v.windowSize >= unit && v.windowSize % unit == 0, "model config: vision window_size ", v.windowSize,
              " must be a positive multiple of spatial_merge_size x patch_size = ", unit);
  int64_t sec = 0;
  for (auto s : t.mropeSection) {
    TORCH_CHECK(s >= 0, "model config: mrope_section entries must be >= 0, got ", s);
    sec += s;
  }
  TORCH_CHECK(sec * 2 == t.headDim(), "model config: mrope_section sums to ", sec, " but head_dim / 2 is ", t.headDim() / 2);
  for (auto i : v.fullattBlockIndexes) TORCH_CHECK(i >= 0 && i < v.depth, "model config: fullatt_block_indexes has ", i, ", outside 0..", v.depth - 1);
  // Sizes that are each valid can still describe an impossible model (num_hidden_layers 1e12):
  // building it would run out of memory after minutes. 1e13 parameters is far above any real one.
  const double params = parameterCount(c);
  TORCH_CHECK(params < 1e13, "model config: the sizes describe about ", params, " parameters, which no machine can hold");
}

double parameterCount(const ModelConfig& c) {
  const auto& t = c.text;
  const auto& v = c.vision;
  const double h = t.hiddenSize, kv = static_cast<double>(t.numKvHeads) * (t.hiddenSize / t.numHeads);
  const double layer = h * (h + 2 * kv) + (h + 2 * kv) + h * h + 3 * h * t.intermediateSize + 2 * h;
  const double vh = v.hiddenSize, merged = vh * v.spatialMergeSize * v.spatialMergeSize;
  const double block = 4 * vh * vh + 4 * vh + 3 * vh * v.intermediateSize + 2 * vh;
  return static_cast<double>(t.vocabSize) * h * (t.tieWordEmbeddings ? 1 : 2) + t.numLayers * layer + h + static_cast<double>(v.patchDim()) * vh +
         v.depth * block + merged * merged + merged * v.outHiddenSize + vh;
}

}  // namespace vsr1::qwen
