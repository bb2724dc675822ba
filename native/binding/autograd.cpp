// [sync] Autograd: requires_grad, backward, grads, grad and inference modes.
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <memory>

#include "binding/args.h"
#include "binding/async_task.h"

namespace vsr1::js {
namespace {
#define E info.Env()

Napi::Value requiresGrad_(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0);
  t.requires_grad_(flag(info, 1));
  return info[0];
}
Napi::Value requiresGrad(const Napi::CallbackInfo& info) { return Napi::Boolean::New(E, T(info, 0).requires_grad()); }
Napi::Value isLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(E, T(info, 0).is_leaf()); }
Napi::Value retainGrad(const Napi::CallbackInfo& info) {
  T(info, 0).retain_grad();
  return info[0];
}
// backward(h, grad?, retainGraph)
Napi::Value backward(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  auto g = optT(info, 1);
  if (!g && t.numel() != 1) throw std::runtime_error("backward() without a gradient needs a scalar (one-element) tensor, got shape " + c10::str(t.sizes()));
  t.backward(g ? *g : at::Tensor(), info.Length() > 2 && flag(info, 2));
  return E.Undefined();
}
// backwardAsync(h, grad?, retainGraph) [async] -> Promise<void>: the same, on a worker thread.
Napi::Value backwardAsync(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0);
  auto g = optT(info, 1);
  if (!g && t.numel() != 1) throw std::runtime_error("backward() without a gradient needs a scalar (one-element) tensor, got shape " + c10::str(t.sizes()));
  at::Tensor grad = g ? *g : at::Tensor();
  const bool retain = info.Length() > 2 && flag(info, 2);
  return TensorTask::run(E, "backward", [t, grad, retain]() { t.backward(grad, retain); return std::vector<at::Tensor>{}; }, true);
}
// grad(h) -> new handle to .grad (shares memory) or null
Napi::Value grad(const Napi::CallbackInfo& info) {
  const at::Tensor& g = T(info, 0).grad();
  if (!g.defined()) return E.Null();
  return ret(E, g);
}
Napi::Value setGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0);
  t.mutable_grad() = optT(info, 1).value_or(at::Tensor());
  return E.Undefined();
}
Napi::Value detach(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).detach()); }
Napi::Value setGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(flag(info, 0));
  return Napi::Boolean::New(E, prev);
}
Napi::Value isGradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(E, at::GradMode::is_enabled()); }

// Inference mode is an RAII guard in libtorch; JS scopes open and close it in LIFO order.
std::vector<std::unique_ptr<c10::InferenceMode>>& inferenceGuards() {
  static std::vector<std::unique_ptr<c10::InferenceMode>> g;
  return g;
}
Napi::Value inferenceModeEnter(const Napi::CallbackInfo& info) {
  inferenceGuards().push_back(std::make_unique<c10::InferenceMode>(true));
  return E.Undefined();
}
Napi::Value inferenceModeExit(const Napi::CallbackInfo& info) {
  if (inferenceGuards().empty()) throw std::runtime_error("no inference mode scope is open");
  inferenceGuards().pop_back();
  return E.Undefined();
}
Napi::Value isInferenceMode(const Napi::CallbackInfo& info) { return Napi::Boolean::New(E, c10::InferenceMode::is_enabled()); }
// autogradGrad(outputs[], inputs[], gradOutputs[]|null, createGraph) -> grads (null where unused)
Napi::Value autogradGrad(const Napi::CallbackInfo& info) {
  auto outs = tensors(info, 0);
  auto ins = tensors(info, 1);
  std::vector<at::Tensor> gos;
  if (!isNullish(info[2])) gos = tensors(info, 2);
  auto gs = torch::autograd::grad(outs, ins, gos, std::nullopt, info.Length() > 3 && flag(info, 3), /*allow_unused=*/true);
  auto arr = Napi::Array::New(E, gs.size());
  for (size_t k = 0; k < gs.size(); ++k) {
    arr.Set(static_cast<uint32_t>(k), gs[k].defined() ? Napi::Value(Napi::Number::New(E, handles().put(gs[k]))) : E.Null());
  }
  flushExternalMemory(E);
  return arr;
}

#undef E
}  // namespace

void registerAutograd(Napi::Env env, Napi::Object e) {
#define D(n) define(env, e, #n, n)
  D(requiresGrad_); D(requiresGrad); D(isLeaf); D(retainGrad); D(backward); D(backwardAsync); D(grad); D(setGrad); D(detach);
  D(setGradEnabled); D(isGradEnabled); D(inferenceModeEnter); D(inferenceModeExit); D(isInferenceMode); D(autogradGrad);
#undef D
}

}  // namespace vsr1::js
