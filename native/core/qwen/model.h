// A Qwen2.5-VL model: configuration, weights, and the full forward pass (vision tower, image
// embeddings placed at the image-pad tokens, decoder, LM head).
#pragma once
#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "core/qwen/config.h"
#include "core/qwen/decoder.h"
#include "core/qwen/vision.h"
#include "core/qwen/weights.h"

namespace vsr1::qwen {

struct ForwardInput {
  at::Tensor inputIds;       // [B, L] int64
  at::Tensor attentionMask;  // [B, L] (1 = real token); undefined = all ones
  at::Tensor positionIds;    // [3, B, L]; undefined = 0..L-1 on every axis
  at::Tensor pixelValues;    // [N, patchDim]; undefined = no images
  std::vector<Grid> grids;   // one per image, in order of appearance in the batch (row-major)
  // When set, one entry per image occurrence (same order as grids): the distinct image it shows.
  // pixelValues then hold only the distinct images, in order of first appearance, and the vision
  // tower runs once per distinct image (a prompt's n samples share one image).
  std::vector<int64_t> imageSources;
  // Packed (padding-free) layout: inputIds is [1, T] holding the sequences back to back, these
  // are their boundaries (0, len0, len0 + len1, ..., T); empty = the padded [B, L] layout.
  std::vector<int64_t> cuSeqlens;
  // Packed layout only, empty or one entry per sequence: the sequence it reads as a shared prefix
  // (-1 for none; attention.h, Segments::prefix). The n responses of a prompt then train on one
  // copy of it.
  std::vector<int64_t> segmentPrefix;
  // Set by normalizeInput: the padded layout has no padding (every mask entry 1), so attention
  // may run without a mask.
  bool unpadded = false;
};

class Model {
 public:
  Model(ModelConfig cfg, at::ScalarType dtype, at::Device device) : cfg(std::move(cfg)), w(this->cfg, dtype, device), device(device), dtype(dtype) {}

  // Token embeddings with the vision tower's outputs written over the image-pad tokens.
  at::Tensor embed(const at::Tensor& ids, const at::Tensor& pixels, const std::vector<Grid>& grids, const std::vector<int64_t>& imageSources = {}) const;
  // Final hidden states [B, L, hidden] (after the last norm).
  at::Tensor hidden(const ForwardInput& in, KvCache* cache = nullptr) const;
  // Moves every weight to `to` in place (every handle to a weight sees the move) and makes it
  // the device inputs go to: how a frozen reference model is offloaded between phases.
  void moveTo(at::Device to);
  // LM-head logits for hidden states [..., hidden].
  at::Tensor logits(const at::Tensor& hidden) const { return linear(&w.packs, hidden, w.lmHead); }

  ModelConfig cfg;
  Weights w;
  // Activation checkpointing of decoder layers and vision blocks when gradients are recorded.
  bool gradientCheckpointing = false;
  at::Device device;
  at::ScalarType dtype;
};

// Defaults for missing attention mask / position ids, and device moves.
ForwardInput normalizeInput(const Model& m, ForwardInput in);

}  // namespace vsr1::qwen
