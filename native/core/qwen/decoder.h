// The Qwen2 decoder with multimodal (3D) rotary positions, grouped-query attention and an
// optional KV cache for generation.
#pragma once
#include <ATen/ATen.h>

#include <optional>
#include <vector>

#include "core/attention.h"
#include "core/qwen/weights.h"

namespace vsr1::qwen {

// Preallocated keys/values per layer: [B, kvHeads, capacity, headDim]; `length` filled so far.
struct KvCache {
  std::vector<at::Tensor> k, v;
  int64_t length = 0;
  int64_t capacity = 0;
  void allocate(const TextConfig& t, int64_t batch, int64_t capacity, const at::TensorOptions& opts);
  // Repeats every row `n` times (n samples per prompt share one prefill).
  void repeatRows(int64_t n);
  // Continuous batching (continuous.cpp): when defined ([B] int64), a one-token step writes row
  // b's key/value at column rowColumns[b] instead of at `length`, attention reads columns
  // [0, length + 1) and only the caller's keyMask limits what each row sees (rows are at
  // different steps of their own sequences).
  at::Tensor rowColumns;
};

struct DecoderInput {
  at::Tensor embeds;         // [B, L, hidden]
  at::Tensor positionIds;    // [3, B, L] int64
  at::Tensor keyMask;        // [B, Lkeys] bool: keys that may be attended (Lkeys = cache length after this step)
  // Packed mode: B = 1 and the row holds several sequences back to back (boundaries here); each
  // attends causally to itself only, so no padding and no mask. keyMask is unused then.
  const Segments* packed = nullptr;
  // Every key is valid (keyMask all true: no padding): attention may run without a mask. The
  // caller states it, so the forward needs no device sync to find out.
  bool allKeysValid = false;
  // Recompute each layer in backward instead of keeping its activations (training only).
  bool checkpointLayers = false;
};

// Whether a layer's parameters are still views of its fused weights (weights.h): then inference
// runs one matmul for q/k/v and one for gate/up.
bool fusedIntact(const DecoderLayerW& l);

// cos/sin [B, L, headDim] for mRoPE positions (HF Qwen2_5_VLRotaryEmbedding).
std::pair<at::Tensor, at::Tensor> mropeCosSin(const TextConfig& t, const at::Tensor& positionIds, at::ScalarType dtype);

// Runs every decoder layer and the final norm; returns hidden states [B, L, hidden]. With a
// cache, keys/values are appended at cache->length and attention spans the whole cache (the cache
// is for the padded layout only).
at::Tensor decoderForward(const TextConfig& t, const Weights& w, const DecoderInput& in, KvCache* cache);

}  // namespace vsr1::qwen
