#include "core/handle_table.h"

#include <stdexcept>

namespace vsr1 {

HandleTable& handles() {
  static HandleTable table;
  return table;
}

double HandleTable::put(at::Tensor t) {
  uint32_t s;
  if (!freeList_.empty()) {
    s = freeList_.back();
    freeList_.pop_back();
  } else {
    if (slots_.size() >= (1u << kSlotBits)) throw std::runtime_error("too many live tensors (16M): dispose tensors or use torch.scope()");
    s = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[s];
  // Count storage bytes once per storage: a view (storage shared with another handle) adds 0.
  int64_t bytes = 0;
  if (t.defined() && t.has_storage() && t.device().is_cpu()) {
    const auto& st = t.storage();
    if (st.use_count() == 1) bytes = static_cast<int64_t>(st.nbytes());
  }
  slot.tensor = std::move(t);
  slot.used = true;
  slot.bytes = bytes;
  pendingBytes_ += bytes;
  trackedBytes_ += bytes;
  ++live_;
  double h = static_cast<double>(slot.generation) * kSlotSpan + static_cast<double>(s);
  if (!scopes_.empty()) scopes_.back().push_back(h);
  return h;
}

bool HandleTable::alive(double h) const {
  if (!(h >= 0)) return false;
  uint32_t s = slotOf(h);
  return s < slots_.size() && slots_[s].used && slots_[s].generation == genOf(h);
}

const at::Tensor& HandleTable::get(double h) const {
  if (!alive(h)) {
    throw std::runtime_error("tensor argument was disposed (used after dispose() or after its torch.scope() ended)");
  }
  return slots_[slotOf(h)].tensor;
}

void HandleTable::freeSlot(uint32_t s) {
  Slot& slot = slots_[s];
  slot.tensor = at::Tensor();
  slot.used = false;
  pendingBytes_ -= slot.bytes;
  trackedBytes_ -= slot.bytes;
  slot.bytes = 0;
  // Generation wraps after 2^29 reuses of one slot, well beyond a handle's useful life.
  slot.generation = (slot.generation + 1) & ((1u << 29) - 1);
  freeList_.push_back(s);
  --live_;
}

bool HandleTable::release(double h) {
  if (!alive(h)) return false;
  freeSlot(slotOf(h));
  return true;
}

void HandleTable::scopeEnter() { scopes_.emplace_back(); }

void HandleTable::scopeExit(const std::vector<double>& keep) {
  if (scopes_.empty()) throw std::runtime_error("scopeExit: no scope is open");
  std::vector<double> made = std::move(scopes_.back());
  scopes_.pop_back();
  for (double h : made) {
    bool kept = false;
    for (double k : keep) {
      if (k == h) { kept = true; break; }
    }
    if (kept) {
      if (!scopes_.empty() && alive(h)) scopes_.back().push_back(h);
    } else if (alive(h)) {
      freeSlot(slotOf(h));
    }
  }
}

}  // namespace vsr1
