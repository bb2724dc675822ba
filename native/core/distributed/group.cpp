#include "core/distributed/group.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#if VSR1_WITH_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#if VSR1_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace vsr1::dist {

std::vector<std::string> availableBackends() {
  std::vector<std::string> out;
#if VSR1_WITH_GLOO
  out.push_back("gloo");
#endif
#if VSR1_WITH_NCCL
  out.push_back("nccl");
#endif
  return out;
}

#if !VSR1_WITH_GLOO
struct Group::Impl {};
Group::Group(const GroupOptions& o) : opts_(o) {
  throw std::runtime_error("distributed training is unavailable: this addon was built without c10d Gloo (install libgloo-dev and rebuild with `npm run build:native`)");
}
Group::~Group() = default;
void Group::wait(const std::string&, int64_t, const std::function<void()>&) {}
void Group::allreduce(std::vector<at::Tensor>&, Reduce, const std::string&) {}
void Group::broadcast(std::vector<at::Tensor>&, int, const std::string&) {}
std::vector<at::Tensor> Group::allgather(const at::Tensor&, const std::string&) { return {}; }
void Group::reduceScatter(at::Tensor&, std::vector<at::Tensor>&, const std::string&) {}
void Group::barrier(const std::string&) {}
void Group::storeSet(const std::string&, const std::string&) {}
std::string Group::storeGet(const std::string&) { return {}; }
std::vector<int> Group::silentPeers(std::chrono::milliseconds) { return {}; }
void Group::stopWatchdog() {}
#else

namespace {
using Clock = std::chrono::steady_clock;
constexpr auto kBeat = std::chrono::milliseconds(500);

std::string heartbeatKey(int rank) { return "heartbeat/" + std::to_string(rank); }

c10::intrusive_ptr<c10d::Store> openStore(const GroupOptions& o, bool host) {
  c10d::TCPStoreOptions so;
  so.port = static_cast<std::uint16_t>(o.masterPort);
  so.isServer = host;
  so.numWorkers = o.worldSize;
  so.waitWorkers = false;
  so.timeout = o.timeout;
  auto tcp = c10::make_intrusive<c10d::TCPStore>(o.masterAddr, so);
  return c10::make_intrusive<c10d::PrefixStore>(o.storePrefix, tcp);
}

std::shared_ptr<::gloo::transport::Device> glooDevice(const GroupOptions& o) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (o.masterAddr == "127.0.0.1" || o.masterAddr == "localhost") return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10d::ReduceOp reduceOp(Reduce op) {
  switch (op) {
    case Reduce::Max: return c10d::ReduceOp::MAX;
    case Reduce::Min: return c10d::ReduceOp::MIN;
    default: return c10d::ReduceOp::SUM;
  }
}

int64_t bytesOf(const std::vector<at::Tensor>& ts) {
  int64_t n = 0;
  for (const auto& t : ts) n += t.numel() * t.element_size();
  return n;
}

std::string sizeText(int64_t bytes) {
  char buf[48];
  if (bytes >= (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  return buf;
}
}  // namespace

// The watchdog: every beat it adds 1 to this rank's counter and reads the others' through its
// own store connection. A peer silent for heartbeatTimeout, or a store that cannot be reached
// (rank 0 hosts it), ends the process with a message: a collective would only notice at its
// next call, which can be a whole rollout away.
struct Group::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Store> watchStore;
  c10::intrusive_ptr<c10d::Backend> backend;
  std::thread watchdog;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<int, std::pair<int64_t, Clock::time_point>> seen;  // rank -> (last count, when it last moved)

  void beatOnce(const GroupOptions& o) {
    watchStore->add(heartbeatKey(o.rank), 1);
    auto now = Clock::now();
    for (int r = 0; r < o.worldSize; ++r) {
      if (r == o.rank) continue;
      int64_t c = watchStore->add(heartbeatKey(r), 0);
      std::lock_guard<std::mutex> lock(mu);
      auto it = seen.find(r);
      if (it == seen.end() || it->second.first != c) seen[r] = {c, now};
    }
  }

  void watch(GroupOptions o) {
    while (!stop.load()) {
      try {
        beatOnce(o);
      } catch (const std::exception& e) {
        if (stop.load()) return;
        std::fprintf(stderr, "vsr1 distributed: rank %d: the rendezvous store on rank 0 (%s:%d) cannot be reached (%s); rank 0 has stopped. Ending this run (exit 1).\n",
                     o.rank, o.masterAddr.c_str(), o.masterPort, e.what());
        std::fflush(stderr);
        std::_Exit(1);
      }
      if (o.heartbeatTimeout.count() > 0) {
        std::lock_guard<std::mutex> lock(mu);
        for (auto& [r, s] : seen) {
          if (Clock::now() - s.second > o.heartbeatTimeout) {
            std::fprintf(stderr, "vsr1 distributed: rank %d: rank %d has sent no heartbeat for %lld s (it died or hangs). Ending this run (exit 1).\n",
                         o.rank, r, static_cast<long long>(o.heartbeatTimeout.count() / 1000));
            std::fflush(stderr);
            std::_Exit(1);
          }
        }
      }
      std::this_thread::sleep_for(kBeat);
    }
  }
};

Group::Group(const GroupOptions& o) : opts_(o), impl_(std::make_unique<Impl>()) {
  if (o.worldSize < 1 || o.rank < 0 || o.rank >= o.worldSize) throw std::runtime_error("rank " + std::to_string(o.rank) + " is not in a world of size " + std::to_string(o.worldSize));
  const std::string where = o.masterAddr + ":" + std::to_string(o.masterPort);
  try {
    impl_->store = openStore(o, o.hostStore && o.rank == 0);
    impl_->watchStore = openStore(o, false);
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(o.rank) + ": cannot reach the rendezvous store at " + where + ": " + e.what());
  }
  try {
    if (o.backend == "gloo") {
      auto go = c10d::ProcessGroupGloo::Options::create(o.timeout);
      go->devices.push_back(glooDevice(o));
      impl_->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", impl_->store), o.rank, o.worldSize, go);
    } else if (o.backend == "nccl") {
#if VSR1_WITH_NCCL
      auto no = c10d::ProcessGroupNCCL::Options::create();
      no->timeout = o.timeout;
      impl_->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", impl_->store), o.rank, o.worldSize, no);
#else
      throw std::runtime_error("this addon was built without NCCL (it needs the CUDA libtorch and nccl.h at build time)");
#endif
    } else {
      throw std::runtime_error("unknown backend '" + o.backend + "', expected gloo or nccl");
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(o.rank) + ": cannot start the " + o.backend + " process group (world size " + std::to_string(o.worldSize) + ", store " + where + "): " + e.what());
  }
  auto now = Clock::now();
  for (int r = 0; r < o.worldSize; ++r) if (r != o.rank) impl_->seen[r] = {-1, now};
  impl_->watchdog = std::thread([this, o] { impl_->watch(o); });
}

Group::~Group() { stopWatchdog(); }

void Group::stopWatchdog() {
  impl_->stop.store(true);
  if (impl_->watchdog.joinable()) impl_->watchdog.join();
}

std::vector<int> Group::silentPeers(std::chrono::milliseconds quiet) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<int> out;
  for (auto& [r, s] : impl_->seen) if (Clock::now() - s.second > quiet) out.push_back(r);
  return out;
}

void Group::wait(const std::string& what, int64_t bytes, const std::function<void()>& run) {
  try {
    run();
    bytes_ += bytes;
  } catch (const std::exception& e) {
    // Which peer failed: give the watchdog a few beats to see whose heartbeat stopped.
    std::this_thread::sleep_for(5 * kBeat);
    std::string who;
    for (int r : silentPeers(4 * kBeat)) who += (who.empty() ? "" : ", ") + std::to_string(r);
    std::string peers = who.empty() ? "" : "; silent peer rank(s): " + who;
    throw std::runtime_error("rank " + std::to_string(opts_.rank) + ": " + what + " (" + sizeText(bytes) + ", world size " + std::to_string(opts_.worldSize) + ") failed: " + e.what() + peers);
  }
}

void Group::allreduce(std::vector<at::Tensor>& ts, Reduce op, const std::string& what) {
  wait("all-reduce of " + what, bytesOf(ts), [&] {
    c10d::AllreduceOptions ao;
    ao.reduceOp = reduceOp(op);
    ao.timeout = opts_.timeout;
    impl_->backend->allreduce(ts, ao)->wait(opts_.timeout);
  });
}

void Group::broadcast(std::vector<at::Tensor>& ts, int root, const std::string& what) {
  wait("broadcast from rank " + std::to_string(root) + " of " + what, bytesOf(ts), [&] {
    c10d::BroadcastOptions bo;
    bo.rootRank = root;
    bo.timeout = opts_.timeout;
    impl_->backend->broadcast(ts, bo)->wait(opts_.timeout);
  });
}

std::vector<at::Tensor> Group::allgather(const at::Tensor& t, const std::string& what) {
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < opts_.worldSize; ++r) out[0].push_back(at::empty_like(t));
  std::vector<at::Tensor> in{t};
  wait("all-gather of " + what, bytesOf(in), [&] {
    c10d::AllgatherOptions go;
    go.timeout = opts_.timeout;
    impl_->backend->allgather(out, in, go)->wait(opts_.timeout);
  });
  return out[0];
}

void Group::reduceScatter(at::Tensor& out, std::vector<at::Tensor>& inputs, const std::string& what) {
  std::vector<at::Tensor> outs{out};
  std::vector<std::vector<at::Tensor>> ins{inputs};
  wait("reduce-scatter of " + what, bytesOf(inputs), [&] {
    c10d::ReduceScatterOptions ro;
    ro.reduceOp = c10d::ReduceOp::SUM;
    ro.timeout = opts_.timeout;
    impl_->backend->reduce_scatter(outs, ins, ro)->wait(opts_.timeout);
  });
}

void Group::barrier(const std::string& what) {
  wait("barrier (" + what + ")", 0, [&] {
    c10d::BarrierOptions bo;
    bo.timeout = opts_.timeout;
    impl_->backend->barrier(bo)->wait(opts_.timeout);
  });
}

void Group::storeSet(const std::string& key, const std::string& value) {
  impl_->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
}

std::string Group::storeGet(const std::string& key) {
  try {
    auto v = impl_->store->get(key);
    return std::string(v.begin(), v.end());
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(opts_.rank) + ": store key '" + key + "' did not arrive from the rendezvous store on rank 0 (" + opts_.masterAddr + ":" +
                             std::to_string(opts_.masterPort) + "; rank 0 stopped, or a rank is late beyond the timeout): " + e.what());
  }
}
#endif

}  // namespace vsr1::dist
