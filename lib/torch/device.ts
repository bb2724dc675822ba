/** Devices, threads and build facts. */
import { native } from '../native.js';

/** Bytes of the CUDA caching allocator on one device (torch.cuda.memory_stats' main entries). */
export interface DeviceMemoryStats {
  allocated: number; reserved: number; active: number; peakAllocated: number; peakReserved: number;
  numAllocRetries: number; numOoms: number;
  /** Free and total device memory reported by the driver. */
  free: number; total: number;
}

/** The CUDA device index of a device name ('cuda' = 0, 'cuda:N' = N), or null for any other device. */
export function cudaIndexOf(device: string): number | null {
  const m = /^cuda(?::(\d+))?$/.exec(device);
  return m ? Number(m[1] ?? 0) : null;
}

export const cuda = {
  isAvailable(): boolean { return native.cudaIsAvailable(); },
  deviceCount(): number { return native.cudaDeviceCount(); },
  /** Waits for all queued kernels (no-op without CUDA). */
  synchronize(device?: number): void { native.cudaSynchronize(device ?? null); },
  /** Allocator statistics of device `index`, or null without CUDA (or with libtorch < 2.9). */
  memoryStats(index = 0): DeviceMemoryStats | null { return native.deviceMemoryStats(index); },
  resetPeakStats(index = 0): void { native.deviceResetPeakStats(index); },
  /** Returns cached, unused blocks to the driver. */
  emptyCache(): void { native.deviceEmptyCache(); },
};

/**
 * CPU tensor memory as libtorch's CPU allocator sees it (counted since the addon loaded): bytes
 * alive now and the peak since the last resetPeak(). The CPU counterpart of cuda.memoryStats.
 */
export const cpuMemory = {
  stats(): { allocated: number; peak: number } { return native.cpuMemoryStats(); },
  resetPeak(): void { native.cpuResetPeak(); },
};

/**
 * libtorch's lazy-tensor device ("lazy"): ops run on the CPU with real values but refuse inputs
 * from any other device. Tests use it to check that a code path makes every tensor on its
 * model's device, which a CPU-only machine cannot see with the model on the CPU.
 */
export const lazyDevice = {
  /** Registers the backend (once); after this, 'lazy' is a valid device name. */
  init(): void { native.lazyDeviceInit(); },
};

/** Intra-op threads libtorch uses on CPU. */
export function setNumThreads(n: number): void { native.setNumThreads(n); }
export function getNumThreads(): number { return native.getNumThreads(); }

/**
 * CPU inference matmuls (generation, scoring without gradients) run through oneDNN on weights
 * reordered once into its blocked layout, rebuilt when a weight changes; the copies cost as much
 * memory as the matrices. On by default; off sends them to libtorch's default matmul (for A/B
 * measurement, or to save that memory). `available` is false when this libtorch lacks oneDNN's
 * linear ops, and then everything runs unpacked.
 */
export function setWeightPacking(on: boolean): void { native.setWeightPacking(on); }
export function weightPacking(): { enabled: boolean; available: boolean } { return native.weightPacking(); }

/** What the addon was compiled against (torch headers, C++ ABI, N-API) and libtorch's build and thread settings. */
export function buildInfo(): { torchVersion: string; cxx11abi: boolean; napiVersion: number; config: string; parallel: string } { return native.buildInfo(); }
