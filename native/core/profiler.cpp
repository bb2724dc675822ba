#include "core/profiler.h"

#include <ATen/record_function.h>
#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/cuda.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

namespace vsr1 {
namespace {
std::vector<std::unique_ptr<at::RecordFunction>>& ranges() {
  static std::vector<std::unique_ptr<at::RecordFunction>> r;
  return r;
}
bool active = false;
}  // namespace

int64_t rangePush(const std::string& name) {
  auto rf = std::make_unique<at::RecordFunction>(at::RecordScope::USER_SCOPE);
  if (rf->isActive()) rf->before(name);
  ranges().push_back(std::move(rf));
  return static_cast<int64_t>(ranges().size());
}

void rangePop(int64_t token) {
  if (ranges().empty() || token != static_cast<int64_t>(ranges().size())) {
    throw std::runtime_error("profiler ranges must close in the order they opened (innermost first)");
  }
  ranges().back()->end();
  ranges().pop_back();
}

void profilerStart(bool recordShapes, bool withStack, bool cuda) {
  namespace prof = torch::autograd::profiler;
  if (active) throw std::runtime_error("a profiler session is already running");
  std::set<torch::profiler::impl::ActivityType> acts{torch::profiler::impl::ActivityType::CPU};
  if (cuda && torch::cuda::is_available()) acts.insert(torch::profiler::impl::ActivityType::CUDA);
  torch::profiler::impl::ProfilerConfig cfg(torch::profiler::impl::ProfilerState::KINETO, recordShapes,
                                            /*profile_memory=*/false, withStack, /*with_flops=*/false, /*with_modules=*/false);
  prof::prepareProfiler(cfg, acts);
  prof::enableProfiler(cfg, acts);
  active = true;
}

void profilerStop(const std::string& path) {
  if (!active) throw std::runtime_error("no profiler session is running");
  active = false;
  auto result = torch::autograd::profiler::disableProfiler();
  result->save(path);
}

bool profilerActive() { return active; }

void nvtxStart(bool recordShapes) {
  namespace prof = torch::autograd::profiler;
  if (active) throw std::runtime_error("a profiler session is already running");
  if (!torch::cuda::is_available()) {
    throw std::runtime_error("NVTX ranges need libtorch with CUDA and a visible GPU (none here); on a CPU, write a trace instead");
  }
  torch::profiler::impl::ProfilerConfig cfg(torch::profiler::impl::ProfilerState::NVTX, recordShapes,
                                            /*profile_memory=*/false, /*with_stack=*/false, /*with_flops=*/false, /*with_modules=*/false);
  torch::cuda::synchronize();
  prof::enableProfiler(cfg, {});
  active = true;
}

void nvtxStop() {
  if (!active) throw std::runtime_error("no profiler session is running");
  active = false;
  torch::cuda::synchronize();
  torch::autograd::profiler::disableProfiler();
}

}  // namespace vsr1
