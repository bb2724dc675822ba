#include "core/cpu_memory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstring>

namespace vsr1 {
namespace {

std::atomic<int64_t> gAllocated{0}, gPeak{0};

void add(int64_t n) {
  const int64_t now = gAllocated.fetch_add(n, std::memory_order_relaxed) + n;
  int64_t peak = gPeak.load(std::memory_order_relaxed);
  while (now > peak && !gPeak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

// Allocations stay "simple" (context == data pointer), as libtorch's raw_allocate callers need.
// Each block carries a small header in front of the data with its size and the base allocator's
// deleter, so counting needs no lock and no table. The header keeps the base's 64-byte alignment.
constexpr size_t kHeader = 64;
struct Header {
  int64_t bytes;
  c10::DeleterFnPtr free;
};

void release(void* data) {
  auto* h = reinterpret_cast<Header*>(static_cast<char*>(data) - kHeader);
  gAllocated.fetch_sub(h->bytes, std::memory_order_relaxed);
  h->free(h);
}

class TrackingAllocator final : public c10::Allocator {
 public:
  explicit TrackingAllocator(c10::Allocator* base) : base_(base) {}
  c10::DataPtr allocate(size_t n) override {
    c10::DataPtr inner = base_->allocate(n + kHeader);
    char* raw = static_cast<char*>(inner.get());
    if (raw == nullptr || inner.get_context() != raw || inner.get_deleter() == nullptr) return base_->allocate(n);  // not a plain block: left uncounted
    const c10::Device dev = inner.device();
    auto* h = reinterpret_cast<Header*>(raw);
    h->bytes = static_cast<int64_t>(n);
    h->free = inner.get_deleter();
    inner.release_context();
    add(h->bytes);
    return c10::DataPtr(raw + kHeader, raw + kHeader, &release, dev);
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
