/**
 * Decode throughput: our C++ engine (batched prefill + KV-cache decode) against Hugging Face
 * transformers `generate` (greedy, KV cache) on the same checkpoint, in the same run.
 * Prints tokens/s at batch 1 and 16 and prefill time; figures are the best of `repeats` inside a
 * run, the median over RUNS alternating runs. Target (bench/README.md): ours/peer >= 2x tokens/s.
 * Ours runs twice per round, with oneDNN weight packing (the default) and without it, so the gain
 * of packing is measured in the same run.
 * Each figure is also set against the machine's roofline (bench/roofline.ts): a greedy decode step
 * reads every weight once and each row's KV cache, so at batch 1 neither side can beat
 * bytes / bandwidth however little overhead it has.
 *   OMP_NUM_THREADS=2 npx tsx bench/decode.ts [runs=3]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { torch } from '../lib/index.js';
import { parseQwenConfig } from '../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import { median, runPeer } from './stats.js';
import { decodeRoofline, decoderWeights, measureRoofline } from './roofline.js';

const RUNS = Number(process.argv[2] ?? 3);
const THREADS = Number(process.env.OMP_NUM_THREADS ?? 2);
process.env.OMP_NUM_THREADS = String(THREADS);
torch.setNumThreads(THREADS);
const PROMPT = 64, NEW = 32, BATCHES = [1, 16], REPEATS = 3;

const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 4096, hidden_size: 512, intermediate_size: 1408, num_hidden_layers: 8,
  num_attention_heads: 8, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true,
  rope_scaling: { type: 'mrope', mrope_section: [8, 12, 12] }, image_token_id: 4090, video_token_id: 4091,
  vision_start_token_id: 4092, vision_end_token_id: 4093, eos_token_id: 4094, pad_token_id: 4095,
  vision_config: { depth: 2, hidden_size: 64, intermediate_size: 128, num_heads: 2, out_hidden_size: 512, fullatt_block_indexes: [1] },
}, 'bench config');
const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-decode-'));
const model = QwenVLModel.fromConfig(cfg, { seed: 1, initStd: 0.05 });
model.save(dir);

/** Ours with oneDNN weight packing on (the default) or off (libtorch's default CPU matmul). */
async function runOurs(packed: boolean): Promise<Record<number, { tps: number; prefill: number }>> {
  torch.setWeightPacking(packed);
  const out: Record<number, { tps: number; prefill: number }> = {};
  const g = new torch.Generator(0);
  for (const b of BATCHES) {
    const ids = torch.randint(0, 500, [b, PROMPT], { generator: g });
    const rows = (ids.toArray() as number[][]);
    await model.generate({ inputIds: rows, maxNewTokens: NEW, greedy: true, stopTokenIds: [] }); // warm-up
    let best = Infinity, prefill = Infinity;
    for (let r = 0; r < REPEATS; r++) {
      let t = process.hrtime.bigint();
      torch.scope(() => torch.noGrad(() => model.forward({ inputIds: ids })));
      prefill = Math.min(prefill, Number(process.hrtime.bigint() - t) / 1e9);
      t = process.hrtime.bigint();
      const o = await model.generate({ inputIds: rows, maxNewTokens: NEW, greedy: true, stopTokenIds: [] });
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
      if (o.sequences.some((s) => s.length !== NEW)) throw new Error('engine stopped early');
    }
    out[b] = { tps: (b * NEW) / best, prefill };
    ids.dispose();
  }
  torch.setWeightPacking(true);
  return out;
}

type Peer = { results: Array<{ batch: number; prefill_s: number; tokens_per_s: number }> };
const unpacked: Record<number, number[]> = {}, ours: Record<number, number[]> = {}, peer: Record<number, number[]> = {}, oursPre: Record<number, number[]> = {}, peerPre: Record<number, number[]> = {};
for (let r = 0; r < RUNS; r++) {
  const o = await runOurs(true);
  const u = await runOurs(false);
  const p = runPeer<Peer>('scripts/oracle/qwen_model.py', ['bench', dir], ) as Peer;
  for (const b of BATCHES) {
    (ours[b] ??= []).push(o[b].tps); (unpacked[b] ??= []).push(u[b].tps); (oursPre[b] ??= []).push(o[b].prefill);
    const pr = p.results.find((x) => x.batch === b)!;
    (peer[b] ??= []).push(pr.tokens_per_s); (peerPre[b] ??= []).push(pr.prefill_s);
  }
}
console.log(`\ndecode, Qwen2.5-VL-arch 8x512 (vocab 4096), prompt ${PROMPT}, ${NEW} new tokens, greedy, fp32, ${THREADS} threads, median of ${RUNS} runs`);
console.log(`${'batch'.padEnd(6)} ${'ours tok/s'.padStart(11)} ${'unpacked'.padStart(9)} ${'HF tok/s'.padStart(10)} ${'ours/HF'.padStart(8)} ${'unpacked/HF'.padStart(12)} ${'ours prefill ms'.padStart(16)} ${'HF prefill ms'.padStart(14)}`);
for (const b of BATCHES) {
  const o = median(ours[b]), u = median(unpacked[b]), p = median(peer[b]);
  console.log(`${String(b).padEnd(6)} ${o.toFixed(1).padStart(11)} ${u.toFixed(1).padStart(9)} ${p.toFixed(1).padStart(10)} ${(o / p).toFixed(2).padStart(8)} ${(u / p).toFixed(2).padStart(12)} ${(median(oursPre[b]) * 1e3).toFixed(1).padStart(16)} ${(median(peerPre[b]) * 1e3).toFixed(1).padStart(14)}`);
  const perRun = ours[b].map((x, i) => x / peer[b][i]);
  console.log(`       ours/HF per run: ${perRun.map((x) => x.toFixed(2)).join(', ')}`);
}
console.log('unpacked: the same engine with torch.setWeightPacking(false), libtorch\'s default CPU matmul');
// The roofline of a decode step of this model: fp32 weights read once per step; each row reads
// its KV over the mean context of the decode.
const { weights, kvElementsPerColumn } = decoderWeights(cfg.text);
const roof = measureRoofline();
console.log(`\nroofline: read bandwidth ${(roof.bytesPerSec / 1e9).toFixed(1)} GB/s, fp32 matmul ${(roof.flopsPerSec / 1e9).toFixed(1)} GFLOP/s (${THREADS} threads); decode weights ${(weights / 1e6).toFixed(1)} M (${(4 * weights / 1e6).toFixed(0)} MB per step)`);
for (const b of BATCHES) {
  const r = decodeRoofline(roof, { weightBytes: 4 * weights, weights, kvBytesPerColumn: 4 * kvElementsPerColumn, rows: b, context: PROMPT + NEW / 2 });
  console.log(`batch ${b}: roofline ${r.tokensPerSec.toFixed(0)} tok/s (${r.bound}-bound); ours at ${(100 * median(ours[b]) / r.tokensPerSec).toFixed(0)}% of it, HF at ${(100 * median(peer[b]) / r.tokensPerSec).toFixed(0)}%`);
}
model.dispose();
