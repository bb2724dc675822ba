// One c10d process group of a data-parallel run: the rendezvous store (TCPStore), the backend
// (Gloo on CPU, NCCL on CUDA where the addon was built with it) and a heartbeat watchdog.
// Every collective waits with the group's timeout and throws an error naming this rank, the
// collective, what it carried and the backend's reason, so a failed peer ends the run instead
// of hanging it.
#pragma once
#include <ATen/ATen.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vsr1::dist {

// What this build of the addon can run ("gloo", "nccl"), for a plain error before any rendezvous.
std::vector<std::string> availableBackends();

struct GroupOptions {
  std::string backend = "gloo";
  int rank = 0;
  int worldSize = 1;
  std::string masterAddr = "127.0.0.1";
  int masterPort = 29500;
  // Rank 0 hosts the store unless a launcher already does (torchrun's agent store).
  bool hostStore = true;
  // Keys of this run live under this prefix (torchrun restarts use a new one).
  std::string storePrefix = "vsr1";
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  // A peer whose heartbeat stops for this long ends this process (0 = no watchdog).
  std::chrono::milliseconds heartbeatTimeout{std::chrono::seconds(60)};
};

enum class Reduce { Sum, Max, Min };

class Group {
 public:
  explicit Group(const GroupOptions& o);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const { return opts_.rank; }
  int worldSize() const { return opts_.worldSize; }
  const std::string& backend() const { return opts_.backend; }

  // In place on every tensor (same shapes and dtypes on every rank).
  void allreduce(std::vector<at::Tensor>& ts, Reduce op, const std::string& what);
  void broadcast(std::vector<at::Tensor>& ts, int root, const std::string& what);
  // Every rank's `t` (same shape everywhere), in rank order.
  std::vector<at::Tensor> allgather(const at::Tensor& t, const std::string& what);
  // out = sum over ranks of inputs[rank()] (inputs: one tensor per rank, like out).
  void reduceScatter(at::Tensor& out, std::vector<at::Tensor>& inputs, const std::string& what);
  void barrier(const std::string& what);

  // Small values through the store (configuration hashes, peer status).
  void storeSet(const std::string& key, const std::string& value);
  std::string storeGet(const std::string& key);

  // Bytes this rank handed to collectives (payload, not the wire protocol's).
  int64_t bytesCommunicated() const { return bytes_; }
  // Stops the heartbeat watchdog (before the end-of-run barrier that lets rank 0 close the store).
  void stopWatchdog();
  // The ranks whose heartbeat has not moved for `quiet` (for error messages).
  std::vector<int> silentPeers(std::chrono::milliseconds quiet);

 private:
  struct Impl;
  void wait(const std::string& what, int64_t bytes, const std::function<void()>& run);
  GroupOptions opts_;
  std::unique_ptr<Impl> impl_;
  int64_t bytes_ = 0;
};

}  // namespace vsr1::dist
