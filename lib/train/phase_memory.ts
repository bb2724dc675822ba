/**
 * Peak memory per named phase of a training step: the CUDA caching allocator's peak on a GPU,
 * the CPU allocator's tracked peak (torch.cpuMemory) on the CPU. Each phase resets the peak when
 * it starts, so its figure is the most memory in use at once while it ran (everything alive
 * counts: weights and optimizer state too).
 */
import { cudaIndexOf } from '../torch/device.js';
import * as torch from '../torch/index.js';

const GB = 2 ** 30;

export class PhaseMemory {
  private peaks: Record<string, number> = {};
  private readonly cudaIndex: number | null;

  constructor(device: string) {
    this.cudaIndex = cudaIndexOf(device);
  }

  /** Runs fn (sync or async) and records its peak bytes under `phase` (the largest if run twice). */
  async measure<T>(phase: string, fn: () => T | Promise<T>): Promise<T> {
    this.resetPeak();
    try {
      return await fn();
    } finally {
      this.peaks[phase] = Math.max(this.peaks[phase] ?? 0, this.peakBytes());
    }
  }

  /** `memory/<phase>_peak_gb` for the phases measured since the last call, then clears them. */
  take(): Record<string, number> {
    const out = Object.fromEntries(Object.entries(this.peaks).map(([k, v]) => [`memory/${k}_peak_gb`, v / GB]));
    this.peaks = {};
    return out;
  }

  private resetPeak(): void {
    if (this.cudaIndex !== null) torch.cuda.resetPeakStats(this.cudaIndex);
    else torch.cpuMemory.resetPeak();
  }

  private peakBytes(): number {
    if (this.cudaIndex !== null) return torch.cuda.memoryStats(this.cudaIndex)?.peakAllocated ?? 0;
    return torch.cpuMemory.stats().peak;
  }
}
