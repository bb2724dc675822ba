#include "core/distributed/grad_sync.h"

#include <ATen/core/grad_mode.h>

#include <cmath>
#include <stdexcept>

namespace vsr1::dist {
namespace {

// Runs of consecutive indices whose tensors share dtype and device, at most `bucketBytes` each
// (a single larger tensor is a bucket of its own).
std::vector<std::vector<size_t>> buckets(const std::vector<at::Tensor>& ts, const std::vector<size_t>& idx, int64_t bucketBytes) {
  std::vector<std::vector<size_t>> out;
  int64_t bytes = 0;
  for (size_t i : idx) {
    const auto& t = ts[i];
    int64_t b = t.numel() * t.element_size();
    bool fresh = out.empty() || bytes + b > bucketBytes || ts[out.back()[0]].scalar_type() != t.scalar_type() || ts[out.back()[0]].device() != t.device();
    if (fresh) { out.emplace_back(); bytes = 0; }
    out.back().push_back(i);
    bytes += b;
  }
  return out;
}

at::Tensor flat(const std::vector<at::Tensor>& ts, const std::vector<size_t>& idx) {
  std::vector<at::Tensor> parts;
  for (size_t i : idx) parts.push_back(ts[i].reshape({-1}));
  return at::cat(parts);
}

void unflat(const at::Tensor& f, const std::vector<at::Tensor>& ts, const std::vector<size_t>& idx) {
  int64_t off = 0;
  for (size_t i : idx) {
    auto n = ts[i].numel();
    ts[i].copy_(f.narrow(0, off, n).view(ts[i].sizes()));
    off += n;
  }
}

std::vector<at::Tensor> grads(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> g;
  for (const auto& p : params) g.push_back(p.grad());
  return g;
}

void checkOwners(const Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners) {
  if (owners.size() != params.size()) throw std::runtime_error("owners: " + std::to_string(owners.size()) + " entries for " + std::to_string(params.size()) + " parameters");
  for (int o : owners) if (o < 0 || o >= g.worldSize()) throw std::runtime_error("owner rank " + std::to_string(o) + " is not in the world of size " + std::to_string(g.worldSize()));
}

// The parameters that have a gradient on some rank; those get a zero gradient where missing.
// Small control tensors go where the backend reduces: the parameters' device (NCCL needs CUDA
// tensors; Gloo here always has CPU parameters).
at::Device commDevice(const std::vector<at::Tensor>& params) { return params.empty() ? at::Device(at::kCPU) : params[0].device(); }

std::vector<size_t> withGradAnywhere(Group& g, const std::vector<at::Tensor>& params) {
  auto present = at::zeros({static_cast<int64_t>(params.size())}, at::kInt);
  {
    auto acc = present.accessor<int, 1>();
    for (size_t i = 0; i < params.size(); ++i) acc[i] = params[i].grad().defined() ? 1 : 0;
  }
  if (!params.empty()) {
    std::vector<at::Tensor> v{present.to(commDevice(params))};
    g.allreduce(v, Reduce::Max, "gradient presence flags");
    present = v[0].cpu();
  }
  auto acc = present.accessor<int, 1>();
  std::vector<size_t> idx;
  for (size_t i = 0; i < params.size(); ++i) {
    if (!acc[i]) continue;
    if (!params[i].grad().defined()) params[i].mutable_grad() = at::zeros_like(params[i]);
    idx.push_back(i);
  }
  return idx;
}
}  // namespace

int64_t allreduceGradients(Group& g, const std::vector<at::Tensor>& params, int64_t bucketBytes) {
  at::NoGradGuard ng;
  auto idx = withGradAnywhere(g, params);
  auto gs = grads(params);
  int64_t bytes = 0;
  for (const auto& b : buckets(gs, idx, bucketBytes)) {
    std::vector<at::Tensor> f{flat(gs, b)};
    g.allreduce(f, Reduce::Sum, "gradients");
    f[0].div_(g.worldSize());
    unflat(f[0], gs, b);
    bytes += f[0].numel() * f[0].element_size();
  }
  return bytes;
}

int64_t reduceScatterGradients(Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners, int64_t bucketBytes) {
  at::NoGradGuard ng;
  checkOwners(g, params, owners);
  auto idx = withGradAnywhere(g, params);
  auto gs = grads(params);
  const int W = g.worldSize();
  // Per owner, its parameters (with gradients) in order; the k-th bucket of every owner goes in
  // one reduce-scatter, each owner's slice padded to the longest.
  std::vector<std::vector<std::vector<size_t>>> perOwner(W);
  for (int r = 0; r < W; ++r) {
    std::vector<size_t> mine;
    for (size_t i : idx) if (owners[i] == r) mine.push_back(i);
    perOwner[r] = buckets(gs, mine, bucketBytes);
  }
  size_t rounds = 0;
  for (const auto& b : perOwner) rounds = std::max(rounds, b.size());
  int64_t bytes = 0;
  for (size_t k = 0; k < rounds; ++k) {
    // Every rank builds the same layout: dtype and device of the first bucket found this round.
    at::Tensor like;
    for (int r = 0; r < W && !like.defined(); ++r) if (k < perOwner[r].size()) like = gs[perOwner[r][k][0]];
    std::vector<at::Tensor> slices(W);
    int64_t longest = 0;
    for (int r = 0; r < W; ++r) {
      slices[r] = k < perOwner[r].size() ? flat(gs, perOwner[r][k]) : at::empty({0}, like.options());
      if (slices[r].scalar_type() != like.scalar_type()) throw std::runtime_error("ZeRO-2 gradients of one bucket round differ in dtype; keep one gradient dtype");
      longest = std::max(longest, slices[r].numel());
    }
    for (auto& s : slices) if (s.numel() < longest) s = at::cat({s, at::zeros({longest - s.numel()}, s.options())});
    auto out = at::empty({longest}, like.options());
    g.reduceScatter(out, slices, "gradients");
    bytes += longest * W * out.element_size();
    const int me = g.rank();
    if (k < perOwner[me].size()) {
      const auto& mine = perOwner[me][k];
      int64_t n = 0;
      for (size_t i : mine) n += gs[i].numel();
      auto own = out.narrow(0, 0, n).div_(W);
      unflat(own, gs, mine);
    }
  }
  for (size_t i = 0; i < params.size(); ++i) if (owners[i] != g.rank()) params[i].mutable_grad() = at::Tensor();
  return bytes;
}

double clipShardedGradNorm(Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners, double maxNorm) {
  at::NoGradGuard ng;
  checkOwners(g, params, owners);
  // Each parameter's norm from its owner (zeros elsewhere), summed: every rank then combines the
  // same per-parameter norms as clipGradNorm does in one process, so the norm is bit-identical.
  bool anyDouble = false;
  for (const auto& p : params) anyDouble = anyDouble || (p.grad().defined() && p.grad().scalar_type() == at::kDouble);
  auto norms = at::zeros({static_cast<int64_t>(params.size())}, at::TensorOptions().dtype(anyDouble ? at::kDouble : at::kFloat));
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& gr = params[i].grad();
    if (owners[i] != g.rank() || !gr.defined()) continue;
    bool half = gr.scalar_type() == at::kHalf || gr.scalar_type() == at::kBFloat16;
    norms[i] = (half ? at::linalg_vector_norm(gr, 2, std::nullopt, false, at::kFloat) : at::linalg_vector_norm(gr, 2)).cpu().to(norms.scalar_type());
  }
  if (!params.empty()) {
    std::vector<at::Tensor> v{norms.to(commDevice(params))};
    g.allreduce(v, Reduce::Sum, "per-parameter gradient norms");
    norms = v[0].cpu();
  }
  at::Tensor total = at::linalg_vector_norm(norms, 2);
  at::Tensor coef = at::clamp(maxNorm / (total + 1e-6), std::nullopt, 1.0);
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& gr = params[i].grad();
    if (owners[i] == g.rank() && gr.defined()) gr.mul_(coef.to(gr.device(), gr.scalar_type()));
  }
  return total.item<double>();
}

int64_t broadcastFromOwners(Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners, int64_t bucketBytes) {
  at::NoGradGuard ng;
  checkOwners(g, params, owners);
  int64_t bytes = 0;
  for (int r = 0; r < g.worldSize(); ++r) {
    std::vector<size_t> mine;
    for (size_t i = 0; i < params.size(); ++i) if (owners[i] == r) mine.push_back(i);
    for (const auto& b : buckets(params, mine, bucketBytes)) {
      std::vector<at::Tensor> f{flat(params, b)};
      g.broadcast(f, r, "updated weights");
      if (g.rank() != r) unflat(f[0], params, b);
      bytes += f[0].numel() * f[0].element_size();
    }
  }
  return bytes;
}

}  // namespace vsr1::dist
