// The registry of live tensors that JavaScript refers to by number.
//
// Why a table and not one JS object per tensor with a finalizer: creating a GC-tracked native
// wrapper costs about as much as a small op itself (bench/dispatch.ts measures the per-op cost), and GC-driven frees let memory
// pile up. Here a handle is a plain double: slot index in the low 24 bits, a generation count
// above them, so a stale handle (disposed, slot reused) is detected instead of aliasing.
// Scopes free every tensor created inside them except those the caller keeps.
#pragma once
#include <ATen/ATen.h>
#include <cstdint>
#include <string>
#include <vector>

namespace vsr1 {

class HandleTable {
 public:
  static constexpr uint32_t kSlotBits = 24;
  static constexpr double kSlotSpan = 16777216.0;  // 2^24

  // Stores `t` and returns its handle; the tensor joins the innermost open scope.
  double put(at::Tensor t);
  // The tensor behind `h`. Throws std::runtime_error when `h` is stale or disposed (the binding
  // prefixes the operation's name).
  const at::Tensor& get(double h) const;
  bool alive(double h) const;
  // Frees `h` now. Returns false when it was already gone.
  bool release(double h);

  void scopeEnter();
  // Closes the innermost scope: frees its tensors except `keep`, which move to the parent scope.
  void scopeExit(const std::vector<double>& keep);
  size_t scopeDepth() const { return scopes_.size(); }

  size_t liveCount() const { return live_; }
  // Bytes created minus bytes freed since the last call; fed to V8's external memory counter.
  int64_t takeExternalDelta() { int64_t d = pendingBytes_; pendingBytes_ = 0; return d; }
  int64_t trackedBytes() const { return trackedBytes_; }

 private:
  struct Slot {
    at::Tensor tensor;
    uint32_t generation = 0;
    int64_t bytes = 0;  // bytes counted for this tensor (0 for views of shared storage)
    bool used = false;
  };
  uint32_t slotOf(double h) const { return static_cast<uint32_t>(static_cast<uint64_t>(h) & ((1u << kSlotBits) - 1)); }
  uint32_t genOf(double h) const { return static_cast<uint32_t>(static_cast<uint64_t>(h) >> kSlotBits); }
  void freeSlot(uint32_t s);

  std::vector<Slot> slots_;
  std::vector<uint32_t> freeList_;
  std::vector<std::vector<double>> scopes_;
  size_t live_ = 0;
  int64_t pendingBytes_ = 0;
  int64_t trackedBytes_ = 0;
};

// The table used by the JS thread. Worker threads never touch it: they receive and return
// at::Tensor values and the binding stores results on the JS thread.
HandleTable& handles();

}  // namespace vsr1
