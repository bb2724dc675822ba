#include "core/cpu_memory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace vsr1 {
namespace {

std::atomic<int64_t> gAllocated{0}, gPeak{0};

void add(int64_t n) {
  const int64_t now = gAllocated.fetch_add(n) + n;
  int64_t peak = gPeak.load();
  while (now > peak && !gPeak.compare_exchange_weak(peak, now)) {
  }
}

// Allocations stay "simple" (context == data pointer), as libtorch's raw_allocate callers need:
// the size and the base allocator's deleter of each live pointer sit in a side table.
struct Entry {
  int64_t bytes;
  c10::DeleterFnPtr free;
};
std::mutex gMutex;
std::unordered_map<void*, Entry>& live() {
  static auto* m = new std::unordered_map<void*, Entry>();  // never destroyed: frees may come at exit
  return *m;
}

void release(void* p) {
  Entry e;
  {
    std::lock_guard<std::mutex> lock(gMutex);
    auto it = live().find(p);
    if (it == live().end()) return;  // not ours: cannot happen, since only our DataPtrs carry this deleter
    e = it->second;
    live().erase(it);
  }
  gAllocated.fetch_sub(e.bytes);
  e.free(p);
}

class TrackingAllocator final : public c10::Allocator {
 public:
  explicit TrackingAllocator(c10::Allocator* base) : base_(base) {}
  c10::DataPtr allocate(size_t n) override {
    c10::DataPtr inner = base_->allocate(n);
    void* data = inner.get();
    if (data == nullptr || inner.get_context() != data || inner.get_deleter() == nullptr) return inner;  // not a simple pointer: left uncounted
    const c10::Device dev = inner.device();
    c10::DeleterFnPtr baseFree = inner.get_deleter();
    inner.release_context();
    {
      std::lock_guard<std::mutex> lock(gMutex);
      live()[data] = Entry{static_cast<int64_t>(n), baseFree};
    }
    add(static_cast<int64_t>(n));
    return c10::DataPtr(data, data, &release, dev);
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }
  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }

 private:
  c10::Allocator* base_;
};

}  // namespace

void installCpuMemoryTracking() {
  static TrackingAllocator* tracker = nullptr;
  if (tracker) return;
  tracker = new TrackingAllocator(c10::GetCPUAllocator());  // lives as long as the process
  c10::SetCPUAllocator(tracker, /*priority=*/1);              // above libtorch's default (0)
}

CpuMemoryStats cpuMemoryStats() { return {gAllocated.load(), gPeak.load()}; }

void resetCpuMemoryPeak() { gPeak.store(gAllocated.load()); }

}  // namespace vsr1
