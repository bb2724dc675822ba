// Raw tensor bytes to and from safetensors files. The JSON header is parsed and written in
// TypeScript (lib/torch/safetensors.ts); here only the byte ranges are read and written, straight
// into tensor storage with pread (no intermediate copy).
#pragma once
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace vsr1 {

struct TensorSpan {
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  int64_t begin;  // byte offsets relative to the start of the data section
  int64_t end;
};

// Reads each span of `path` (data section starting at `dataStart`) into a new CPU tensor.
std::vector<at::Tensor> readSpans(const std::string& path, int64_t dataStart, const std::vector<TensorSpan>& spans);

// Writes `header` (already padded JSON) with its 8-byte little-endian length, then the
// contiguous bytes of each tensor in order, to `path` atomically (temp file + fsync + rename).
void writeSafetensors(const std::string& path, const std::string& header, const std::vector<at::Tensor>& tensors);

}  // namespace vsr1
