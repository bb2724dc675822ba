// Long native work off the JS thread: a task runs on libuv's worker pool with the JS thread's
// libtorch thread-local state (grad mode, an active profiler), and its Promise resolves with the
// handles of the tensors it returns (created back on the JS thread) or rejects with its error.
#pragma once
#include <ATen/ThreadLocalState.h>

#include <functional>
#include <string>
#include <vector>

#include "binding/args.h"

namespace vsr1::js {

class TensorTask : public Napi::AsyncWorker {
 public:
  using Work = std::function<std::vector<at::Tensor>()>;
  // `what` prefixes error messages (the JS function's name); `single` resolves with one handle.
  TensorTask(Napi::Env env, std::string what, Work work, bool single)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), what_(std::move(what)), work_(std::move(work)), single_(single) {}

  // Queues `work` and returns its Promise.
  static Napi::Promise run(Napi::Env env, std::string what, Work work, bool single = false) {
    auto* t = new TensorTask(env, std::move(what), std::move(work), single);
    auto p = t->deferred_.Promise();
    t->Queue();
    return p;
  }

  void Execute() override {
    try {
      at::ThreadLocalStateGuard guard(tls_);
      out_ = work_();
    } catch (const c10::Error& e) {
      SetError(what_ + ": " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      SetError(what_ + ": " + e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (single_) {
      deferred_.Resolve(out_.empty() ? env.Undefined() : ret(env, out_[0]));
      return;
    }
    deferred_.Resolve(retList(env, out_));
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string what_;
  Work work_;
  bool single_;
  std::vector<at::Tensor> out_;
  at::ThreadLocalState tls_;  // captured on the JS thread when the task is made
};

}  // namespace vsr1::js
