/**
 * What sampling costs per decode step in our engine: greedy, sampled at T 1, and sampled with
 * top-p 0.99 (the GRPO default), 16 prompts x 8 samples, 64 new tokens, no stops, on the rollout
 * bench model. Ours only (a cost breakdown, not a comparison); median and range over RUNS.
 *   OMP_NUM_THREADS=2 npx tsx bench/sampling.ts [runs=3]
 */
import { torch } from '../lib/index.js';
import { median } from './stats.js';
import { benchPrompts, rolloutBenchModel } from './rollout_model.js';

const RUNS = Number(process.argv[2] ?? 3);
const THREADS = Number(process.env.OMP_NUM_THREADS ?? 2);
torch.setNumThreads(THREADS);
const NEW = 64;
const model = rolloutBenchModel();
const req = { inputIds: benchPrompts(16, 32), n: 8, maxNewTokens: NEW, stopTokenIds: [] as number[], seed: 3 };
const modes = { greedy: { greedy: true }, 'T 1': { temperature: 1 }, 'T 1, top-p 0.99': { temperature: 1, topP: 0.99 } } as const;
const ms: Record<string, number[]> = {};
await model.generate({ ...req, greedy: true }); // warm-up
for (let r = 0; r < RUNS; r++) {
  for (const [name, extra] of Object.entries(modes)) {
    const t = performance.now();
    await model.generate({ ...req, ...extra });
    (ms[name] ??= []).push((performance.now() - t) / NEW);
  }
}
console.log(`\nsampling cost, 4x256 model (vocab 4096), 128 rows, ${NEW} steps, ${THREADS} threads, ${RUNS} runs: ms per decode step, median (range)`);
for (const [name, xs] of Object.entries(ms)) console.log(`${name.padEnd(18)} ${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`);
model.dispose();
