// AdamW over a whole parameter list in one call, with parameter groups, and global grad-norm
// clipping. The update follows torch.optim.AdamW's single-tensor path op for op, so a
// trajectory equals PyTorch's to float rounding.
#pragma once
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <vector>

namespace vsr1 {

struct AdamWGroup {
  std::vector<at::Tensor> params;
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 1e-2;
};

class AdamW {
 public:
  // With masterWeights, every half/bf16 parameter gets an fp32 master copy held here: the
  // update runs on the master (with the gradient widened to fp32) and the result is written
  // back into the parameter, so low-precision training keeps full-precision weights and moments
  // without any per-parameter work outside this one call.
  explicit AdamW(std::vector<AdamWGroup> groups, bool masterWeights = false);
  // One update of every parameter that has a gradient. Runs without recording autograd.
  void step();
  // Clears gradients: set to undefined (like set_to_none=True) or fill with zeros.
  void zeroGrad(bool setToNone = true);
  std::vector<AdamWGroup>& groups() { return groups_; }

  // Optimizer state per parameter, in group order then parameter order. Undefined tensors
  // for parameters that were never stepped.
  struct ParamState {
    int64_t step = 0;
    at::Tensor expAvg, expAvgSq;
    at::Tensor master;  // fp32 copy of a low-precision parameter (masterWeights), else undefined
  };
  std::vector<ParamState>& state() { return state_; }
  size_t paramCount() const { return state_.size(); }

 private:
  std::vector<AdamWGroup> groups_;
  std::vector<ParamState> state_;
};

// torch.nn.utils.clip_grad_norm_: scales all gradients so their joint `normType` norm is at most
// `maxNorm`; returns the norm before clipping (inf/nan when a gradient is non-finite).
double clipGradNorm(const std::vector<at::Tensor>& params, double maxNorm, double normType = 2.0);

}  // namespace vsr1
