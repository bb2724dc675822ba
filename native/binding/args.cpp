#include "binding/args.h"

#include <c10/util/Exception.h>

#include <cmath>
#include <deque>

namespace vsr1::js {

namespace {
struct Entry {
  const char* name;
  Fn fn;
};
// Entries live for the process: function data pointers must outlive the functions.
std::deque<Entry>& entries() {
  static std::deque<Entry> e;
  return e;
}

Napi::Value trampoline(const Napi::CallbackInfo& info) {
  const auto* e = static_cast<const Entry*>(info.Data());
  try {
    return e->fn(info);
  } catch (const Napi::Error& err) {
    std::string msg = err.Message();
    if (msg.rfind(e->name, 0) == 0) throw;
    throw Napi::Error::New(info.Env(), std::string(e->name) + ": " + msg);
  } catch (const c10::Error& err) {
    throw Napi::Error::New(info.Env(), std::string(e->name) + ": " + err.what_without_backtrace());
  } catch (const std::exception& err) {
    throw Napi::Error::New(info.Env(), std::string(e->name) + ": " + err.what());
  }
}
}  // namespace

void define(Napi::Env env, Napi::Object exports, const char* name, Fn fn) {
  entries().push_back({name, fn});
  exports.Set(name, Napi::Function::New(env, trampoline, name, &entries().back()));
}

std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsNumber()) return {info[i].As<Napi::Number>().Int64Value()};
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) out[k] = arr.Get(k).As<Napi::Number>().Int64Value();
  return out;
}

std::vector<at::Tensor> tensors(const Napi::CallbackInfo& info, size_t i) {
  auto arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) out.push_back(handles().get(arr.Get(k).As<Napi::Number>().DoubleValue()));
  return out;
}

at::Scalar scalar(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) return at::Scalar(static_cast<int64_t>(v));
  return at::Scalar(v);
}

at::ScalarType dtype(const Napi::CallbackInfo& info, size_t i) {
  return static_cast<at::ScalarType>(info[i].As<Napi::Number>().Int32Value());
}

at::Device device(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return at::Device(at::kCPU);
  return at::Device(info[i].As<Napi::String>().Utf8Value());
}

void flushExternalMemory(Napi::Env env, bool force) {
  // Batched: one AdjustExternalMemory per ~4 MB of churn keeps per-op cost negligible while
  // still letting V8 see that native memory is growing.
  static int64_t pending = 0;
  pending += handles().takeExternalDelta();
  if (force || pending > (4 << 20) || pending < -(4 << 20)) {
    Napi::MemoryManagement::AdjustExternalMemory(env, pending);
    pending = 0;
  }
}

Napi::Value ret(Napi::Env env, at::Tensor t) {
  double h = handles().put(std::move(t));
  flushExternalMemory(env);
  return Napi::Number::New(env, h);
}

Napi::Value retList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t k = 0; k < ts.size(); ++k) arr.Set(static_cast<uint32_t>(k), Napi::Number::New(env, handles().put(ts[k])));
  flushExternalMemory(env);
  return arr;
}

Napi::Value retPair(Napi::Env env, std::tuple<at::Tensor, at::Tensor> p) {
  return retList(env, {std::get<0>(p), std::get<1>(p)});
}

}  // namespace vsr1::js
