// Inference matmuls on the CPU through oneDNN, each weight reordered once into the blocked
// layout oneDNN's matmul reads fastest. On the 2-core AMD machine the project is measured on,
// libtorch's default CPU matmul (MKL sgemm) runs 2.7x slower at one row (decode) and about 3x
// slower from 16 to 1024 rows (bench/results/cpu-2026-12-02-packed-linear.md). Training keeps
// at::linear: the reordered weight is not an autograd leaf, so it is used only where no
// gradient is wanted.
#pragma once
#include <ATen/ATen.h>

#include <mutex>
#include <unordered_map>

namespace vsr1 {

// Whether this libtorch has oneDNN's linear ops (mkldnn::_reorder_linear_weight and
// mkldnn::_linear_pointwise), and packing is switched on (setWeightPacking).
bool weightPackingAvailable();
// On by default; off sends every matmul to at::linear (for A/B measurement).
void setWeightPacking(bool on);
bool weightPackingEnabled();

class PackedLinears {
 public:
  // x W^T + b. Packed when W is on the CPU in fp32 or bf16, no gradient is being recorded, and
  // packing is available; else at::linear. The reordered copy is rebuilt when W's storage or
  // version (any in-place update: loading, an optimizer step) changes.
  at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {}) const;
  void clear();

 private:
  struct Entry {
    at::Tensor source;  // held, so its TensorImpl (the key) cannot be freed and reused
    at::Tensor packed;
    const void* data = nullptr;
    uint32_t version = 0;
  };
  at::Tensor packedFor(const at::Tensor& w) const;
  mutable std::mutex mu_;
  mutable std::unordered_map<const c10::TensorImpl*, Entry> entries_;
};

// at::linear with an undefined bias meaning none.
inline at::Tensor plainLinear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  return at::linear(x, w, b.defined() ? std::optional<at::Tensor>(b) : std::nullopt);
}

// `lin` null: at::linear (the training path, which wants gradients).
inline at::Tensor linear(const PackedLinears* lin, const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {}) {
  return lin ? lin->linear(x, w, b) : plainLinear(x, w, b);
}

}  // namespace vsr1
