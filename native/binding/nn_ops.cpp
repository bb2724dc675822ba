// [sync] Linear algebra and neural-network ops.
#include "binding/args.h"

namespace vsr1::js {
namespace {
#define E info.Env()

Napi::Value matmul(const Napi::CallbackInfo& info) { return ret(E, at::matmul(T(info, 0), T(info, 1))); }
Napi::Value mm(const Napi::CallbackInfo& info) { return ret(E, at::mm(T(info, 0), T(info, 1))); }
Napi::Value bmm(const Napi::CallbackInfo& info) { return ret(E, at::bmm(T(info, 0), T(info, 1))); }
Napi::Value outer(const Napi::CallbackInfo& info) { return ret(E, at::outer(T(info, 0), T(info, 1))); }
Napi::Value einsum(const Napi::CallbackInfo& info) {
  return ret(E, at::einsum(info[0].As<Napi::String>().Utf8Value(), tensors(info, 1)));
}
// linear(x, weight, bias?): y = x W^T + b
Napi::Value linear(const Napi::CallbackInfo& info) { return ret(E, at::linear(T(info, 0), T(info, 1), optT(info, 2))); }
Napi::Value softmax(const Napi::CallbackInfo& info) {
  std::optional<at::ScalarType> dt;
  if (info.Length() > 2 && !isNullish(info[2])) dt = dtype(info, 2);
  return ret(E, at::softmax(T(info, 0), i64(info, 1), dt));
}
Napi::Value logSoftmax(const Napi::CallbackInfo& info) {
  std::optional<at::ScalarType> dt;
  if (info.Length() > 2 && !isNullish(info[2])) dt = dtype(info, 2);
  return ret(E, at::log_softmax(T(info, 0), i64(info, 1), dt));
}
// embedding(weight, ids, paddingIdx?)
Napi::Value embedding(const Napi::CallbackInfo& info) {
  return ret(E, at::embedding(T(info, 0), T(info, 1), info.Length() > 2 && !isNullish(info[2]) ? i64(info, 2) : -1));
}
// layerNorm(x, normalizedShape, weight?, bias?, eps)
Napi::Value layerNorm(const Napi::CallbackInfo& info) {
  return ret(E, at::layer_norm(T(info, 0), ints(info, 1), optT(info, 2), optT(info, 3), num(info, 4)));
}
// rmsNorm(x, normalizedShape, weight?, eps?)
Napi::Value rmsNorm(const Napi::CallbackInfo& info) {
  return ret(E, at::rms_norm(T(info, 0), ints(info, 1), optT(info, 2), optNum(info, 3)));
}
// conv2d(x, w, b?, stride[2], padding[2], dilation[2], groups)
Napi::Value conv2d(const Napi::CallbackInfo& info) {
  return ret(E, at::conv2d(T(info, 0), T(info, 1), optT(info, 2), ints(info, 3), ints(info, 4), ints(info, 5), i64(info, 6)));
}
Napi::Value conv3d(const Napi::CallbackInfo& info) {
  return ret(E, at::conv3d(T(info, 0), T(info, 1), optT(info, 2), ints(info, 3), ints(info, 4), ints(info, 5), i64(info, 6)));
}
// sdpa(q, k, v, mask?, dropoutP, isCausal, scale?, enableGqa): libtorch's fused attention;
// a boolean mask means "may attend", a float mask is added to the scores.
Napi::Value sdpa(const Napi::CallbackInfo& info) {
  return ret(E, at::scaled_dot_product_attention(T(info, 0), T(info, 1), T(info, 2), optT(info, 3), num(info, 4), flag(info, 5),
                                                 optNum(info, 6), info.Length() > 7 && flag(info, 7)));
}
// dropout(x, p, train)
Napi::Value dropout(const Napi::CallbackInfo& info) { return ret(E, at::dropout(T(info, 0), num(info, 1), flag(info, 2))); }
// multinomial(probs, n, replacement, generator?)
Napi::Value multinomial(const Napi::CallbackInfo& info) {
  return ret(E, at::multinomial(T(info, 0), i64(info, 1), flag(info, 2), generatorArg(info, 3)));
}
// crossEntropy(logits[N,C], target[N], ignoreIndex, reduction 0 none/1 mean/2 sum, labelSmoothing)
Napi::Value crossEntropy(const Napi::CallbackInfo& info) {
  return ret(E, at::cross_entropy_loss(T(info, 0), T(info, 1), std::nullopt, i64(info, 3), i64(info, 2), num(info, 4)));
}
// tokenLogProbs(logits[..., V], targets[...], temperature, withEntropy, chunk) -> [logp, entropy?]
// Log-prob of each target token and (optionally) the entropy of each position, computed in
// row chunks so the fp32 log-softmax of the whole batch is never held at once.
Napi::Value tokenLogProbs(const Napi::CallbackInfo& info) {
  at::Tensor logits = T(info, 0);
  at::Tensor targets = T(info, 1);
  double temperature = num(info, 2);
  bool withEntropy = flag(info, 3);
  int64_t chunk = info.Length() > 4 && !isNullish(info[4]) ? i64(info, 4) : 1024;
  TORCH_CHECK(chunk > 0, "chunk must be a positive number of rows, got ", chunk);
  TORCH_CHECK(logits.dim() >= 1 && logits.size(-1) > 0, "logits need a non-empty last (vocabulary) dimension, got shape ", logits.sizes());
  TORCH_CHECK(!at::isFloatingType(targets.scalar_type()) && !at::isComplexType(targets.scalar_type()), "targets must be an integer tensor, got ", targets.scalar_type());
  auto outShape = targets.sizes().vec();
  int64_t V = logits.size(-1);
  TORCH_CHECK(logits.numel() / V == targets.numel(), "logits ", logits.sizes(), " do not match targets ", targets.sizes());
  if (targets.numel() > 0) {
    auto [lo, hi] = at::aminmax(targets);
    TORCH_CHECK(lo.item<int64_t>() >= 0 && hi.item<int64_t>() < V, "target ids must be in [0, ", V, "), got [", lo.item<int64_t>(), ", ", hi.item<int64_t>(), "]");
  }
  at::Tensor flat = logits.reshape({-1, V});
  at::Tensor tflat = targets.reshape({-1}).to(at::kLong);
  std::vector<at::Tensor> lps, ents;
  for (int64_t s = 0; s < flat.size(0); s += chunk) {
    int64_t n = std::min(chunk, flat.size(0) - s);
    // Half types are upcast to fp32 per chunk; fp32/fp64 keep their precision.
    at::Tensor x = flat.narrow(0, s, n);
    if (x.scalar_type() != at::kDouble) x = x.to(at::kFloat);
    if (temperature != 1.0) x = x / temperature;
    at::Tensor lse = at::logsumexp(x, {-1});
    lps.push_back(x.gather(1, tflat.narrow(0, s, n).unsqueeze(1)).squeeze(1) - lse);
    if (withEntropy) {
      at::Tensor p = at::softmax(x, -1);
      ents.push_back(lse - (p * x).sum(-1));
    }
  }
  std::vector<at::Tensor> out{at::cat(lps).reshape(outShape)};
  if (withEntropy) out.push_back(at::cat(ents).reshape(outShape));
  return retList(E, out);
}

#undef E
}  // namespace

void registerNNOps(Napi::Env env, Napi::Object e) {
#define D(n) define(env, e, #n, n)
  D(matmul); D(mm); D(bmm); D(outer); D(einsum); D(linear); D(softmax); D(logSoftmax); D(embedding);
  D(layerNorm); D(rmsNorm); D(conv2d); D(conv3d); D(sdpa); D(dropout); D(multinomial); D(crossEntropy);
  D(tokenLogProbs);
#undef D
}

}  // namespace vsr1::js
