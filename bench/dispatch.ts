/**
 * Per-op dispatch cost on small tensors (8x8): ours (TS -> N-API -> libtorch) against PyTorch
 * eager from Python on the same libtorch. Runs alternate between the two, `RUNS` times; each
 * figure is the median ns/op. Target (bench/README.md): ratio <= 1.0.
 *   npx tsx bench/dispatch.ts [runs=5] [iters=20000]
 */
import { torch } from '../lib/index.js';
import { median, printRatios, runPeer } from './stats.js';

const RUNS = Number(process.argv[2] ?? 5);
const N = Number(process.argv[3] ?? 20000);
torch.setNumThreads(1);
const a = torch.randn([8, 8]);
const b = torch.randn([8, 8]);
const idx = torch.tensor([0, 3, 5, 7]);
// Each op's result is disposed at once, as a scope would: that is the steady-state cost.
const cases: Record<string, () => torch.Tensor> = {
  add: () => a.add(b),
  add_scalar: () => a.add(1.5),
  matmul: () => a.matmul(b),
  softmax: () => a.softmax(-1),
  index_select: () => a.indexSelect(0, idx),
  narrow: () => a.narrow(0, 1, 4),
};

function runOurs(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 2000; i++) fn().dispose();
    const t = process.hrtime.bigint();
    torch.scope(() => { for (let i = 0; i < N; i++) fn(); });
    out[name] = Number(process.hrtime.bigint() - t) / N;
  }
  return out;
}

const ours: Record<string, number[]> = {};
const peer: Record<string, number[]> = {};
for (let r = 0; r < RUNS; r++) {
  const o = runOurs();
  const p = runPeer<Record<string, number>>('bench/peer_dispatch.py', ['1', String(N)]);
  for (const k of Object.keys(cases)) {
    (ours[k] ??= []).push(o[k]);
    (peer[k] ??= []).push(p[k]);
  }
}
printRatios(`per-op dispatch, 8x8 fp32, 1 thread, median of ${RUNS} runs x ${N} ops`, 'ns/op',
  Object.keys(cases).map((k) => ({ name: k, ours: median(ours[k]), peer: median(peer[k]) })));
