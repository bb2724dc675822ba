/**
 * Seeded, resumable batch order over a dataset: a fresh permutation per epoch (seeded shuffle,
 * as EasyR1's RandomSampler with data.seed), optional drop_last, and a position
 * `{epoch, index, seed}` that can be saved in a checkpoint and restored to continue with
 * exactly the same batches.
 *
 * The permutation comes from our own PRNG, so it does not reproduce torch's RandomSampler
 * order; it is deterministic given (seed, epoch, dataset size).
 */

/** Where the sampler stands: the next batch starts at `index` of epoch `epoch`'s order. */
export interface SamplerState {
  epoch: number;
  index: number;
  seed: number;
}

export interface SamplerOptions {
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

/** One batch of dataset indices and where it came from. */
export interface SampledBatch {
  indices: number[];
  epoch: number;
  /** Batch number within the epoch, from 0. */
  batch: number;
}

/** splitmix32: turns (seed, epoch) into a well-mixed 32-bit PRNG seed. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** sfc32, a small fast PRNG with a 128-bit state; returns uniform floats in [0, 1) with 53 bits. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next(); // let the seed diffuse
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

/** The order of epoch `epoch`: a Fisher-Yates shuffle of 0..size-1 seeded by (seed, epoch). */
export function epochPermutation(size: number, seed: number, epoch: number): number[] {
  const s0 = mix32(seed | 0);
  const s1 = mix32(s0 ^ (epoch | 0));
  const rand = sfc32(s0, s1, mix32(s1), mix32(s1 ^ 0x5bd1e995));
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Hands out batches of indices epoch after epoch. */
export class EpochSampler {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  private epoch = 0;
  private index = 0;
  private order: number[] | null = null;

  /**
   * @param size number of examples
   * @param state a saved position to continue from (its seed must match)
   */
  constructor(readonly size: number, opts: SamplerOptions, state?: SamplerState) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) throw new Error(`sampler batchSize must be a positive integer, received ${opts.batchSize}`);
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? true;
    this.seed = opts.seed ?? 1;
    this.dropLast = opts.dropLast ?? true;
    if (this.batchesPerEpoch === 0) {
      throw new Error(`dataset of ${size} examples gives no batch of ${this.batchSize}${this.dropLast ? ' with drop_last' : ''}`);
    }
    if (state) this.restore(state);
  }

  /** Full batches per epoch (plus the partial last one when dropLast is false). */
  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** The position of the next batch, for a checkpoint. */
  state(): SamplerState {
    return { epoch: this.epoch, index: this.index, seed: this.seed };
  }

  /** Moves to a saved position. Errors name the field that does not fit. */
  restore(s: SamplerState): void {
    if (s.seed !== this.seed) throw new Error(`sampler state seed ${s.seed} differs from data.seed ${this.seed}: the order would not match`);
    if (!Number.isInteger(s.epoch) || s.epoch < 0) throw new Error(`sampler state epoch must be a non-negative integer, received ${s.epoch}`);
    if (!Number.isInteger(s.index) || s.index < 0 || s.index > this.size || (s.index % this.batchSize !== 0 && s.index !== this.size)) {
      throw new Error(`sampler state index ${s.index} is not a batch boundary of a ${this.size}-example dataset with batch ${this.batchSize}`);
    }
    this.epoch = s.epoch;
    this.index = s.index;
    this.order = null;
  }

  private epochOrder(): number[] {
    this.order ??= this.shuffle ? epochPermutation(this.size, this.seed, this.epoch) : Array.from({ length: this.size }, (_, i) => i);
    return this.order;
  }

  /** The batch next() will return, without moving (for prefetching). */
  peek(): SampledBatch {
    const { epoch, index, order } = this;
    try {
      return this.next();
    } finally {
      this.epoch = epoch;
      this.index = index;
      this.order = order;
    }
  }

  /** The next batch; rolls over to the next epoch when this one is used up. */
  next(): SampledBatch {
    const remaining = this.size - this.index;
    if (remaining === 0 || (this.dropLast && remaining < this.batchSize)) {
      this.epoch++;
      this.index = 0;
      this.order = null;
    }
    const order = this.epochOrder();
    const indices = order.slice(this.index, this.index + this.batchSize);
    const batch = { indices, epoch: this.epoch, batch: this.index / this.batchSize };
    this.index += this.batchSize;
    if (this.index > this.size) this.index = this.size; // partial last batch
    return batch;
  }
}
