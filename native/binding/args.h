// Argument conversion between N-API values and libtorch types, and op registration.
// Every bound function runs through `trampoline`, which prefixes errors with the op's name so
// a c10::Error ("size mismatch ...") reaches JS as "matmul: size mismatch ...".
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <optional>
#include <string>
#include <vector>

#include "core/handle_table.h"

namespace vsr1::js {

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);

// Registers `fn` on `exports` under `name`; errors thrown inside are prefixed with `name`.
void define(Napi::Env env, Napi::Object exports, const char* name, Fn fn);

inline bool isNullish(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }

inline double num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }
inline int64_t i64(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }
inline bool flag(const Napi::CallbackInfo& info, size_t i) { return info[i].ToBoolean().Value(); }

inline const at::Tensor& T(const Napi::CallbackInfo& info, size_t i) {
  return handles().get(info[i].As<Napi::Number>().DoubleValue());
}
inline std::optional<at::Tensor> optT(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return std::nullopt;
  return T(info, i);
}
inline std::optional<double> optNum(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return std::nullopt;
  return num(info, i);
}
inline std::optional<int64_t> optI64(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return std::nullopt;
  return i64(info, i);
}

std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> tensors(const Napi::CallbackInfo& info, size_t i);
// A scalar argument keeps its kind: JS booleans stay bool, integral numbers become int64 so
// integer tensors keep their dtype (matching Python's `t + 1`), other numbers double.
at::Scalar scalar(const Napi::CallbackInfo& info, size_t i);
at::ScalarType dtype(const Napi::CallbackInfo& info, size_t i);
at::Device device(const Napi::CallbackInfo& info, size_t i);

// Stores a result tensor and returns its handle (also reports memory to V8 in batches).
Napi::Value ret(Napi::Env env, at::Tensor t);
Napi::Value retList(Napi::Env env, const std::vector<at::Tensor>& ts);
Napi::Value retPair(Napi::Env env, std::tuple<at::Tensor, at::Tensor> p);

// Report the table's pending byte delta to V8 once it exceeds a threshold.
void flushExternalMemory(Napi::Env env, bool force = false);

std::optional<at::Generator> generatorArg(const Napi::CallbackInfo& info, size_t i);

// Registration of each group of functions (one file each).
void registerCreation(Napi::Env env, Napi::Object exports);
void registerShapeOps(Napi::Env env, Napi::Object exports);
void registerMathOps(Napi::Env env, Napi::Object exports);
void registerNNOps(Napi::Env env, Napi::Object exports);
void registerAutograd(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);
void registerIO(Napi::Env env, Napi::Object exports);
void registerProfiler(Napi::Env env, Napi::Object exports);
void registerQwen(Napi::Env env, Napi::Object exports);
void registerDistributed(Napi::Env env, Napi::Object exports);

}  // namespace vsr1::js
