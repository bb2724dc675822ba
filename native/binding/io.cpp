// safetensors byte I/O (headers are handled in TypeScript): readSpans/writeSafetensors [sync] and
// their [async] twins, which run on a worker thread and return Promises.
#include "binding/args.h"
#include "binding/async_task.h"
#include "core/safetensors_io.h"

namespace vsr1::js {
namespace {
#define E info.Env()

std::vector<TensorSpan> spansArg(const Napi::CallbackInfo& info);

// readSpans(path, dataStart, [[dtype, shape[], begin, end], ...]) -> handles
Napi::Value readSpansJs(const Napi::CallbackInfo& info) {
  return retList(E, readSpans(info[0].As<Napi::String>().Utf8Value(), i64(info, 1), spansArg(info)));
}
Napi::Value readSpansAsync(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int64_t start = i64(info, 1);
  auto spans = spansArg(info);
  return TensorTask::run(E, "readSpans", [path, start, spans]() { return readSpans(path, start, spans); });
}
Napi::Value writeSafetensorsAsync(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value(), header = info[1].As<Napi::String>().Utf8Value();
  auto ts = tensors(info, 2);
  return TensorTask::run(E, "writeSafetensors", [path, header, ts]() { writeSafetensors(path, header, ts); return std::vector<at::Tensor>{}; }, true);
}

std::vector<TensorSpan> spansArg(const Napi::CallbackInfo& info) {
  auto arr = info[2].As<Napi::Array>();
  std::vector<TensorSpan> spans;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    auto s = arr.Get(k).As<Napi::Array>();
    TensorSpan sp;
    sp.dtype = static_cast<at::ScalarType>(s.Get(0u).As<Napi::Number>().Int32Value());
    auto sh = s.Get(1u).As<Napi::Array>();
    for (uint32_t j = 0; j < sh.Length(); ++j) sp.shape.push_back(sh.Get(j).As<Napi::Number>().Int64Value());
    sp.begin = s.Get(2u).As<Napi::Number>().Int64Value();
    sp.end = s.Get(3u).As<Napi::Number>().Int64Value();
    spans.push_back(std::move(sp));
  }
  return spans;
}
// writeSafetensors(path, headerString, handles[])
Napi::Value writeSafetensorsJs(const Napi::CallbackInfo& info) {
  writeSafetensors(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(), tensors(info, 2));
  return E.Undefined();
}
#undef E
}  // namespace

void registerIO(Napi::Env env, Napi::Object e) {
  define(env, e, "readSpans", readSpansJs);
  define(env, e, "writeSafetensors", writeSafetensorsJs);
  define(env, e, "readSpansAsync", readSpansAsync);
  define(env, e, "writeSafetensorsAsync", writeSafetensorsAsync);
}

}  // namespace vsr1::js
