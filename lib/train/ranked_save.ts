/**
 * A checkpoint of a data-parallel run: rank 0 writes the model and the trainer state into the
 * unpublished folder; with sharded optimizer state each rank first writes its own shard there
 * (the folder's path goes through the store). Every rank returns once the checkpoint is
 * published, so none runs ahead of a checkpoint it may need.
 */
import type { DataParallel } from './data_parallel.js';
import type { DataParallelStep } from './data_parallel_step.js';
import { writeOptimizerShard } from './optimizer_shards.js';
import { saveTrainState, type SaveTrainStateOptions } from './train_state.js';

let saves = 0;

export async function saveRankedTrainState(dp: DataParallel, step: DataParallelStep, o: SaveTrainStateOptions): Promise<string> {
  const g = dp.group;
  const sharded = step.sharding !== 'none';
  // Every rank saves the same checkpoints in the same order, so the count names this one everywhere.
  const key = `checkpoint/${o.step}/${saves++}`;
  const writeShard = async (dir: string) => {
    await writeOptimizerShard(dir, step.optimizer, g.rank, g.worldSize, step.owned);
    g.barrier('optimizer shards written');
  };
  let dir: string;
  if (g.isMain) {
    dir = await saveTrainState({ ...o, optimizer: sharded ? null : step.optimizer, writeMore: sharded ? async (tmp) => { g.setStoreValue(key, tmp); await writeShard(tmp); } : undefined });
    g.setStoreValue(`${key}/published`, dir);
  } else {
    if (sharded) await writeShard(g.storeValue(key));
    dir = g.storeValue(`${key}/published`);
  }
  g.barrier('checkpoint published');
  return dir;
}
