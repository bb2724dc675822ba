// Profiling from TypeScript: named ranges (libtorch's RecordFunction, which the profiler and
// NVTX see) and a profiler session that writes a Chrome/Perfetto trace of the ops inside it.
#pragma once
#include <cstdint>
#include <string>

namespace vsr1 {

// Opens a named range; returns a token for rangePop. Ranges nest (LIFO).
int64_t rangePush(const std::string& name);
void rangePop(int64_t token);

// Starts the Kineto profiler (CPU ops with shapes; CUDA kernels too when `cuda` and available).
void profilerStart(bool recordShapes, bool withStack, bool cuda);
// Stops it and writes the trace (Chrome trace-event JSON) to `path`.
void profilerStop(const std::string& path);
bool profilerActive();

// Emits every op and named range as an NVTX range (for Nsight Systems: `nsys profile ...`), the
// way PyTorch's emit_nvtx does; no trace file. Needs libtorch with CUDA and a visible GPU, else
// throws saying so. Only one session (NVTX or trace) runs at a time.
void nvtxStart(bool recordShapes);
void nvtxStop();

}  // namespace vsr1
