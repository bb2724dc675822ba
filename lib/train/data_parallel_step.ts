/**
 * The optimizer step of a data-parallel run (docs/distributed.md). Gradients are averaged over
 * the ranks in flat buckets, then clipped by their global norm and applied, so every rank ends
 * the step with the weights one process would have after the same global batch:
 * - sharding 'none': every rank holds the whole AdamW state and steps every parameter;
 * - 'optimizer' (ZeRO-1): each rank keeps AdamW moments (and fp32 masters) only for the
 *   parameters it owns, steps those, and sends the new weights to the others;
 * - 'optimizer+grads' (ZeRO-2): gradients are also reduce-scattered, so each rank keeps only its
 *   own parameters' averaged gradients; the clip norm combines each owner's per-parameter norms.
 */
import { partitionParameters } from '../distributed/shard.js';
import type { ProcessGroup } from '../distributed/process_group.js';
import { native } from '../native.js';
import * as torch from '../torch/index.js';
import type { GradientStep, StepOutcome } from './optim_step.js';

export type Sharding = 'none' | 'optimizer' | 'optimizer+grads';

export class DataParallelStep implements GradientStep {
  /** The AdamW of this rank: over every parameter ('none') or the ones it owns. */
  readonly optimizer: torch.AdamW;
  /** Owner rank per parameter (all this rank's with 'none'). */
  readonly owners: number[];
  /** Indices into `params` of the parameters this rank's optimizer steps. */
  readonly owned: number[];
  /** Payload bytes of the gradient and weight exchanges of the last step. */
  lastStepBytes = 0;

  constructor(
    readonly group: ProcessGroup, readonly params: torch.Tensor[], readonly sharding: Sharding, private readonly bucketBytes: number,
    makeOptimizer: (params: torch.Tensor[]) => torch.AdamW,
  ) {
    this.owners = sharding === 'none' ? params.map(() => group.rank) : partitionParameters(params.map((p) => p.numel()), group.worldSize);
    this.owned = this.owners.map((o, i) => (o === group.rank ? i : -1)).filter((i) => i >= 0);
    this.optimizer = makeOptimizer(this.owned.map((i) => params[i]));
  }

  step(maxNorm: number): StepOutcome {
    const handles = this.params.map((p) => p.handle);
    const before = this.group.bytesCommunicated();
    let norm: number;
    if (this.sharding === 'optimizer+grads') {
      native.distReduceScatterGrads(handles, this.owners, this.bucketBytes);
      norm = native.distClipShardedGradNorm(handles, this.owners, maxNorm);
    } else {
      native.distAllreduceGrads(handles, this.bucketBytes);
      norm = torch.clipGradNorm(this.params, maxNorm).norm;
    }
    // Every rank sees the same norm (same averaged gradients), so all skip or all step.
    const applied = Number.isFinite(norm);
    if (applied) this.optimizer.step();
    if (applied && this.sharding !== 'none') native.distBroadcastFromOwners(handles, this.owners, this.bucketBytes);
    for (const p of this.params) p.grad = null;
    this.lastStepBytes = this.group.bytesCommunicated() - before;
    return { norm, applied };
  }

  /** Bytes of AdamW state this rank holds (moments and fp32 masters), for the sharding check. */
  stateBytes(): number {
    return this.optimizer.stateBytes();
  }
}
