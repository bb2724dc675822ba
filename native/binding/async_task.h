// Long native work off the JS thread. Every task runs, in order, on one dedicated thread with the
// JS thread's libtorch thread-local state (grad mode, an active profiler); its Promise resolves on
// the JS thread with the handles of the tensors it returns, or rejects with its error.
//
// One thread, not libuv's pool: each thread that runs libtorch ops gets its own OpenMP team,
// whose threads spin for a while after each parallel region. With forward and backward landing
// on different pool threads, idle teams spun against the busy one (a training step ran about
// 1.5x slower on 2 cores); one thread keeps one team, warm.
#pragma once
#include <ATen/ThreadLocalState.h>

#include <functional>
#include <string>
#include <vector>

#include "binding/args.h"

namespace vsr1::js {

class TensorTask {
 public:
  using Work = std::function<std::vector<at::Tensor>()>;
  // Queues `work`; `what` prefixes error messages, `single` resolves with one handle (or undefined).
  static Napi::Promise run(Napi::Env env, std::string what, Work work, bool single = false);
};

}  // namespace vsr1::js
