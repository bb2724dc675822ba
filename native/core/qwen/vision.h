// The Qwen2.5-VL vision tower: patch embedding, 2D rotary, window / full attention blocks and
// the 2x2 patch merger. Input: processor pixel values [N, C*T*P*P] and each image's grid (t, h, w).
#pragma once
#include <ATen/ATen.h>

#include <array>
#include <vector>

#include "core/attention.h"
#include "core/qwen/weights.h"

namespace vsr1::qwen {

using Grid = std::array<int64_t, 3>;

// Returns merged image embeddings [N / merge^2, outHiddenSize], in the processor's patch order.
// With checkpointBlocks, each block's activations are recomputed in backward (training memory).
at::Tensor visionForward(const ModelConfig& cfg, const Weights& w, const at::Tensor& pixels, const std::vector<Grid>& grids, bool checkpointBlocks = false);

// Exposed for tests: the window reordering and cumulative window lengths (HF get_vision_window_index).
void visionWindowIndex(const VisionConfig& v, const std::vector<Grid>& grids, std::vector<int64_t>& windowIndex, std::vector<int64_t>& cuWindow);

}  // namespace vsr1::qwen
