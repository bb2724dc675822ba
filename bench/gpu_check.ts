/**
 * The GPU check (../shared/docs/GPU.md), runnable with no npm packages: only the addon and
 * dist/lib/{torch,models,rl/grpo}. On `--device` (cuda:0 on the GPU machine; cpu to try it here):
 *  1. every op family against the CPU result of the same addon (whose CPU path the test suite
 *     checks against PyTorch), values and gradients;
 *  2. an AdamW step on the device equal to the CPU one;
 *  3. a profiler trace of a small forward/backward (CUDA kernels included on a GPU);
 *  4. one GRPO step (rollout, self-reward pass, reference log-probs, update) on a random-weight
 *     Qwen2.5-VL model (`--preset 3b`: the 3B shapes in bf16; `tiny` for a CPU dry run),
 *     with seconds per phase and tokens/s.
 * Writes JSON results (and the trace) under --out.
 *   node dist/bench/gpu_check.js --device cuda:0 --preset 3b --out $OUT
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { torch } from '../lib/index.js';
import { parseQwenConfig } from '../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import { grpoAdvantages, grpoMicroBatchLoss } from '../lib/grpo/index.js';

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

// 4. one GRPO step on a random-weight model.
const shapes = preset === '3b'
  ? { vocab_size: 151936, hidden_size: 2048, intermediate_size: 11008, num_hidden_layers: 36, num_attention_heads: 16, num_key_value_heads: 2, mrope: [16, 24, 24], vision: { depth: 32, hidden_size: 1280, intermediate_size: 3420, num_heads: 16, out_hidden_size: 2048, fullatt_block_indexes: [7, 15, 23, 31] }, tie: true }
  : { vocab_size: 1024, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, mrope: [2, 3, 3], vision: { depth: 2, hidden_size: 32, intermediate_size: 64, num_heads: 2, out_hidden_size: 64, fullatt_block_indexes: [1] }, tie: true };
const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: shapes.vocab_size, hidden_size: shapes.hidden_size, intermediate_size: shapes.intermediate_size,
  num_hidden_layers: shapes.num_hidden_layers, num_attention_heads: shapes.num_attention_heads, num_key_value_heads: shapes.num_key_value_heads,
  tie_word_embeddings: shapes.tie, rope_scaling: { type: 'mrope', mrope_section: shapes.mrope }, image_token_id: shapes.vocab_size - 10,
  vision_start_token_id: shapes.vocab_size - 9, vision_end_token_id: shapes.vocab_size - 8, video_token_id: shapes.vocab_size - 7,
  eos_token_id: shapes.vocab_size - 2, pad_token_id: shapes.vocab_size - 1, vision_config: shapes.vision,
});
const dtype = preset === '3b' ? 'bfloat16' : 'float32';
const t0 = now();
const model = QwenVLModel.fromConfig(cfg, { dtype, device, seed: 0, initStd: 0.02 });
const params = model.setTrainable(() => true);
const opt = new torch.AdamW(params, { lr: 1e-6, weightDecay: 1e-2 });
sync();
const phases: Record<string, number> = { init: now() - t0 };
const B = preset === '3b' ? 8 : 2, n = 4, maxNew = preset === '3b' ? 256 : 16, grid = [1, 28, 28], pads = (28 * 28) / 4;
const img = cfg.imageTokenId;
const prompts = Array.from({ length: B }, (_, b) => [1, 2, 3 + b, cfg.visionStartTokenId, ...Array(pads).fill(img), cfg.visionEndTokenId, 10, 11, 12]);
const pixels = torch.randn([B * 28 * 28, 1176], { device });
let t = now();
const gen = await model.generate({ inputIds: prompts, pixelValues: pixels, imageGridThw: prompts.map(() => grid), n, maxNewTokens: maxNew, temperature: 1, topP: 0.99, logitBias: { [img]: -100 }, stopTokenIds: [], seed: 1 });
sync(); phases.rollout = now() - t;
const newTokens = gen.sequences.reduce((a, s) => a + s.length, 0);
t = now();
const pass2 = await model.generate({ inputIds: gen.sequences.map((s) => [1, 2, ...s.slice(0, 64), 10]), n: 1, maxNewTokens: maxNew, temperature: 1, topP: 0.99, stopTokenIds: [], seed: 2 });
sync(); phases.pass2 = now() - t;
const rewards = gen.sequences.map((_, i) => (i * 7919) % 3);
const adv = grpoAdvantages(rewards, gen.sequences.map((_, i) => Math.floor(i / n)));
// Sequences: prompt (with image) + response, right-aligned prompts have equal length here.
const seqs = gen.sequences.map((s, i) => [...prompts[Math.floor(i / n)], ...s]);
const Lp = prompts[0].length, R = maxNew;
const micro = preset === '3b' ? 4 : 4;
t = now();
const refLp: torch.Tensor[] = [];
for (let s = 0; s < seqs.length; s += micro) {
  refLp.push(torch.noGrad(() => torch.scope(() => {
    const ids = torch.tensor(seqs.slice(s, s + micro), { device });
    const px = torch.randn([Math.min(micro, seqs.length - s) * 28 * 28, 1176], { device });
    return model.logProbs({ inputIds: ids, pixelValues: px, imageGridThw: Array(Math.min(micro, seqs.length - s)).fill(grid) }, ids.narrow(1, Lp, R), Lp).logProbs;
  })));
}
sync(); phases.logprobs = now() - t;
t = now();
for (let s = 0; s < seqs.length; s += micro) {
  torch.scope(() => {
    const m = Math.min(micro, seqs.length - s);
    const ids = torch.tensor(seqs.slice(s, s + m), { device });
    const px = torch.randn([m * 28 * 28, 1176], { device });
    const { logProbs, entropy } = model.logProbs({ inputIds: ids, pixelValues: px, imageGridThw: Array(m).fill(grid) }, ids.narrow(1, Lp, R), Lp, { entropy: true });
    const mask = torch.ones([m, R], { device });
    const { loss } = grpoMicroBatchLoss({ logProbs, oldLogProbs: logProbs.detach(), refLogProbs: refLp[s / micro], advantages: torch.tensor(adv.slice(s, s + m), { device, dtype: 'float32' }),
      responseMask: mask, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: Math.ceil(seqs.length / micro) }, entropy });
    loss.backward();
  });
}
const norm = torch.clipGradNorm(params, 1.0);
if (norm.finite) opt.step();
opt.zeroGrad();
sync(); phases.update = now() - t;
results.grpo = {
  params: params.reduce((a, p) => a + p.numel(), 0), dtype, prompts: B, n, maxNewTokens: maxNew, seconds: phases,
  rolloutTokensPerS: newTokens / phases.rollout, gradNorm: norm.norm,
  updateTokensPerS: (seqs.length * (Lp + R)) / phases.update,
  memory: torch.cuda.memoryStats(0),
};
save();
console.log(JSON.stringify(results, null, 2));
