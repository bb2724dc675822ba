// [sync] Tensor creation, readback, metadata, disposal, scopes, generators and devices.
#include <torch/library.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <cstring>
#include <mutex>

// The device-agnostic accelerator allocator API (ATen/DeviceAccelerator.h) exists since 2.9.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 9)
#include <ATen/DeviceAccelerator.h>
#define VSR1_HAS_ACCELERATOR_STATS 1
#endif

#include "core/packed_linear.h"
#include "binding/args.h"
#include "core/cpu_memory.h"

// Defined in libtorch_cpu; its header is meant for the Python build, so it is declared here.
namespace torch::lazy {
void InitTorchScriptBackend();
}

namespace vsr1::js {
namespace {

// Generators live in a small table; JS refers to them by index (few per process).
std::vector<at::Generator>& generators() {
  static std::vector<at::Generator> g;
  return g;
}
std::optional<at::Generator> gen(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return std::nullopt;
  int64_t k = i64(info, i);
  if (k < 0 || k >= static_cast<int64_t>(generators().size())) throw std::runtime_error("unknown generator");
  return generators()[k];
}

at::TensorOptions opts(const Napi::CallbackInfo& info, size_t dt, size_t dev) {
  return at::TensorOptions().dtype(dtype(info, dt)).device(device(info, dev));
}

// fromBuffer(typedArray, srcDtype, shape, dstDtype, device)
Napi::Value fromBuffer(const Napi::CallbackInfo& info) {
  auto ta = info[0].As<Napi::TypedArray>();
  auto src = dtype(info, 1);
  auto shape = ints(info, 2);
  auto buf = ta.ArrayBuffer();
  void* data = static_cast<uint8_t*>(buf.Data()) + ta.ByteOffset();
  int64_t n = 1;
  for (auto s : shape) n *= s;
  int64_t need = n * static_cast<int64_t>(c10::elementSize(src));
  if (need != static_cast<int64_t>(ta.ByteLength())) {
    throw std::runtime_error("data has " + std::to_string(ta.ByteLength()) + " bytes but shape needs " + std::to_string(need));
  }
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(src));
  if (need > 0) std::memcpy(t.data_ptr(), data, need);
  auto dst = dtype(info, 3);
  auto dev = device(info, 4);
  if (dst != src || dev != t.device()) t = t.to(dev, dst);
  return ret(info.Env(), t);
}

// toBuffer(h) -> [ArrayBuffer, dtypeCode]; half types come back as float32.
Napi::Value toBuffer(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0).detach();
  if (t.device().type() != at::kCPU) t = t.to(at::kCPU);
  if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16) t = t.to(at::kFloat);
  t = t.contiguous();
  size_t nbytes = t.numel() * t.element_size();
  auto ab = Napi::ArrayBuffer::New(info.Env(), nbytes);
  if (nbytes) std::memcpy(ab.Data(), t.data_ptr(), nbytes);
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, ab);
  out.Set(1u, Napi::Number::New(info.Env(), static_cast<int>(t.scalar_type())));
  return out;
}

Napi::Value item(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  if (t.numel() != 1) throw std::runtime_error("item() needs a tensor with one element, got " + std::to_string(t.numel()));
  at::Scalar s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  return Napi::Number::New(info.Env(), s.toDouble());
}

Napi::Value shape(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  auto arr = Napi::Array::New(info.Env(), t.dim());
  for (int64_t d = 0; d < t.dim(); ++d) arr.Set(static_cast<uint32_t>(d), Napi::Number::New(info.Env(), static_cast<double>(t.size(d))));
  return arr;
}
Napi::Value dtypeOf(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<int>(T(info, 0).scalar_type())); }
Napi::Value deviceOf(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), T(info, 0).device().str()); }
Napi::Value numel(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(T(info, 0).numel())); }
Napi::Value dim(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(T(info, 0).dim())); }
Napi::Value isContiguous(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).is_contiguous()); }

Napi::Value dispose(const Napi::CallbackInfo& info) {
  bool freed = handles().release(num(info, 0));
  flushExternalMemory(info.Env());
  return Napi::Boolean::New(info.Env(), freed);
}
Napi::Value alive(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), handles().alive(num(info, 0))); }
Napi::Value scopeEnter(const Napi::CallbackInfo& info) {
  handles().scopeEnter();
  return info.Env().Undefined();
}
Napi::Value scopeExit(const Napi::CallbackInfo& info) {
  std::vector<double> keep;
  if (info.Length() > 0 && info[0].IsArray()) {
    auto arr = info[0].As<Napi::Array>();
    for (uint32_t k = 0; k < arr.Length(); ++k) keep.push_back(arr.Get(k).As<Napi::Number>().DoubleValue());
  }
  handles().scopeExit(keep);
  flushExternalMemory(info.Env(), true);
  return info.Env().Undefined();
}
Napi::Value memoryStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("liveTensors", static_cast<double>(handles().liveCount()));
  o.Set("trackedCpuBytes", static_cast<double>(handles().trackedBytes()));
  o.Set("scopeDepth", static_cast<double>(handles().scopeDepth()));
  return o;
}

Napi::Value zeros(const Napi::CallbackInfo& info) { return ret(info.Env(), at::zeros(ints(info, 0), opts(info, 1, 2))); }
Napi::Value ones(const Napi::CallbackInfo& info) { return ret(info.Env(), at::ones(ints(info, 0), opts(info, 1, 2))); }
Napi::Value empty(const Napi::CallbackInfo& info) { return ret(info.Env(), at::empty(ints(info, 0), opts(info, 1, 2))); }
Napi::Value full(const Napi::CallbackInfo& info) { return ret(info.Env(), at::full(ints(info, 0), scalar(info, 1), opts(info, 2, 3))); }
// arange(start, end, step, dtype, device)
Napi::Value arange(const Napi::CallbackInfo& info) {
  return ret(info.Env(), at::arange(scalar(info, 0), scalar(info, 1), scalar(info, 2), opts(info, 3, 4)));
}
Napi::Value linspace(const Napi::CallbackInfo& info) {
  return ret(info.Env(), at::linspace(scalar(info, 0), scalar(info, 1), i64(info, 2), opts(info, 3, 4)));
}
Napi::Value eye(const Napi::CallbackInfo& info) { return ret(info.Env(), at::eye(i64(info, 0), opts(info, 1, 2))); }
// randn(shape, dtype, device, generator?)
Napi::Value randn(const Napi::CallbackInfo& info) { return ret(info.Env(), at::randn(ints(info, 0), gen(info, 3), opts(info, 1, 2))); }
Napi::Value rand(const Napi::CallbackInfo& info) { return ret(info.Env(), at::rand(ints(info, 0), gen(info, 3), opts(info, 1, 2))); }
// randint(low, high, shape, dtype, device, generator?)
Napi::Value randint(const Napi::CallbackInfo& info) {
  return ret(info.Env(), at::randint(i64(info, 0), i64(info, 1), ints(info, 2), gen(info, 5), opts(info, 3, 4)));
}
Napi::Value randperm(const Napi::CallbackInfo& info) {
  return ret(info.Env(), at::randperm(i64(info, 0), gen(info, 3), opts(info, 1, 2)));
}
Napi::Value zerosLike(const Napi::CallbackInfo& info) { return ret(info.Env(), at::zeros_like(T(info, 0))); }
Napi::Value onesLike(const Napi::CallbackInfo& info) { return ret(info.Env(), at::ones_like(T(info, 0))); }
Napi::Value fullLike(const Napi::CallbackInfo& info) { return ret(info.Env(), at::full_like(T(info, 0), scalar(info, 1))); }
Napi::Value randnLike(const Napi::CallbackInfo& info) { return ret(info.Env(), at::randn_like(T(info, 0))); }

Napi::Value manualSeed(const Napi::CallbackInfo& info) {
  // Seeds the default CPU generator (and CUDA's, when present) like torch.manual_seed.
  torch::manual_seed(static_cast<uint64_t>(i64(info, 0)));
  return info.Env().Undefined();
}
Napi::Value generatorNew(const Napi::CallbackInfo& info) {
  at::Device dev = device(info, 1);
  at::Generator g = dev.is_cpu() ? at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(i64(info, 0)))
                                 : at::globalContext().defaultGenerator(dev).clone();
  if (!dev.is_cpu()) g.set_current_seed(static_cast<uint64_t>(i64(info, 0)));
  generators().push_back(g);
  return Napi::Number::New(info.Env(), static_cast<double>(generators().size() - 1));
}
Napi::Value generatorGetState(const Napi::CallbackInfo& info) {
  auto g = gen(info, 0).value();
  std::lock_guard<std::mutex> lock(g.mutex());
  return ret(info.Env(), g.get_state());
}
Napi::Value generatorSetState(const Napi::CallbackInfo& info) {
  auto g = gen(info, 0).value();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(T(info, 1));
  return info.Env().Undefined();
}
Napi::Value defaultGeneratorIndex(const Napi::CallbackInfo& info) {
  // The default CPU generator is registered once so its state can be saved with checkpoints.
  static int64_t idx = -1;
  if (idx < 0) {
    generators().push_back(at::detail::getDefaultCPUGenerator());
    idx = static_cast<int64_t>(generators().size() - 1);
  }
  return Napi::Number::New(info.Env(), static_cast<double>(idx));
}

// lazyDeviceInit() [sync]: registers libtorch's TorchScript lazy-tensor backend, so tensors can
// live on the "lazy" device. Ops there run on the CPU with real values but refuse inputs from
// another device, which lets a CPU-only machine check that a code path keeps one device.
// The lazy backend infers shapes on the meta device; libtorch's C++ build lacks a few meta
// kernels that Python registers itself (logical_and, used by clamp's backward).
at::Tensor& logicalAndMeta(const at::Tensor& self, const at::Tensor& other, at::Tensor& out) {
  out.resize_(at::infer_size(self.sizes(), other.sizes()));
  return out;
}

Napi::Value lazyDeviceInit(const Napi::CallbackInfo& info) {
  static std::unique_ptr<torch::Library> metaKernels;
  if (!metaKernels) {
    torch::lazy::InitTorchScriptBackend();
    metaKernels = std::make_unique<torch::Library>(torch::Library::IMPL, "aten", c10::DispatchKey::Meta, __FILE__, __LINE__);
    metaKernels->impl("logical_and.out", TORCH_FN(logicalAndMeta));
  }
  return info.Env().Undefined();
}

Napi::Value cudaIsAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), torch::cuda::is_available()); }
Napi::Value cudaDeviceCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count())); }
Napi::Value cudaSynchronize(const Napi::CallbackInfo& info) {
  if (torch::cuda::is_available()) torch::cuda::synchronize(info.Length() > 0 && !isNullish(info[0]) ? i64(info, 0) : -1);
  return info.Env().Undefined();
}
// cpuMemoryStats() -> {allocated, peak}: bytes of CPU tensor storage now and at most (core/cpu_memory.h).
Napi::Value cpuMemoryStatsJs(const Napi::CallbackInfo& info) {
  auto st = cpuMemoryStats();
  auto o = Napi::Object::New(info.Env());
  o.Set("allocated", static_cast<double>(st.allocated));
  o.Set("peak", static_cast<double>(st.peak));
  return o;
}
Napi::Value cpuResetPeakJs(const Napi::CallbackInfo& info) {
  resetCpuMemoryPeak();
  return info.Env().Undefined();
}

// deviceMemoryStats(index) -> {allocated, reserved, active, peakAllocated, peakReserved,
// numAllocRetries, numOoms, free, total} in bytes for the accelerator (CUDA), or null without one.
Napi::Value deviceMemoryStats(const Napi::CallbackInfo& info) {
#ifdef VSR1_HAS_ACCELERATOR_STATS
  if (!torch::cuda::is_available() || !at::accelerator::getAccelerator(false).has_value()) return info.Env().Null();
  auto idx = static_cast<c10::DeviceIndex>(info.Length() > 0 && !isNullish(info[0]) ? i64(info, 0) : 0);
  auto st = at::accelerator::getDeviceStats(idx);
  auto [freeB, totalB] = at::accelerator::getMemoryInfo(idx);
  auto o = Napi::Object::New(info.Env());
  o.Set("allocated", static_cast<double>(st.allocated_bytes[0].current));
  o.Set("reserved", static_cast<double>(st.reserved_bytes[0].current));
  o.Set("active", static_cast<double>(st.active_bytes[0].current));
  o.Set("peakAllocated", static_cast<double>(st.allocated_bytes[0].peak));
  o.Set("peakReserved", static_cast<double>(st.reserved_bytes[0].peak));
  o.Set("numAllocRetries", static_cast<double>(st.num_alloc_retries));
  o.Set("numOoms", static_cast<double>(st.num_ooms));
  o.Set("free", static_cast<double>(freeB));
  o.Set("total", static_cast<double>(totalB));
  return o;
#else
  return info.Env().Null();
#endif
}
Napi::Value deviceResetPeakStats(const Napi::CallbackInfo& info) {
#ifdef VSR1_HAS_ACCELERATOR_STATS
  if (torch::cuda::is_available()) at::accelerator::resetPeakStats(static_cast<c10::DeviceIndex>(info.Length() > 0 && !isNullish(info[0]) ? i64(info, 0) : 0));
#endif
  return info.Env().Undefined();
}
Napi::Value deviceEmptyCache(const Napi::CallbackInfo& info) {
#ifdef VSR1_HAS_ACCELERATOR_STATS
  if (torch::cuda::is_available()) at::accelerator::emptyCache();
#endif
  return info.Env().Undefined();
}
Napi::Value setNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(i64(info, 0)));
  return info.Env().Undefined();
}
Napi::Value setWeightPacking(const Napi::CallbackInfo& info) {
  vsr1::setWeightPacking(info[0].ToBoolean().Value());
  return info.Env().Undefined();
}
Napi::Value weightPacking(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("enabled", vsr1::weightPackingEnabled());
  o.Set("available", vsr1::weightPackingAvailable());
  return o;
}
Napi::Value getNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
Napi::Value buildInfo(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("torchVersion", std::string(TORCH_VERSION));
#ifdef _GLIBCXX_USE_CXX11_ABI
  o.Set("cxx11abi", static_cast<bool>(_GLIBCXX_USE_CXX11_ABI));
#else
  o.Set("cxx11abi", true);  // libc++ (macOS) has a single ABI
#endif
  o.Set("napiVersion", NAPI_VERSION);
  o.Set("config", at::show_config());
  o.Set("parallel", at::get_parallel_info());
  return o;
}

}  // namespace

void registerCreation(Napi::Env env, Napi::Object e) {
  define(env, e, "fromBuffer", fromBuffer);
  define(env, e, "toBuffer", toBuffer);
  define(env, e, "item", item);
  define(env, e, "shape", shape);
  define(env, e, "dtypeOf", dtypeOf);
  define(env, e, "deviceOf", deviceOf);
  define(env, e, "numel", numel);
  define(env, e, "dim", dim);
  define(env, e, "isContiguous", isContiguous);
  define(env, e, "dispose", dispose);
  define(env, e, "alive", alive);
  define(env, e, "scopeEnter", scopeEnter);
  define(env, e, "scopeExit", scopeExit);
  define(env, e, "memoryStats", memoryStats);
  define(env, e, "zeros", zeros);
  define(env, e, "ones", ones);
  define(env, e, "empty", empty);
  define(env, e, "full", full);
  define(env, e, "arange", arange);
  define(env, e, "linspace", linspace);
  define(env, e, "eye", eye);
  define(env, e, "randn", randn);
  define(env, e, "rand", rand);
  define(env, e, "randint", randint);
  define(env, e, "randperm", randperm);
  define(env, e, "zerosLike", zerosLike);
  define(env, e, "onesLike", onesLike);
  define(env, e, "fullLike", fullLike);
  define(env, e, "randnLike", randnLike);
  define(env, e, "manualSeed", manualSeed);
  define(env, e, "generatorNew", generatorNew);
  define(env, e, "generatorGetState", generatorGetState);
  define(env, e, "generatorSetState", generatorSetState);
  define(env, e, "defaultGenerator", defaultGeneratorIndex);
  define(env, e, "cudaIsAvailable", cudaIsAvailable);
  define(env, e, "lazyDeviceInit", lazyDeviceInit);
  define(env, e, "cudaDeviceCount", cudaDeviceCount);
  define(env, e, "cudaSynchronize", cudaSynchronize);
  define(env, e, "setNumThreads", setNumThreads);
  define(env, e, "setWeightPacking", setWeightPacking);
  define(env, e, "weightPacking", weightPacking);
  define(env, e, "deviceMemoryStats", deviceMemoryStats);
  define(env, e, "cpuMemoryStats", cpuMemoryStatsJs);
  define(env, e, "cpuResetPeak", cpuResetPeakJs);
  define(env, e, "deviceResetPeakStats", deviceResetPeakStats);
  define(env, e, "deviceEmptyCache", deviceEmptyCache);
  define(env, e, "getNumThreads", getNumThreads);
  define(env, e, "buildInfo", buildInfo);
}

// Shared with other files (multinomial, dropout).
std::optional<at::Generator> generatorArg(const Napi::CallbackInfo& info, size_t i) { return gen(info, i); }

}  // namespace vsr1::js
