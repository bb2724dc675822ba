#include "core/checkpoint.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

namespace vsr1 {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The segment travels to backward inside the autograd context as a capsule.
struct SegmentHolder : torch::CustomClassHolder {
  explicit SegmentHolder(Segment f) : fn(std::move(f)) {}
  Segment fn;
};

struct Checkpoint : public torch::autograd::Function<Checkpoint> {
  // `params` are listed only so that autograd routes their gradients through this node.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, at::TensorList params, c10::intrusive_ptr<SegmentHolder> seg) {
    ctx->save_for_backward({x});
    ctx->saved_data["segment"] = c10::IValue::make_capsule(seg);
    ctx->saved_data["params"] = c10::List<at::Tensor>(params.vec());
    return seg->fn(x);  // autograd records nothing here: Function::apply runs forward without grad
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto seg = c10::static_intrusive_pointer_cast<SegmentHolder>(ctx->saved_data["segment"].toCapsule());
    auto params = ctx->saved_data["params"].toTensorList().vec();
    at::Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(ctx->needs_input_grad(0));
    at::Tensor out;
    {
      at::AutoGradMode enable(true);
      out = seg->fn(x);
    }
    // Differentiate only what needs a gradient; the rest get undefined gradients.
    std::vector<at::Tensor> wrt;
    std::vector<size_t> slot;
    if (ctx->needs_input_grad(0)) {
      wrt.push_back(x);
      slot.push_back(0);
    }
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].requires_grad() && ctx->needs_input_grad(1 + i)) {
        wrt.push_back(params[i]);
        slot.push_back(1 + i);
      }
    }
    variable_list result(2 + params.size());
    if (!wrt.empty() && out.requires_grad()) {
      auto g = torch::autograd::grad({out}, wrt, {grads[0]}, /*retain_graph=*/false, /*create_graph=*/false, /*allow_unused=*/true);
      for (size_t j = 0; j < wrt.size(); ++j) result[slot[j]] = g[j];
    }
    return result;
  }
};

}  // namespace

at::Tensor checkpointed(const Segment& fn, const at::Tensor& x, const std::vector<at::Tensor>& params) {
  if (!at::GradMode::is_enabled()) return fn(x);
  bool anyGrad = x.requires_grad();
  for (const auto& p : params) anyGrad = anyGrad || p.requires_grad();
  if (!anyGrad) return fn(x);
  return Checkpoint::apply(x, at::TensorList(params), c10::make_intrusive<SegmentHolder>(fn));
}

}  // namespace vsr1
