/**
 * A trainer's side of a data-parallel run (docs/distributed.md): joining the process group from
 * the launch environment, the rank's device, and the reductions that make rank 0's logs describe
 * the whole global batch. Rank 0 writes every file of the run folder; the others only train.
 */
import type { z } from 'zod';
import type { DistributedSchema } from '../config/common.js';
import { readLaunchEnv } from '../distributed/launch_env.js';
import { ProcessGroup } from '../distributed/process_group.js';
import type { EvalResult } from '../eval/evaluate.js';

type DistributedConfig = z.output<typeof DistributedSchema>;

/** What a trainer needs of its config's `trainer` block. */
export interface DataParallelTrainerConfig {
  nnodes: number;
  n_gpus_per_node: number;
  distributed: DistributedConfig;
}

export interface DataParallel {
  group: ProcessGroup;
  /** This rank's device: cuda:LOCAL_RANK for a CUDA run. */
  device: string;
  /** Flat-bucket size of gradient exchanges, in bytes. */
  bucketBytes: number;
}

/**
 * Joins the run's process group when the environment describes a launch of several processes
 * (null otherwise: a single process). WORLD_SIZE must be the config's nnodes × n_gpus_per_node,
 * the layout its batch arithmetic divides by.
 */
export function startDataParallel(t: DataParallelTrainerConfig, device: string, log: (l: string) => void): DataParallel | null {
  const env = readLaunchEnv();
  if (!env) return null;
  const planned = t.nnodes * t.n_gpus_per_node;
  if (env.worldSize !== planned) {
    throw new Error(`distributed: WORLD_SIZE is ${env.worldSize} but the config lays its batches out for trainer.nnodes × trainer.n_gpus_per_node = ${t.nnodes} × ${t.n_gpus_per_node} = ${planned} processes; set them to match the launch (e.g. trainer.n_gpus_per_node=${env.worldSize})`);
  }
  const rankDevice = device === 'cuda' ? `cuda:${env.localRank}` : device;
  const d = t.distributed;
  const group = ProcessGroup.start(env, { backend: d.backend, device: rankDevice, timeoutS: d.timeout_s, heartbeatTimeoutS: d.heartbeat_timeout_s });
  log(`distributed: rank ${env.rank} of ${env.worldSize} (local ${env.localRank}) on ${rankDevice}, ${group.backend}, store ${env.masterAddr}:${env.masterPort}${env.agentStore ? ' (launcher agent)' : ''}, sharding ${d.sharding}`);
  return { group, device: rankDevice, bucketBytes: Math.round(d.bucket_mb * 1024 * 1024) };
}

/** How a step metric combines over ranks: by the shape of its name. */
function metricReduction(name: string): 'sum' | 'max' | 'min' | 'mean' {
  if (name.endsWith('/max') || name.startsWith('timing_s/') || name.startsWith('memory/')) return 'max';
  if (name.endsWith('/min')) return 'min';
  if (name.startsWith('tokens/') || name === 'data/skipped_samples' || name === 'actor/response_tokens') return 'sum';
  return 'mean';
}

/**
 * Step metrics of the global batch from each rank's: means are averaged (every rank holds the
 * same number of samples), counts summed, extremes and phase times/peaks taken over ranks.
 * Every rank must call this with the same metric names.
 */
export function reduceStepMetrics(group: ProcessGroup, m: Record<string, number>): Record<string, number> {
  const names = Object.keys(m).sort();
  group.assertSame('step metric names', names.join(','));
  const out: Record<string, number> = {};
  for (const op of ['sum', 'max', 'min', 'mean'] as const) {
    const keys = names.filter((k) => metricReduction(k) === op);
    if (!keys.length) continue;
    const vals = group.reduce(keys.map((k) => m[k]), op === 'mean' ? 'sum' : op, `step metrics (${op})`);
    keys.forEach((k, i) => { out[k] = op === 'mean' ? vals[i] / group.worldSize : vals[i]; });
  }
  return out;
}

/** An evaluation of the whole set from each rank's share: means weighted by each rank's count. */
export function reduceEvalResult(group: ProcessGroup, r: EvalResult): EvalResult {
  const d = r.descriptionAccuracy !== null;
  const [n, acc, fmt, rate, len, dacc, short] = group.sum([
    r.n, r.accuracy * r.n, r.format * r.n, r.descriptionRate * r.n, r.responseLength * r.n, (r.descriptionAccuracy ?? 0) * r.n, (r.languageShortcutRate ?? 0) * r.n,
  ], 'validation metrics');
  const per = (x: number) => (n > 0 ? x / n : 0);
  return {
    ...r, n, accuracy: per(acc), format: per(fmt), descriptionRate: per(rate), responseLength: per(len),
    descriptionAccuracy: d ? per(dacc) : null, languageShortcutRate: d ? per(short) : null,
  };
}

/** Rank `rank`'s contiguous share of `items` (sizes differ by at most one). */
export function rankShare<T>(items: readonly T[], rank: number, worldSize: number): T[] {
  const per = Math.floor(items.length / worldSize), extra = items.length % worldSize;
  const start = rank * per + Math.min(rank, extra);
  return items.slice(start, start + per + (rank < extra ? 1 : 0));
}
