// Bytes of CPU tensor memory in use and their peak, counted by a thin wrapper around libtorch's
// CPU allocator (installed once when the addon loads). This is the CPU counterpart of the CUDA
// caching allocator's statistics: what a training phase needs, not what the process maps.
#pragma once
#include <cstdint>

namespace vsr1 {

struct CpuMemoryStats {
  int64_t allocated = 0;  // bytes of CPU tensor storage alive now (allocated since install)
  int64_t peak = 0;       // the most at once since install or the last resetCpuMemoryPeak
};

void installCpuMemoryTracking();
CpuMemoryStats cpuMemoryStats();
void resetCpuMemoryPeak();

}  // namespace vsr1
