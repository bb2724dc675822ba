#include "core/qwen/logprob.h"

#include <torch/csrc/autograd/custom_function.h>

namespace vsr1::qwen {
namespace {

// Log-probs are computed in fp32 (fp64 for fp64 models), whatever the model's compute dtype.
at::ScalarType accType(const at::Tensor& t) { return t.scalar_type() == at::kDouble ? at::kDouble : at::kFloat; }

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct LmHeadLogProb : public torch::autograd::Function<LmHeadLogProb> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets, double temperature,
                            int64_t chunk) {
    const auto acc = accType(hidden);
    at::Tensor out = at::empty({hidden.size(0)}, hidden.options().dtype(acc));
    for (int64_t s = 0; s < hidden.size(0); s += chunk) {
      int64_t n = std::min(chunk, hidden.size(0) - s);
      at::Tensor z = at::linear(hidden.narrow(0, s, n), weight).to(acc) / temperature;
      at::Tensor t = targets.narrow(0, s, n).unsqueeze(1);
      out.narrow(0, s, n).copy_(z.gather(1, t).squeeze(1) - at::logsumexp(z, {1}));
    }
    ctx->save_for_backward({hidden, weight, targets});
    ctx->saved_data["temperature"] = temperature;
    ctx->saved_data["chunk"] = chunk;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor &hidden = saved[0], &weight = saved[1], &targets = saved[2];
    double temperature = ctx->saved_data["temperature"].toDouble();
    int64_t chunk = ctx->saved_data["chunk"].toInt();
    at::Tensor g = grads[0];
    const auto acc = accType(hidden);
    at::Tensor gh = at::empty_like(hidden);
    at::Tensor gw = at::zeros(weight.sizes(), weight.options().dtype(acc));
    for (int64_t s = 0; s < hidden.size(0); s += chunk) {
      int64_t n = std::min(chunk, hidden.size(0) - s);
      at::Tensor h = hidden.narrow(0, s, n);
      at::Tensor z = at::linear(h, weight).to(acc) / temperature;
      // d logp / dz = (onehot(target) - softmax(z)) / T
      at::Tensor dz = at::softmax(z, 1).neg_();
      dz.scatter_add_(1, targets.narrow(0, s, n).unsqueeze(1), at::ones({n, 1}, dz.options()));
      dz.mul_(g.narrow(0, s, n).to(acc).unsqueeze(1) / temperature);
      gh.narrow(0, s, n).copy_(at::matmul(dz.to(weight.scalar_type()), weight));
      gw.add_(at::matmul(dz.t(), h.to(acc)));
    }
    return {gh, gw.to(weight.scalar_type()), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor lmHeadLogProbs(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets, double temperature, int64_t chunk,
                          at::Tensor* entropy) {
  TORCH_CHECK(hidden.dim() == 2 && targets.dim() == 1 && hidden.size(0) == targets.size(0), "lmHeadLogProbs: hidden ", hidden.sizes(),
              " and targets ", targets.sizes(), " do not match");
  TORCH_CHECK(chunk > 0, "chunk must be a positive number of rows, got ", chunk);
  TORCH_CHECK(!at::isFloatingType(targets.scalar_type()), "target ids must be an integer tensor, got ", targets.scalar_type());
  if (targets.numel() > 0) {
    auto [lo, hi] = at::aminmax(targets);
    TORCH_CHECK(lo.item<int64_t>() >= 0 && hi.item<int64_t>() < weight.size(0), "target ids must be in [0, ", weight.size(0), "), got [", lo.item<int64_t>(), ", ",
                hi.item<int64_t>(), "]");
  }
  at::Tensor lp = LmHeadLogProb::apply(hidden, weight, targets.to(at::kLong), temperature, chunk);
  if (entropy) {
    at::NoGradGuard noGrad;
    at::Tensor ent = at::empty({hidden.size(0)}, hidden.options().dtype(accType(hidden)));
    for (int64_t s = 0; s < hidden.size(0); s += chunk) {
      int64_t n = std::min(chunk, hidden.size(0) - s);
      at::Tensor z = at::linear(hidden.narrow(0, s, n).detach(), weight.detach()).to(accType(hidden)) / temperature;
      at::Tensor lse = at::logsumexp(z, {1});
      ent.narrow(0, s, n).copy_(lse - (at::softmax(z, 1) * z).sum(1));
    }
    *entropy = ent;
  }
  return lp;
}

}  // namespace vsr1::qwen
