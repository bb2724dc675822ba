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

}  // namespace vsr1
