/**
 * Batches of examples for the trainer: a VisionDataset read in the order of an EpochSampler.
 * Its state() goes into the checkpoint (trainer_state.json `data`); a loader built with that
 * state yields exactly the batches the interrupted run would have produced next.
 */
import type { Example, VisionDataset } from './dataset.js';
import { EpochSampler, type SamplerOptions, type SamplerState } from './sampler.js';

/** A batch and its place in the data order. */
export interface ExampleBatch {
  examples: Example[];
  epoch: number;
  /** Batch number within the epoch, from 0. */
  batch: number;
}

export class DataLoader {
  readonly sampler: EpochSampler;

  constructor(readonly dataset: VisionDataset, opts: SamplerOptions, state?: SamplerState) {
    this.sampler = new EpochSampler(dataset.size, opts, state);
  }

  /** The next batch (rolling over epochs). */
  async next(): Promise<ExampleBatch> {
    const b = this.sampler.next();
    return { examples: await this.dataset.getBatch(b.indices), epoch: b.epoch, batch: b.batch };
  }

  /** Position of the next batch, JSON-serialisable. */
  state(): SamplerState {
    return this.sampler.state();
  }

  /** RL steps for `totalEpochs` epochs, capped by `maxSteps` (trainer.total_epochs / max_steps). */
  totalSteps(totalEpochs: number, maxSteps: number | null = null): number {
    const all = this.sampler.batchesPerEpoch * totalEpochs;
    return maxSteps === null ? all : Math.min(all, maxSteps);
  }
}
