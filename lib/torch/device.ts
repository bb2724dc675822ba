/** Devices, threads and build facts. */
import { native } from '../native.js';

export const cuda = {
  isAvailable(): boolean { return native.cudaIsAvailable(); },
  deviceCount(): number { return native.cudaDeviceCount(); },
  /** Waits for all queued kernels (no-op without CUDA). */
  synchronize(device?: number): void { native.cudaSynchronize(device ?? null); },
};

/** Intra-op threads libtorch uses on CPU. */
export function setNumThreads(n: number): void { native.setNumThreads(n); }
export function getNumThreads(): number { return native.getNumThreads(); }

/** libtorch version, build configuration (BLAS in use, CUDA) and parallel settings. */
export function buildInfo(): { torchVersion: string; config: string; parallel: string } { return native.buildInfo(); }
