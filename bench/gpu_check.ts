/**
 * The GPU check, run on the bare GPU machine by scripts/gpu-check.sh (with the addon, dist/ and
 * the production node_modules that scripts/gpu-prepare.sh packs). On `--device` (cuda:0 on the
 * GPU machine; cpu to try it here):
 *  1. every op family against the CPU result of the same addon (whose CPU path the test suite
 *     checks against PyTorch), values and gradients;
 *  2. an AdamW step on the device equal to the CPU one;
 *  3. a profiler trace of a small forward/backward (CUDA kernels included on a GPU);
 *  4. runSft and runGrpo (2 steps each) on a tiny world, then one GRPO step of a random-weight
 *     Qwen2.5-VL model through the trainer's functions, packed and checkpointed (`--preset 3b`:
 *     the 3B shapes in bf16; `tiny` for a CPU dry run), with seconds, tokens/s and peak memory
 *     per phase;
 *  5. the c10d process group on one device (world size 1 over a loopback store): NCCL on a
 *     CUDA device when the addon was built with it (VSR1_NCCL=1), an all-reduce and a broadcast;
 *  6. decode tokens/s at batch 1, 64 and 256 (3B shapes, bf16) against the device's bandwidth
 *     roofline (bench/gpu_decode.ts).
 * Writes JSON results (and the trace) under --out.
 *   node dist/bench/gpu_check.js --device cuda:0 --preset 3b --out $OUT
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { torch } from '../lib/index.js';
import { grpoStep3b, tinyTrainers } from './gpu_trainers.js';
import { worldOfOne } from './gpu_distributed.js';
import { decodeVsRoofline } from './gpu_decode.js';

const arg = (name: string, d: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : d; };
const device = arg('device', 'cuda:0'), preset = arg('preset', '3b'), out = arg('out', 'gpu-results');
mkdirSync(out, { recursive: true });
const results: Record<string, unknown> = { device, preset, cudaAvailable: torch.cuda.isAvailable(), build: torch.buildInfo().torchVersion };
const save = () => writeFileSync(path.join(out, 'gpu_check.json'), JSON.stringify(results, null, 2));
const now = () => performance.now() / 1000;
const sync = () => torch.cuda.synchronize();

// 1. ops: device vs CPU.
type Op = [string, (x: torch.Tensor[]) => torch.Tensor, number[][]];
const ops: Op[] = [
  ['matmul', ([a, b]) => a.matmul(b), [[64, 96], [96, 32]]],
  ['bmm', ([a, b]) => a.bmm(b), [[4, 16, 24], [4, 24, 8]]],
  ['softmax', ([a]) => a.softmax(-1), [[32, 100]]],
  ['log_softmax', ([a]) => a.logSoftmax(-1), [[32, 100]]],
  ['rms_norm', ([a, w]) => torch.rmsNorm(a, [64], w, 1e-6), [[8, 64], [64]]],
  ['layer_norm', ([a, w, b]) => torch.layerNorm(a, [64], w, b), [[8, 64], [64], [64]]],
  ['sdpa_causal_gqa', ([q, k, v]) => torch.scaledDotProductAttention(q, k, v, { isCausal: true, enableGqa: true }), [[2, 8, 33, 64], [2, 2, 33, 64], [2, 2, 33, 64]]],
  ['conv2d', ([x, w]) => torch.conv2d(x, w, null, { stride: 2, padding: 1 }), [[2, 3, 28, 28], [8, 3, 3, 3]]],
  ['silu_gelu', ([a]) => a.silu().add(a.gelu()), [[16, 64]]],
  ['cumsum_logsumexp', ([a]) => a.cumsum(1).add(a.logsumexp(1, true)), [[16, 64]]],
  ['linear', ([x, w, b]) => torch.linear(x, w, b), [[8, 64], [32, 64], [32]]],
];
const opResults: Record<string, { value: number; grad: number }> = {};
for (const [name, fn, shapes] of ops) {
  torch.scope(() => {
    torch.manualSeed(0);
    const cpu = shapes.map((s) => torch.randn(s).requiresGrad_(true));
    const dev = cpu.map((t) => t.detach().to({ device }).requiresGrad_(true));
    const yc = fn(cpu), yd = fn(dev);
    yc.sum().backward(); yd.sum().backward();
    const diff = (a: torch.Tensor, b: torch.Tensor) => a.sub(b.to({ device: 'cpu' })).abs().max().item();
    opResults[name] = { value: diff(yc, yd), grad: Math.max(...cpu.map((c, i) => diff(c.grad!, dev[i].grad!))) };
  });
}
results.ops = opResults;
results.opsMaxAbsDiff = Math.max(...Object.values(opResults).flatMap((r) => [r.value, r.grad]));
save();

// 2. AdamW on the device equals the CPU step.
results.adamw = torch.scope(() => {
  torch.manualSeed(1);
  const pc = torch.randn([256, 64]).requiresGrad_(true), g = torch.randn([256, 64]);
  const pd = pc.detach().to({ device }).requiresGrad_(true);
  const oc = new torch.AdamW([pc], { lr: 1e-2 }), od = new torch.AdamW([pd], { lr: 1e-2 });
  for (let s = 0; s < 5; s++) { pc.grad = g.clone(); pd.grad = g.to({ device }); oc.step(); od.step(); }
  return { maxAbsDiff: pc.sub(pd.to({ device: 'cpu' })).abs().max().item() };
});
save();

// 3. profiler trace.
await torch.profile({ tracePath: path.join(out, 'trace.json'), cuda: true }, () => torch.scope(() => {
  const a = torch.randn([512, 512], { device }).requiresGrad_(true);
  torch.range('vsr1.gpu_check', () => a.matmul(a).softmax(-1).sum().backward());
  sync();
}));
results.trace = 'trace.json';
save();

// 4. The code users run: runSft and runGrpo on a tiny world, then the 3B-shaped GRPO step through
// the trainer's own functions (bench/gpu_trainers.ts). Each result is saved as soon as it exists.
const put = (key: string, value: unknown) => { results[key] = value; save(); };
try {
  await tinyTrainers(out, device, put);
} catch (e) {
  put('tinyTrainersError', String((e as Error).stack ?? e));
}
await grpoStep3b(device, preset, put);

// 5. NCCL (or Gloo on the CPU) at world size 1: initialisation, an all-reduce and a broadcast.
try {
  put('distributed', await worldOfOne(device));
} catch (e) {
  put('distributedError', String((e as Error).stack ?? e));
}

// 6. Decode tokens/s at batch 1, 64, 256 against the device's bandwidth roofline (eager).
try {
  put('decode', await decodeVsRoofline(device, preset));
} catch (e) {
  put('decodeError', String((e as Error).stack ?? e));
}
console.log(JSON.stringify(results, null, 2));
