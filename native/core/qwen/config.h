// Qwen2.5-VL architecture hyper-parameters (the fields of config.json the forward pass needs).
// Parsed and validated in TypeScript (lib/models/qwen2_5_vl/config.ts), passed in as numbers, and
// validated again here (config.cpp) before any integer arithmetic uses them.
#pragma once
#include <cstdint>
#include <vector>

namespace vsr1::qwen {

struct VisionConfig {
  int64_t depth = 32;
  int64_t hiddenSize = 1280;
  int64_t intermediateSize = 3420;
  int64_t numHeads = 16;
  int64_t inChannels = 3;
  int64_t patchSize = 14;
  int64_t temporalPatchSize = 2;
  int64_t spatialMergeSize = 2;
  int64_t windowSize = 112;
  int64_t outHiddenSize = 3584;
  double ropeTheta = 10000.0;
  std::vector<int64_t> fullattBlockIndexes{7, 15, 23, 31};
  int64_t headDim() const { return hiddenSize / numHeads; }
  int64_t patchDim() const { return inChannels * temporalPatchSize * patchSize * patchSize; }
};

struct TextConfig {
  int64_t vocabSize = 152064;
  int64_t hiddenSize = 3584;
  int64_t intermediateSize = 18944;
  int64_t numLayers = 28;
  int64_t numHeads = 28;
  int64_t numKvHeads = 4;
  double rmsNormEps = 1e-6;
  double ropeTheta = 1000000.0;
  std::vector<int64_t> mropeSection{16, 24, 24};
  bool tieWordEmbeddings = false;
  int64_t maxPositionEmbeddings = 128000;  // the context length: generation stops there
  int64_t headDim() const { return hiddenSize / numHeads; }
};

struct ModelConfig {
  VisionConfig vision;
  TextConfig text;
  int64_t imageTokenId = 151655;
};

// Throws (c10::Error, a JS Error at the boundary) unless every size and divisor is positive and
// every division the forward pass makes is exact. qwenNew calls it before building a model.
void validate(const ModelConfig& c);

// About how many parameters the model has (a double: a nonsense config must not overflow).
double parameterCount(const ModelConfig& c);

}  // namespace vsr1::qwen
