// [sync] Named ranges and profiler sessions.
#include "binding/args.h"
#include "core/profiler.h"

namespace vsr1::js {
namespace {
Napi::Value rangePushJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(rangePush(info[0].As<Napi::String>().Utf8Value())));
}
Napi::Value rangePopJs(const Napi::CallbackInfo& info) {
  rangePop(i64(info, 0));
  return info.Env().Undefined();
}
Napi::Value profilerStartJs(const Napi::CallbackInfo& info) {
  profilerStart(flag(info, 0), flag(info, 1), flag(info, 2));
  return info.Env().Undefined();
}
Napi::Value profilerStopJs(const Napi::CallbackInfo& info) {
  profilerStop(info[0].As<Napi::String>().Utf8Value());
  return info.Env().Undefined();
}
Napi::Value nvtxStartJs(const Napi::CallbackInfo& info) {
  nvtxStart(flag(info, 0));
  return info.Env().Undefined();
}
Napi::Value nvtxStopJs(const Napi::CallbackInfo& info) {
  nvtxStop();
  return info.Env().Undefined();
}
}  // namespace

void registerProfiler(Napi::Env env, Napi::Object e) {
  define(env, e, "rangePush", rangePushJs);
  define(env, e, "rangePop", rangePopJs);
  define(env, e, "profilerStart", profilerStartJs);
  define(env, e, "profilerStop", profilerStopJs);
  define(env, e, "nvtxStart", nvtxStartJs);
  define(env, e, "nvtxStop", nvtxStopJs);
}

}  // namespace vsr1::js
