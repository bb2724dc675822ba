/**
 * Data-parallel scaling of world GRPO: the same steps of configs/world_train.yaml in one process
 * (1 thread) and as 2 ranks over loopback Gloo (`vsr1 launch`, 1 thread each), alternating,
 * `--runs` times each. Per run: the median seconds per RL step (steps after the first), and on
 * 2 ranks the gradient/weight bytes each rank hands to collectives per step. Scaling efficiency
 * = (steps/s on 2 ranks) / (2 × steps/s on 1). Both use the same global batch, so the work per
 * step is the same and the 2-rank run splits it.
 *   npx tsx bench/distributed.ts --model runs/world/sft/latest_model --data runs/world/data --steps 8 --runs 3
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median } from './stats.js';

const arg = (name: string, d: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : d; };
const model = arg('model', 'runs/world/sft/latest_model'), data = arg('data', 'runs/world/data');
const steps = Number(arg('steps', '8')), runs = Number(arg('runs', '3')), config = arg('config', 'configs/world_train.yaml');
const root = mkdtempSync(path.join(tmpdir(), 'vsr1-bench-dp-'));

function trainArgs(run: string, world: number): string[] {
  return [
    'train', '--config', config, '--threads', '1',
    `worker.actor.model.model_path=${model}`, `data.train_files=${path.join(data, 'rl.jsonl')}`, `data.val_files=${path.join(data, 'val.jsonl')}`,
    `trainer.max_steps=${steps}`, 'trainer.val_freq=-1', 'trainer.val_before_train=false', 'trainer.save_freq=-1', 'trainer.logger=[jsonl]',
    `trainer.n_gpus_per_node=${world}`, `trainer.save_checkpoint_path=${path.join(root, run)}`,
  ];
}

function once(run: string, world: number): { stepS: number; bytes: number | null; wallS: number } {
  const cli = ['--import', 'tsx', 'lib/cli/main.ts'];
  const args = world === 1 ? [...cli, ...trainArgs(run, 1)] : [...cli, 'launch', '--nproc-per-node', String(world), '--threads-per-rank', '1', '--', ...trainArgs(run, world)];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`${run} failed:\n${r.stderr}\n${r.stdout.slice(-3000)}`);
  const rows = readFileSync(path.join(root, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>).filter((m) => m['timing_s/step'] !== undefined);
  const later = rows.slice(1);
  return { stepS: median(later.map((m) => m['timing_s/step'])), bytes: later[0]?.['dist/bytes_per_step'] ?? null, wallS: (performance.now() - t0) / 1000 };
}

const one: number[] = [], two: number[] = [];
let bytes: number | null = null;
for (let k = 0; k < runs; k++) {
  const a = once(`one-${k}`, 1), b = once(`two-${k}`, 2);
  one.push(a.stepS);
  two.push(b.stepS);
  bytes = b.bytes;
  console.log(`run ${k + 1}: 1 process ${a.stepS.toFixed(3)} s/step (${a.wallS.toFixed(0)} s wall), 2 ranks ${b.stepS.toFixed(3)} s/step (${b.wallS.toFixed(0)} s wall), ${b.bytes} B/step/rank`);
}
const m1 = median(one), m2 = median(two);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}`;
console.log(`\nworld GRPO, ${steps} steps, ${config}`);
console.log(`1 process, 1 thread: ${(1 / m1).toFixed(3)} steps/s (median ${m1.toFixed(3)} s/step, range ${spread(one)})`);
console.log(`2 ranks, 1 thread each: ${(1 / m2).toFixed(3)} steps/s (median ${m2.toFixed(3)} s/step, range ${spread(two)})`);
console.log(`speed-up ${(m1 / m2).toFixed(2)}x, scaling efficiency ${((m1 / m2) / 2 * 100).toFixed(0)}%; communicated ${bytes === null ? 'n/a' : `${(bytes / 1e6).toFixed(2)} MB`} per rank per step`);
