#include "core/qwen/model.h"

#include <stdexcept>
#include <string>

namespace vsr1::qwen {

namespace {

// Vision features of every image occurrence from the distinct images' features: occurrence j
// takes the merged-token rows of image sources[j]. Distinct images are in order of first use.
at::Tensor repeatImages(const ModelConfig& cfg, const Weights& w, const at::Tensor& pixels, const std::vector<Grid>& grids, const std::vector<int64_t>& sources,
                        bool checkpoint) {
  if (sources.size() != grids.size()) {
    throw std::runtime_error("image sources name " + std::to_string(sources.size()) + " image occurrences but there are " + std::to_string(grids.size()) + " grids");
  }
  const int64_t unit = cfg.vision.spatialMergeSize * cfg.vision.spatialMergeSize;
  std::vector<Grid> distinct;
  std::vector<int64_t> start;  // first merged row of each distinct image
  int64_t rows = 0;
  for (size_t j = 0; j < sources.size(); ++j) {
    if (sources[j] == static_cast<int64_t>(distinct.size())) {
      distinct.push_back(grids[j]);
      start.push_back(rows);
      rows += grids[j][0] * grids[j][1] * grids[j][2] / unit;
    } else if (sources[j] < 0 || sources[j] > static_cast<int64_t>(distinct.size())) {
      throw std::runtime_error("image source " + std::to_string(sources[j]) + " of occurrence " + std::to_string(j) + " is not a distinct image seen before it or the next new one");
    } else if (distinct[sources[j]] != grids[j]) {
      throw std::runtime_error("image occurrence " + std::to_string(j) + " has another grid than its source image " + std::to_string(sources[j]));
    }
  }
  at::Tensor feats = visionForward(cfg, w, pixels, distinct, checkpoint);
  std::vector<int64_t> idx;
  for (size_t j = 0; j < sources.size(); ++j) {
    const int64_t n = grids[j][0] * grids[j][1] * grids[j][2] / unit;
    for (int64_t r = 0; r < n; ++r) idx.push_back(start[sources[j]] + r);
  }
  return feats.index_select(0, at::tensor(idx, at::kLong).to(feats.device()));
}

}  // namespace

at::Tensor Model::embed(const at::Tensor& ids, const at::Tensor& pixels, const std::vector<Grid>& grids, const std::vector<int64_t>& imageSources) const {
  auto images = [&] { return imageSources.empty() ? visionForward(cfg, w, pixels, grids, gradientCheckpointing) : repeatImages(cfg, w, pixels, grids, imageSources, gradientCheckpointing); };
  at::Tensor e = at::embedding(w.embed, ids);
  at::Tensor isImage = ids == cfg.imageTokenId;
  int64_t nTokens = isImage.sum().item<int64_t>();
  if (!pixels.defined()) {
    if (nTokens > 0) throw std::runtime_error("input has " + std::to_string(nTokens) + " image-pad tokens but no pixel values were given");
    return e;
  }
  at::Tensor img = images().to(e.scalar_type());
  if (img.size(0) != nTokens) {
    throw std::runtime_error("image features and image tokens do not match: " + std::to_string(nTokens) + " image-pad tokens in the input, " +
                             std::to_string(img.size(0)) + " merged image patches from the pixel values");
  }
  return e.masked_scatter(isImage.unsqueeze(-1).expand_as(e), img);
}

void Model::moveTo(at::Device to) {
  if (to == device) return;
  w.moveTo(to);
  device = to;
}

ForwardInput normalizeInput(const Model& m, ForwardInput in) {
  TORCH_CHECK(in.inputIds.dim() == 2, "input ids must be [batch, length], got shape ", in.inputIds.sizes());
  TORCH_CHECK(in.cuSeqlens.empty() || in.inputIds.size(0) == 1, "packed input ids must be one row [1, tokens], got shape ", in.inputIds.sizes());
  TORCH_CHECK(in.segmentPrefix.empty() || !in.cuSeqlens.empty(), "shared prefixes (segmentPrefix) need the packed layout (cuSeqlens)");
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1);
  auto longOpts = at::TensorOptions().dtype(at::kLong).device(m.device);
  TORCH_CHECK(!at::isFloatingType(in.inputIds.scalar_type()) && !at::isComplexType(in.inputIds.scalar_type()) && in.inputIds.scalar_type() != at::kBool,
              "input ids must be an integer tensor, got ", in.inputIds.scalar_type());
  in.inputIds = in.inputIds.to(longOpts);
  // One reduction per forward: an id outside the vocabulary would read past the embedding (a
  // device-side assert that poisons a CUDA context), so it is an error here instead.
  if (in.inputIds.numel() > 0) {
    auto [lo, hi] = at::aminmax(in.inputIds);
    const int64_t a = lo.item<int64_t>(), b = hi.item<int64_t>();
    TORCH_CHECK(a >= 0 && b < m.cfg.text.vocabSize, "input ids must be in [0, ", m.cfg.text.vocabSize, ") (the vocabulary), got ids from ", a, " to ", b);
  }
  const bool maskGiven = in.attentionMask.defined();
  in.attentionMask = maskGiven ? in.attentionMask.to(m.device).to(at::kBool) : at::ones({B, L}, longOpts.dtype(at::kBool));
  TORCH_CHECK(in.attentionMask.sizes() == in.inputIds.sizes(), "attention mask shape ", in.attentionMask.sizes(), " differs from input ids ",
              in.inputIds.sizes());
  // One sync when a mask was given for the padded layout (packed input has no padding to find).
  in.unpadded = !maskGiven || (in.cuSeqlens.empty() && in.attentionMask.all().item<bool>());
  if (!in.positionIds.defined()) in.positionIds = at::arange(L, longOpts).view({1, 1, L}).expand({3, B, L});
  in.positionIds = in.positionIds.to(longOpts);
  TORCH_CHECK(in.positionIds.dim() == 3 && in.positionIds.size(0) == 3 && in.positionIds.size(1) == B && in.positionIds.size(2) == L,
              "position ids must be [3, ", B, ", ", L, "], got ", in.positionIds.sizes());
  if (in.pixelValues.defined()) in.pixelValues = in.pixelValues.to(m.device);
  return in;
}

at::Tensor Model::hidden(const ForwardInput& raw, KvCache* cache) const {
  ForwardInput in = normalizeInput(*this, raw);
  Segments seg{in.cuSeqlens, in.segmentPrefix};
  DecoderInput d{embed(in.inputIds, in.pixelValues, in.grids, in.imageSources), in.positionIds, in.attentionMask};
  if (!in.cuSeqlens.empty()) d.packed = &seg;
  else d.allKeysValid = in.unpadded;
  d.checkpointLayers = gradientCheckpointing && !cache;
  return decoderForward(cfg.text, w, d, cache);
}

}  // namespace vsr1::qwen
