// [sync] The process group of a data-parallel run (core/distributed): one per process. The
// collectives run on the JS thread: the trainer calls them between its awaited native tasks,
// and each one waits with the group's timeout.
#include <memory>

#include "binding/args.h"
#include "core/distributed/grad_sync.h"
#include "core/distributed/group.h"

namespace vsr1::js {
namespace {
#define E info.Env()

std::unique_ptr<dist::Group>& current() {
  static std::unique_ptr<dist::Group> g;
  return g;
}
dist::Group& group() {
  if (!current()) throw std::runtime_error("no process group: call distInit first");
  return *current();
}
std::vector<int> owners(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int> out;
  for (int64_t v : ints(info, i)) out.push_back(static_cast<int>(v));
  return out;
}

Napi::Value distBackends(const Napi::CallbackInfo& info) {
  auto names = dist::availableBackends();
  auto arr = Napi::Array::New(E, names.size());
  for (uint32_t k = 0; k < names.size(); ++k) arr.Set(k, Napi::String::New(E, names[k]));
  return arr;
}

// distInit({backend, rank, worldSize, masterAddr, masterPort, hostStore, storePrefix, timeoutMs, heartbeatTimeoutMs})
Napi::Value distInit(const Napi::CallbackInfo& info) {
  if (current()) throw std::runtime_error("a process group is already running in this process");
  auto o = info[0].As<Napi::Object>();
  dist::GroupOptions go;
  go.backend = o.Get("backend").As<Napi::String>().Utf8Value();
  go.rank = o.Get("rank").As<Napi::Number>().Int32Value();
  go.worldSize = o.Get("worldSize").As<Napi::Number>().Int32Value();
  go.masterAddr = o.Get("masterAddr").As<Napi::String>().Utf8Value();
  go.masterPort = o.Get("masterPort").As<Napi::Number>().Int32Value();
  go.hostStore = o.Get("hostStore").ToBoolean().Value();
  go.storePrefix = o.Get("storePrefix").As<Napi::String>().Utf8Value();
  go.timeout = std::chrono::milliseconds(o.Get("timeoutMs").As<Napi::Number>().Int64Value());
  go.heartbeatTimeout = std::chrono::milliseconds(o.Get("heartbeatTimeoutMs").As<Napi::Number>().Int64Value());
  current() = std::make_unique<dist::Group>(go);
  return E.Undefined();
}
Napi::Value distStopWatchdog(const Napi::CallbackInfo& info) {
  group().stopWatchdog();
  return E.Undefined();
}
Napi::Value distDestroy(const Napi::CallbackInfo& info) {
  current().reset();
  return E.Undefined();
}
dist::Reduce reduceOf(const std::string& s) {
  if (s == "sum") return dist::Reduce::Sum;
  if (s == "max") return dist::Reduce::Max;
  if (s == "min") return dist::Reduce::Min;
  throw std::runtime_error("unknown reduction '" + s + "', expected sum, max or min");
}
// distAllreduce([h], op, what): in place
Napi::Value distAllreduce(const Napi::CallbackInfo& info) {
  auto ts = tensors(info, 0);
  group().allreduce(ts, reduceOf(info[1].As<Napi::String>().Utf8Value()), info[2].As<Napi::String>().Utf8Value());
  return E.Undefined();
}
Napi::Value distBroadcast(const Napi::CallbackInfo& info) {
  auto ts = tensors(info, 0);
  group().broadcast(ts, info[1].As<Napi::Number>().Int32Value(), info[2].As<Napi::String>().Utf8Value());
  return E.Undefined();
}
Napi::Value distAllgather(const Napi::CallbackInfo& info) {
  return retList(E, group().allgather(T(info, 0), info[1].As<Napi::String>().Utf8Value()));
}
Napi::Value distBarrier(const Napi::CallbackInfo& info) {
  group().barrier(info[0].As<Napi::String>().Utf8Value());
  return E.Undefined();
}
Napi::Value distStoreSet(const Napi::CallbackInfo& info) {
  group().storeSet(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
  return E.Undefined();
}
Napi::Value distStoreGet(const Napi::CallbackInfo& info) {
  return Napi::String::New(E, group().storeGet(info[0].As<Napi::String>().Utf8Value()));
}
Napi::Value distBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(E, static_cast<double>(group().bytesCommunicated()));
}
// distAllreduceGrads([param], bucketBytes) -> bytes
Napi::Value distAllreduceGrads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(E, static_cast<double>(dist::allreduceGradients(group(), tensors(info, 0), i64(info, 1))));
}
// distReduceScatterGrads([param], [owner], bucketBytes) -> bytes
Napi::Value distReduceScatterGrads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(E, static_cast<double>(dist::reduceScatterGradients(group(), tensors(info, 0), owners(info, 1), i64(info, 2))));
}
// distClipShardedGradNorm([param], [owner], maxNorm) -> total norm before clipping
Napi::Value distClipShardedGradNorm(const Napi::CallbackInfo& info) {
  return Napi::Number::New(E, dist::clipShardedGradNorm(group(), tensors(info, 0), owners(info, 1), num(info, 2)));
}
// distBroadcastFromOwners([param], [owner], bucketBytes) -> bytes
Napi::Value distBroadcastFromOwners(const Napi::CallbackInfo& info) {
  return Napi::Number::New(E, static_cast<double>(dist::broadcastFromOwners(group(), tensors(info, 0), owners(info, 1), i64(info, 2))));
}
}  // namespace

void registerDistributed(Napi::Env env, Napi::Object e) {
  define(env, e, "distBackends", distBackends);
  define(env, e, "distInit", distInit);
  define(env, e, "distDestroy", distDestroy);
  define(env, e, "distStopWatchdog", distStopWatchdog);
  define(env, e, "distAllreduce", distAllreduce);
  define(env, e, "distBroadcast", distBroadcast);
  define(env, e, "distAllgather", distAllgather);
  define(env, e, "distBarrier", distBarrier);
  define(env, e, "distStoreSet", distStoreSet);
  define(env, e, "distStoreGet", distStoreGet);
  define(env, e, "distBytes", distBytes);
  define(env, e, "distAllreduceGrads", distAllreduceGrads);
  define(env, e, "distReduceScatterGrads", distReduceScatterGrads);
  define(env, e, "distClipShardedGradNorm", distClipShardedGradNorm);
  define(env, e, "distBroadcastFromOwners", distBroadcastFromOwners);
}

}  // namespace vsr1::js
