/**
 * Optimizer state of a sharded data-parallel run in a checkpoint (docs/distributed.md): each
 * rank writes the AdamW state of the parameters it owns, `optimizer-rank<r>.safetensors`, with
 * `optimizer-rank<r>.json` naming them by their index in the trainable-parameter list. A run
 * on another world size (or with another sharding, or in one process) takes each parameter's
 * state from whichever file holds it, so a checkpoint outlives a change of world size. An
 * unsharded checkpoint's `optimizer.safetensors` is read the same way (its index is the list's).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../torch/index.js';

const SHARD_RE = /^optimizer-rank(\d+)\.json$/;

interface ShardIndex {
  format: 'vsr1-optimizer-shard-v1';
  rank: number;
  world_size: number;
  /** Index in the trainable-parameter list of each parameter the file holds, in its order. */
  params: number[];
  numels: number[];
}

/** Writes this rank's shard: `owned[i]` is the list index of the optimizer's i-th parameter. */
export async function writeOptimizerShard(dir: string, opt: torch.AdamW, rank: number, worldSize: number, owned: readonly number[]): Promise<void> {
  await opt.saveAsync(join(dir, `optimizer-rank${rank}.safetensors`));
  const index: ShardIndex = { format: 'vsr1-optimizer-shard-v1', rank, world_size: worldSize, params: [...owned], numels: opt.params.map((p) => p.numel()) };
  writeFileSync(join(dir, `optimizer-rank${rank}.json`), JSON.stringify(index));
}

/** Whether a checkpoint folder holds sharded optimizer state. */
export function hasOptimizerShards(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => SHARD_RE.test(f));
}

/** Where each parameter's state is: file and index there, by list index. */
function shardLocations(dir: string): Map<number, { file: string; local: number; numel: number }> {
  const where = new Map<number, { file: string; local: number; numel: number }>();
  const files = readdirSync(dir).filter((f) => SHARD_RE.test(f)).sort();
  const worlds = new Set<number>();
  for (const f of files) {
    const ix = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ShardIndex;
    if (ix.format !== 'vsr1-optimizer-shard-v1') throw new Error(`${join(dir, f)}: not an optimizer shard index (format '${ix.format}')`);
    worlds.add(ix.world_size);
    ix.params.forEach((g, local) => where.set(g, { file: join(dir, f.replace(/\.json$/, '.safetensors')), local, numel: ix.numels[local] }));
  }
  const [world] = [...worlds];
  if (worlds.size !== 1 || files.length !== world) throw new Error(`checkpoint ${dir}: optimizer shards of ${files.length} rank(s) for world size(s) ${[...worlds].join(', ')}; the checkpoint is incomplete`);
  return where;
}

/**
 * Loads, into `opt`, the state of its parameters (list indices `owned`) from a checkpoint's
 * shards, whatever world size wrote them. Returns whether fp32 master weights were restored.
 */
export function loadOptimizerShards(dir: string, opt: torch.AdamW, owned: readonly number[]): { masters: boolean } {
  const where = shardLocations(dir);
  const files = new Map<string, { tensors: Map<string, torch.Tensor>; steps: number[]; groups: torch.AdamW['groups'] }>();
  const open = (file: string) => {
    let f = files.get(file);
    if (!f) {
      const meta = torch.SafetensorsFile.open(file).metadata;
      f = { tensors: torch.loadSafetensors(file), steps: JSON.parse(meta.steps) as number[], groups: JSON.parse(meta.groups) as torch.AdamW['groups'] };
      files.set(file, f);
    }
    return f;
  };
  try {
    const entries = owned.map((g, i) => {
      const at = where.get(g);
      if (!at) throw new Error(`checkpoint ${dir}: no optimizer shard holds parameter ${g}`);
      if (at.numel !== opt.params[i].numel()) throw new Error(`checkpoint ${dir}: parameter ${g} has ${at.numel} elements in the shard, ${opt.params[i].numel()} here`);
      const f = open(at.file);
      return { step: f.steps[at.local], expAvg: f.tensors.get(`exp_avg.${at.local}`) ?? null, expAvgSq: f.tensors.get(`exp_avg_sq.${at.local}`) ?? null, master: f.tensors.get(`master.${at.local}`) ?? null };
    });
    opt.setStateEntries(entries);
    const first = files.values().next().value;
    if (first) first.groups.forEach((g, i) => { if (opt.groups[i]) opt.setGroup(i, { lr: g.lr, weightDecay: g.weightDecay }); });
    return { masters: entries.some((e) => e.master !== null) };
  } finally {
    for (const f of files.values()) for (const t of f.tensors.values()) t.dispose();
  }
}

/** A whole-list optimizer.safetensors as shards of one rank (loading it into a sharded run). */
export function loadWholeOptimizerInto(file: string, opt: torch.AdamW, owned: readonly number[]): { masters: boolean } {
  const meta = torch.SafetensorsFile.open(file).metadata;
  const steps = JSON.parse(meta.steps) as number[];
  const ts = torch.loadSafetensors(file);
  try {
    const entries = owned.map((g) => {
      if (g >= steps.length) throw new Error(`${file}: state for ${steps.length} parameters, this run has parameter ${g}`);
      return { step: steps[g], expAvg: ts.get(`exp_avg.${g}`) ?? null, expAvgSq: ts.get(`exp_avg_sq.${g}`) ?? null, master: ts.get(`master.${g}`) ?? null };
    });
    opt.setStateEntries(entries);
    (JSON.parse(meta.groups) as torch.AdamW['groups']).forEach((g, i) => { if (opt.groups[i]) opt.setGroup(i, { lr: g.lr, weightDecay: g.weightDecay }); });
    return { masters: entries.some((e) => e.master !== null) };
  } finally {
    for (const t of ts.values()) t.dispose();
  }
}
