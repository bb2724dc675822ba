#include "core/qwen/model.h"

#include <stdexcept>
#include <string>

namespace vsr1::qwen {

at::Tensor Model::embed(const at::Tensor& ids, const at::Tensor& pixels, const std::vector<Grid>& grids) const {
  at::Tensor e = at::embedding(w.embed, ids);
  at::Tensor isImage = ids == cfg.imageTokenId;
  // The meta device (shapes only, used to check that a path stays on one device) has no values to count.
  if (ids.is_meta()) return pixels.defined() ? e.masked_scatter(isImage.unsqueeze(-1).expand_as(e), visionForward(cfg, w, pixels, grids, gradientCheckpointing).to(e.scalar_type())) : e;
  int64_t nTokens = isImage.sum().item<int64_t>();
  if (!pixels.defined()) {
    if (nTokens > 0) throw std::runtime_error("input has " + std::to_string(nTokens) + " image-pad tokens but no pixel values were given");
    return e;
  }
  at::Tensor img = visionForward(cfg, w, pixels, grids, gradientCheckpointing).to(e.scalar_type());
  if (img.size(0) != nTokens) {
    throw std::runtime_error("image features and image tokens do not match: " + std::to_string(nTokens) + " image-pad tokens in the input, " +
                             std::to_string(img.size(0)) + " merged image patches from the pixel values");
  }
  return e.masked_scatter(isImage.unsqueeze(-1).expand_as(e), img);
}

void Model::moveTo(at::Device to) {
  if (to == device) return;
  // Copies first, then swaps every weight's storage: a device that cannot hold the weights in
  // place (meta, lazy) is refused before anything moved.
  std::vector<at::Tensor> moved;
  for (const auto& [name, t] : w.named()) {
    moved.push_back(t.to(to));
    if (!t.unsafeGetTensorImpl()->has_compatible_shallow_copy_type(moved.back().key_set())) {
      throw std::runtime_error("cannot move the model's weights from " + device.str() + " to " + to.str() + " in place (only between CPU and accelerator devices)");
    }
  }
  size_t i = 0;
  for (const auto& [name, t] : w.named()) const_cast<at::Tensor&>(t).set_data(moved[i++]);
  device = to;
}

ForwardInput normalizeInput(const Model& m, ForwardInput in) {
  TORCH_CHECK(in.inputIds.dim() == 2, "input ids must be [batch, length], got shape ", in.inputIds.sizes());
  TORCH_CHECK(in.cuSeqlens.empty() || in.inputIds.size(0) == 1, "packed input ids must be one row [1, tokens], got shape ", in.inputIds.sizes());
  const int64_t B = in.inputIds.size(0), L = in.inputIds.size(1);
  auto longOpts = at::TensorOptions().dtype(at::kLong).device(m.device);
  in.inputIds = in.inputIds.to(longOpts);
  in.attentionMask = in.attentionMask.defined() ? in.attentionMask.to(m.device).to(at::kBool) : at::ones({B, L}, longOpts.dtype(at::kBool));
  TORCH_CHECK(in.attentionMask.sizes() == in.inputIds.sizes(), "attention mask shape ", in.attentionMask.sizes(), " differs from input ids ",
              in.inputIds.sizes());
  if (!in.positionIds.defined()) in.positionIds = at::arange(L, longOpts).view({1, 1, L}).expand({3, B, L});
  in.positionIds = in.positionIds.to(longOpts);
  TORCH_CHECK(in.positionIds.dim() == 3 && in.positionIds.size(0) == 3 && in.positionIds.size(1) == B && in.positionIds.size(2) == L,
              "position ids must be [3, ", B, ", ", L, "], got ", in.positionIds.sizes());
  if (in.pixelValues.defined()) in.pixelValues = in.pixelValues.to(m.device);
  return in;
}

at::Tensor Model::hidden(const ForwardInput& raw, KvCache* cache) const {
  ForwardInput in = normalizeInput(*this, raw);
  Segments seg{in.cuSeqlens};
  DecoderInput d{embed(in.inputIds, in.pixelValues, in.grids), in.positionIds, in.attentionMask};
  if (!in.cuSeqlens.empty()) d.packed = &seg;
  d.checkpointLayers = gradientCheckpointing && !cache;
  return decoderForward(cfg.text, w, d, cache);
}

}  // namespace vsr1::qwen
