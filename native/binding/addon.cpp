// Entry point of the addon: registers every group of bound functions on the exports object.
// See lib/native.ts for the TypeScript declaration of this surface.
#include "binding/args.h"
#include "core/cpu_memory.h"

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace vsr1::js;
  // CPU tensor bytes are counted from here on (phase peaks in the trainers' metrics).
  vsr1::installCpuMemoryTracking();
  registerCreation(env, exports);
  registerShapeOps(env, exports);
  registerMathOps(env, exports);
  registerNNOps(env, exports);
  registerAutograd(env, exports);
  registerOptim(env, exports);
  registerIO(env, exports);
  registerProfiler(env, exports);
  registerQwen(env, exports);
  return exports;
}
}  // namespace

NODE_API_MODULE(vsr1, Init)
