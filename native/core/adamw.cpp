#include "core/adamw.h"

#include <cmath>

namespace vsr1 {

AdamW::AdamW(std::vector<AdamWGroup> groups, bool masterWeights) : groups_(std::move(groups)) {
  size_t n = 0;
  for (const auto& g : groups_) {
    for (const auto& p : g.params) TORCH_CHECK(p.is_leaf(), "AdamW: every parameter must be a leaf tensor");
    n += g.params.size();
  }
  state_.resize(n);
  if (!masterWeights) return;
  at::NoGradGuard noGrad;
  size_t k = 0;
  for (const auto& g : groups_) {
    for (const auto& p : g.params) {
      const auto dt = p.scalar_type();
      if (dt == at::kHalf || dt == at::kBFloat16) state_[k].master = p.detach().to(at::kFloat, /*non_blocking=*/false, /*copy=*/true);
      ++k;
    }
  }
}

void AdamW::step() {
  at::NoGradGuard noGrad;
  size_t k = 0;
  for (auto& g : groups_) {
    for (auto& p : g.params) {
      ParamState& st = state_[k++];
      if (!p.grad().defined()) continue;
      // With a master copy the update runs in fp32 on it, and the parameter receives the result.
      at::Tensor w = st.master.defined() ? st.master : p;
      const at::Tensor grad = st.master.defined() ? p.grad().to(at::kFloat) : p.grad();
      if (!st.expAvg.defined()) {
        st.expAvg = at::zeros_like(w, at::MemoryFormat::Preserve);
        st.expAvgSq = at::zeros_like(w, at::MemoryFormat::Preserve);
      }
      st.step += 1;
      // Decoupled weight decay, then the Adam moments (same order and ops as PyTorch).
      if (g.weightDecay != 0) w.mul_(1 - g.lr * g.weightDecay);
      st.expAvg.lerp_(grad, 1 - g.beta1);
      st.expAvgSq.mul_(g.beta2).addcmul_(grad, grad, 1 - g.beta2);
      double bc1 = 1 - std::pow(g.beta1, static_cast<double>(st.step));
      double bc2 = 1 - std::pow(g.beta2, static_cast<double>(st.step));
      double stepSize = g.lr / bc1;
      at::Tensor denom = (st.expAvgSq.sqrt() / std::sqrt(bc2)).add_(g.eps);
      w.addcdiv_(st.expAvg, denom, -stepSize);
      if (st.master.defined()) p.copy_(st.master);
    }
  }
}

void AdamW::zeroGrad(bool setToNone) {
  for (auto& g : groups_) {
    for (auto& p : g.params) {
      if (!p.grad().defined()) continue;
      if (setToNone) {
        p.mutable_grad() = at::Tensor();
      } else {
        p.mutable_grad().detach_();
        p.mutable_grad().zero_();
      }
    }
  }
}

double clipGradNorm(const std::vector<at::Tensor>& params, double maxNorm, double normType) {
  at::NoGradGuard noGrad;
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return 0.0;
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  // Norms in each gradient's own precision (half types widened to fp32), then combined in the
  // widest of them, as torch.nn.utils.clip_grad_norm_ does.
  bool anyDouble = false;
  for (const auto& g : grads) {
    bool half = g.scalar_type() == at::kHalf || g.scalar_type() == at::kBFloat16;
    norms.push_back(half ? at::linalg_vector_norm(g, normType, std::nullopt, false, at::kFloat) : at::linalg_vector_norm(g, normType));
    anyDouble = anyDouble || g.scalar_type() == at::kDouble;
  }
  for (auto& n : norms) n = n.to(grads[0].device(), anyDouble ? at::kDouble : at::kFloat);
  at::Tensor total = at::linalg_vector_norm(at::stack(norms), normType);
  at::Tensor coef = at::clamp(maxNorm / (total + 1e-6), std::nullopt, 1.0);
  for (auto& g : grads) g.mul_(coef.to(g.device(), g.scalar_type()));
  return total.item<double>();
}

}  // namespace vsr1
