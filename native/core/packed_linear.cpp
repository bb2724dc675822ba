#include "core/packed_linear.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/grad_mode.h>

#include <atomic>
#include <optional>

namespace vsr1 {
namespace {

std::atomic<bool> packingOn{true};

// oneDNN's ops are registered by libtorch_cpu when it was built with oneDNN; they are looked up
// once and called boxed, so a libtorch without them (or with another signature) falls back.
struct OneDnnOps {
  std::optional<c10::OperatorHandle> reorder, linear;
  OneDnnOps() {
    if (!at::hasMKLDNN()) return;
    reorder = c10::Dispatcher::singleton().findSchema({"mkldnn::_reorder_linear_weight", ""});
    linear = c10::Dispatcher::singleton().findSchema({"mkldnn::_linear_pointwise", ""});
  }
  bool present() const { return reorder.has_value() && linear.has_value(); }
};

const OneDnnOps& ops() {
  static const OneDnnOps o;
  return o;
}

bool packable(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (!weightPackingAvailable() || !w.device().is_cpu() || w.dim() != 2 || x.scalar_type() != w.scalar_type()) return false;
  if (w.scalar_type() != at::kFloat && w.scalar_type() != at::kBFloat16) return false;
  if (b.defined() && (b.scalar_type() != w.scalar_type() || !b.device().is_cpu())) return false;
  if (x.numel() == 0 || w.numel() == 0) return false;
  return !at::GradMode::is_enabled() || !(x.requires_grad() || w.requires_grad() || (b.defined() && b.requires_grad()));
}

}  // namespace

bool weightPackingAvailable() { return packingOn.load() && ops().present(); }
void setWeightPacking(bool on) { packingOn.store(on); }
bool weightPackingEnabled() { return packingOn.load(); }

at::Tensor PackedLinears::packedFor(const at::Tensor& w) const {
  const uint32_t version = w.unsafeGetTensorImpl()->version_counter().current_version();
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[w.unsafeGetTensorImpl()];
  if (e.packed.defined() && e.data == w.data_ptr() && e.version == version) return e.packed;
  torch::jit::Stack s{w.detach().contiguous(), c10::IValue()};
  ops().reorder->callBoxed(&s);
  e.source = w;
  e.packed = s[0].toTensor();
  e.data = w.data_ptr();
  e.version = version;
  return e.packed;
}

at::Tensor PackedLinears::linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) const {
  if (!packable(x, w, b)) return plainLinear(x, w, b);
  at::Tensor packed = packedFor(w);
  torch::jit::Stack s{x.detach(), packed, b.defined() ? c10::IValue(b.detach()) : c10::IValue(), c10::IValue(std::string("none")),
                      c10::IValue(c10::List<std::optional<at::Scalar>>()), c10::IValue()};
  ops().linear->callBoxed(&s);
  return s[0].toTensor();
}

void PackedLinears::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

}  // namespace vsr1
