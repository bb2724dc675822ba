#include "binding/async_task.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <ATen/Parallel.h>

namespace vsr1::js {
namespace {

// The thread all tasks run on. Never destroyed: the process may exit with it waiting.
class TorchThread {
 public:
  static TorchThread& get() {
    static auto* t = new TorchThread();
    return *t;
  }
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

 private:
  TorchThread() : thread_([this] { loop(); }) { thread_.detach(); }
  void loop() {
    // A new thread starts with OpenMP's and the BLAS's defaults, not what the JS thread set.
    at::init_num_threads();
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      f();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::thread thread_;
};

struct TaskState {
  Napi::Promise::Deferred deferred;
  std::string what;
  TensorTask::Work work;
  bool single;
  at::ThreadLocalState tls;  // captured on the JS thread when the task is queued
  std::vector<at::Tensor> out;
  std::string error;
  Napi::ThreadSafeFunction done;
};

void settle(Napi::Env env, Napi::Function, TaskState* s) {
  if (!s->error.empty()) {
    s->deferred.Reject(Napi::Error::New(env, s->error).Value());
  } else if (s->single) {
    s->deferred.Resolve(s->out.empty() ? env.Undefined() : ret(env, s->out[0]));
  } else {
    s->deferred.Resolve(retList(env, s->out));
  }
  s->done.Release();
  delete s;
}

}  // namespace

Napi::Promise TensorTask::run(Napi::Env env, std::string what, Work work, bool single) {
  auto* s = new TaskState{Napi::Promise::Deferred::New(env), std::move(what), std::move(work), single, at::ThreadLocalState(), {}, {}, {}};
  // The thread-safe function keeps the event loop alive until the task has settled.
  s->done = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "vsr1.task", 0, 1);
  Napi::Promise p = s->deferred.Promise();
  TorchThread::get().post([s] {
    try {
      at::ThreadLocalStateGuard guard(s->tls);
      s->out = s->work();
    } catch (const c10::Error& e) {
      s->error = s->what + ": " + e.what_without_backtrace();
    } catch (const std::exception& e) {
      s->error = s->what + ": " + e.what();
    }
    s->work = nullptr;  // drops captured tensors on this thread
    s->done.BlockingCall(s, settle);
  });
  return p;
}

}  // namespace vsr1::js
