// [sync] AdamW optimizers and grad-norm clipping. Optimizers are referred to by index.
#include <memory>

#include "binding/args.h"
#include "core/adamw.h"

namespace vsr1::js {
namespace {
#define E info.Env()

std::vector<std::unique_ptr<AdamW>>& optimizers() {
  static std::vector<std::unique_ptr<AdamW>> o;
  return o;
}
AdamW& opt(const Napi::CallbackInfo& info, size_t i) {
  int64_t k = i64(info, i);
  if (k < 0 || k >= static_cast<int64_t>(optimizers().size()) || !optimizers()[k]) throw std::runtime_error("optimizer was disposed");
  return *optimizers()[k];
}

// adamwNew([{params: [h], lr, beta1, beta2, eps, weightDecay}], masterWeights?) -> index
Napi::Value adamwNew(const Napi::CallbackInfo& info) {
  auto arr = info[0].As<Napi::Array>();
  std::vector<AdamWGroup> groups;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    auto o = arr.Get(k).As<Napi::Object>();
    AdamWGroup g;
    auto ps = o.Get("params").As<Napi::Array>();
    for (uint32_t j = 0; j < ps.Length(); ++j) g.params.push_back(handles().get(ps.Get(j).As<Napi::Number>().DoubleValue()));
    g.lr = o.Get("lr").As<Napi::Number>().DoubleValue();
    g.beta1 = o.Get("beta1").As<Napi::Number>().DoubleValue();
    g.beta2 = o.Get("beta2").As<Napi::Number>().DoubleValue();
    g.eps = o.Get("eps").As<Napi::Number>().DoubleValue();
    g.weightDecay = o.Get("weightDecay").As<Napi::Number>().DoubleValue();
    groups.push_back(std::move(g));
  }
  optimizers().push_back(std::make_unique<AdamW>(std::move(groups), info.Length() > 1 && flag(info, 1)));
  return Napi::Number::New(E, static_cast<double>(optimizers().size() - 1));
}
Napi::Value adamwStep(const Napi::CallbackInfo& info) {
  opt(info, 0).step();
  return E.Undefined();
}
Napi::Value adamwZeroGrad(const Napi::CallbackInfo& info) {
  opt(info, 0).zeroGrad(info.Length() < 2 || flag(info, 1));
  return E.Undefined();
}
// adamwSetGroup(idx, group, {lr?, weightDecay?, beta1?, beta2?, eps?})
Napi::Value adamwSetGroup(const Napi::CallbackInfo& info) {
  auto& groups = opt(info, 0).groups();
  int64_t gi = i64(info, 1);
  if (gi < 0 || gi >= static_cast<int64_t>(groups.size())) throw std::runtime_error("no parameter group " + std::to_string(gi));
  auto o = info[2].As<Napi::Object>();
  auto& g = groups[gi];
  if (o.Has("lr")) g.lr = o.Get("lr").As<Napi::Number>().DoubleValue();
  if (o.Has("weightDecay")) g.weightDecay = o.Get("weightDecay").As<Napi::Number>().DoubleValue();
  if (o.Has("beta1")) g.beta1 = o.Get("beta1").As<Napi::Number>().DoubleValue();
  if (o.Has("beta2")) g.beta2 = o.Get("beta2").As<Napi::Number>().DoubleValue();
  if (o.Has("eps")) g.eps = o.Get("eps").As<Napi::Number>().DoubleValue();
  return E.Undefined();
}
// adamwGetState(idx) -> {steps: number[], expAvg: (h|null)[], expAvgSq: (h|null)[], master: (h|null)[]}; handles share memory.
Napi::Value adamwGetState(const Napi::CallbackInfo& info) {
  auto& st = opt(info, 0).state();
  auto steps = Napi::Array::New(E, st.size()), m = Napi::Array::New(E, st.size()), v = Napi::Array::New(E, st.size()), w = Napi::Array::New(E, st.size());
  auto handleOrNull = [&](const at::Tensor& t) { return t.defined() ? Napi::Value(Napi::Number::New(E, handles().put(t))) : E.Null(); };
  for (size_t k = 0; k < st.size(); ++k) {
    uint32_t i = static_cast<uint32_t>(k);
    steps.Set(i, static_cast<double>(st[k].step));
    m.Set(i, handleOrNull(st[k].expAvg));
    v.Set(i, handleOrNull(st[k].expAvgSq));
    w.Set(i, handleOrNull(st[k].master));
  }
  auto o = Napi::Object::New(E);
  o.Set("steps", steps);
  o.Set("expAvg", m);
  o.Set("expAvgSq", v);
  o.Set("master", w);
  return o;
}
// adamwSetState(idx, steps[], expAvg[], expAvgSq[], master?: (h|null)[]): copies the given moments
// (and fp32 masters, written through to the parameters) in.
Napi::Value adamwSetState(const Napi::CallbackInfo& info) {
  AdamW& o = opt(info, 0);
  auto& st = o.state();
  auto steps = info[1].As<Napi::Array>(), m = info[2].As<Napi::Array>(), v = info[3].As<Napi::Array>();
  if (steps.Length() != st.size() || m.Length() != st.size() || v.Length() != st.size()) {
    throw std::runtime_error("optimizer state holds " + std::to_string(steps.Length()) + " entries but the optimizer has " + std::to_string(st.size()) + " parameters");
  }
  std::vector<at::Tensor> params;
  for (auto& g : o.groups()) params.insert(params.end(), g.params.begin(), g.params.end());
  at::NoGradGuard noGrad;
  for (size_t k = 0; k < st.size(); ++k) {
    uint32_t i = static_cast<uint32_t>(k);
    st[k].step = steps.Get(i).As<Napi::Number>().Int64Value();
    if (isNullish(m.Get(i))) {
      st[k].expAvg = at::Tensor();
      st[k].expAvgSq = at::Tensor();
      continue;
    }
    const at::Tensor& mk = handles().get(m.Get(i).As<Napi::Number>().DoubleValue());
    const at::Tensor& vk = handles().get(v.Get(i).As<Napi::Number>().DoubleValue());
    TORCH_CHECK(mk.sizes() == params[k].sizes() && vk.sizes() == params[k].sizes(), "optimizer state for parameter ", k,
                " has shape ", mk.sizes(), " but the parameter has shape ", params[k].sizes());
    const auto opts = st[k].master.defined() ? st[k].master.options() : params[k].options();
    st[k].expAvg = mk.to(opts).clone();
    st[k].expAvgSq = vk.to(opts).clone();
  }
  if (info.Length() > 4 && !isNullish(info[4])) {
    auto w = info[4].As<Napi::Array>();
    if (w.Length() != st.size()) throw std::runtime_error("optimizer state holds " + std::to_string(w.Length()) + " master weights but the optimizer has " + std::to_string(st.size()) + " parameters");
    for (size_t k = 0; k < st.size(); ++k) {
      auto hk = w.Get(static_cast<uint32_t>(k));
      if (isNullish(hk)) continue;
      TORCH_CHECK(st[k].master.defined(), "optimizer state has a master weight for parameter ", k, ", which has none (not a low-precision parameter, or masterWeights off)");
      const at::Tensor& mk = handles().get(hk.As<Napi::Number>().DoubleValue());
      TORCH_CHECK(mk.sizes() == params[k].sizes(), "master weight ", k, " has shape ", mk.sizes(), " but the parameter has shape ", params[k].sizes());
      st[k].master.copy_(mk);
      params[k].copy_(st[k].master);
    }
  }
  return E.Undefined();
}
Napi::Value adamwFree(const Napi::CallbackInfo& info) {
  int64_t k = i64(info, 0);
  if (k >= 0 && k < static_cast<int64_t>(optimizers().size())) optimizers()[k].reset();
  return E.Undefined();
}
// clipGradNorm([h], maxNorm, normType) -> total norm before clipping
Napi::Value clipGradNormJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(E, clipGradNorm(tensors(info, 0), num(info, 1), info.Length() > 2 && !isNullish(info[2]) ? num(info, 2) : 2.0));
}

#undef E
}  // namespace

void registerOptim(Napi::Env env, Napi::Object e) {
  define(env, e, "adamwNew", adamwNew);
  define(env, e, "adamwStep", adamwStep);
  define(env, e, "adamwZeroGrad", adamwZeroGrad);
  define(env, e, "adamwSetGroup", adamwSetGroup);
  define(env, e, "adamwGetState", adamwGetState);
  define(env, e, "adamwSetState", adamwSetState);
  define(env, e, "adamwFree", adamwFree);
  define(env, e, "clipGradNorm", clipGradNormJs);
}

}  // namespace vsr1::js
