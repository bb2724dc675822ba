// Entry point of the addon: registers every group of bound functions on the exports object.
// See lib/native.ts for the TypeScript declaration of this surface.
#include <atomic>

#include "binding/args.h"
#include "core/cpu_memory.h"

namespace {
// The handle, model and optimizer tables are process-global and unsynchronised, so one
// JavaScript environment (the main thread or one worker thread) may use the addon at a time.
std::atomic<bool> inUse{false};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace vsr1::js;
  // Loading again in the same environment (a module cache reset) is fine; another environment is refused.
  struct Owner {};
  if (env.GetInstanceData<Owner>() == nullptr) {
    bool expected = false;
    if (!inUse.compare_exchange_strong(expected, true)) {
      throw Napi::Error::New(env, "the vision-sr1 addon is already loaded by another thread of this process (its tensor and model tables are process-wide); "
                                  "use it from one thread only, e.g. the main thread, and run other work in a child process");
    }
    env.SetInstanceData(new Owner());
    env.AddCleanupHook([] { inUse = false; });
  }
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
  registerDistributed(env, exports);
  return exports;
}
}  // namespace

NODE_API_MODULE(vsr1, Init)
