/**
 * The c10d process group of a data-parallel run, as the trainers use it: numbers summed or
 * compared across ranks, gradients averaged, weights sent from their owners, a value every rank
 * must agree on (the config hash). One per process; collectives wait at most the group's timeout
 * and fail with the rank, the collective and the peers that went silent.
 */
import { native } from '../native.js';
import * as torch from '../torch/index.js';
import { wrap } from '../torch/tensor.js';
import type { LaunchEnv } from './launch_env.js';

export type Backend = 'gloo' | 'nccl';

export interface GroupSettings {
  /** 'auto' picks nccl for CUDA devices, gloo otherwise. */
  backend: Backend | 'auto';
  /** The training device of this rank ('cpu', 'cuda:N'). */
  device: string;
  timeoutS: number;
  heartbeatTimeoutS: number;
}

/** The backends this addon was built with (empty: single process only). */
export function availableBackends(): Backend[] {
  return native.distBackends() as Backend[];
}

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly localRank: number;
  readonly backend: Backend;
  /** Where the tensors of collectives live: the CPU for Gloo, the rank's GPU for NCCL. */
  readonly commDevice: string;
  private checks = 0;
  private closed = false;

  private constructor(env: LaunchEnv, backend: Backend, commDevice: string) {
    this.rank = env.rank;
    this.worldSize = env.worldSize;
    this.localRank = env.localRank;
    this.backend = backend;
    this.commDevice = commDevice;
  }

  /** Joins the run's rendezvous (blocks until every rank is there, or the timeout). */
  static start(env: LaunchEnv, s: GroupSettings): ProcessGroup {
    const backend: Backend = s.backend === 'auto' ? (s.device.startsWith('cuda') ? 'nccl' : 'gloo') : s.backend;
    const have = availableBackends();
    if (!have.includes(backend)) {
      throw new Error(`distributed: WORLD_SIZE=${env.worldSize} asks for a data-parallel run on ${backend}, but this addon was built ${have.length ? `with ${have.join(', ')} only` : 'without c10d (gloo headers were missing at build time: apt-get install libgloo-dev, then npm run build:native)'}`);
    }
    if (backend === 'nccl' && !s.device.startsWith('cuda')) throw new Error(`distributed: the nccl backend needs a CUDA device, this rank trains on ${s.device}`);
    native.distInit({
      backend, rank: env.rank, worldSize: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort,
      hostStore: !env.agentStore, storePrefix: env.storePrefix, timeoutMs: Math.round(s.timeoutS * 1000), heartbeatTimeoutMs: Math.round(s.heartbeatTimeoutS * 1000),
    });
    return new ProcessGroup(env, backend, backend === 'nccl' ? s.device : 'cpu');
  }

  get isMain(): boolean { return this.rank === 0; }

  /** Elementwise sum (or max, min) of `values` over the ranks (float64). */
  reduce(values: readonly number[], op: 'sum' | 'max' | 'min', what: string): number[] {
    if (!values.length) return [];
    return torch.scope(() => {
      const t = torch.tensor(new Float64Array(values), { device: this.commDevice });
      native.distAllreduce([t.handle], op, what);
      return t.toFlatArray();
    });
  }

  sum(values: readonly number[], what: string): number[] { return this.reduce(values, 'sum', what); }

  /** Every rank's `values` (the same length everywhere), in rank order. */
  gather(values: readonly number[], what: string): number[][] {
    return torch.scope(() => {
      const t = torch.tensor(new Float64Array(values), { device: this.commDevice });
      return native.distAllgather(t.handle, what).map((h) => {
        const x = wrap(h);
        return x.toFlatArray();
      });
    });
  }

  barrier(what: string): void { native.distBarrier(what); }

  /**
   * Throws on every rank unless all ranks hold the same `value` (e.g. a config hash), naming the
   * ranks that differ from rank 0.
   */
  assertSame(what: string, value: string): void {
    const key = `same/${this.checks++}/${what}`;
    native.distStoreSet(`${key}/${this.rank}`, value);
    const all = Array.from({ length: this.worldSize }, (_, r) => (r === this.rank ? value : native.distStoreGet(`${key}/${r}`)));
    const odd = all.map((v, r) => (v === all[0] ? -1 : r)).filter((r) => r >= 0);
    if (odd.length) throw new Error(`distributed: the ${what} differs between ranks: rank(s) ${odd.join(', ')} have ${odd.map((r) => all[r]).join(', ')}, rank 0 has ${all[0]}; start every rank with the same config`);
  }

  /** Value of the store key `key` once `rank 0` has set it (setStoreValue). */
  storeValue(key: string): string { return native.distStoreGet(key); }
  setStoreValue(key: string, value: string): void { native.distStoreSet(key, value); }

  /** Every rank gets rank 0's weights (the start of a run, like DDP's constructor). */
  broadcastParameters(params: readonly torch.Tensor[], bucketBytes: number): number {
    return native.distBroadcastFromOwners(params.map((p) => p.handle), params.map(() => 0), bucketBytes);
  }

  /** Payload bytes handed to collectives so far by this rank. */
  bytesCommunicated(): number { return native.distBytes(); }

  /**
   * Leaves the group. A clean end (`barrier`, the default) first waits for every rank, stops the
   * watchdog, and waits again, so no rank sees rank 0's store close while it still watches it.
   */
  close(opts: { barrier?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (opts.barrier ?? true) {
        this.barrier('end of run');
        native.distStopWatchdog();
        this.barrier('watchdogs stopped');
      }
    } finally {
      native.distDestroy();
    }
  }
}
