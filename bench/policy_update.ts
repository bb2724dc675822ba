/**
 * The GRPO policy update itself (the trainer's own policyUpdate: packed or padded micro-batches,
 * log-probs at the rollout temperature, dual-clip PPO + low_var_kl loss, backward, clipping,
 * AdamW) on a world-sized batch: the built-in world's prompts (image + question, the world
 * see-think prompt) for 16 prompts x 8 samples, responses of 20-60 tokens, micro-batches of 32,
 * one optimizer step, the tiny world model's shapes (fp32, CPU). The peer is the same update
 * written in PyTorch eager on transformers (sdpa, padded) on the same libtorch, fed the same
 * prompts, pixels, responses, advantages and reference log-probs.
 * Target (bench/README.md): ours/peer <= 0.8.
 *   npx tsx bench/policy_update.ts [runs=3] [steps=3] [threads=2]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { torch } from '../lib/index.js';
import { VisionDataset } from '../lib/data/dataset.js';
import { loadStack } from '../lib/rollout/model_stack.js';
import { encodePass1 } from '../lib/rollout/rollout.js';
import { worldSeeThinkTemplate } from '../lib/prompts/world.js';
import { concatPixelValues } from '../lib/rollout/collate.js';
import { DecodedImageCache } from '../lib/rollout/image_cache.js';
import { policyUpdate } from '../lib/train/grpo/policy_update.js';
import { splitSizes, synthesizeWorld } from '../lib/world/synth.js';
import { createTinyCheckpoint } from '../lib/world/tiny_checkpoint.js';
import { median, peerEnv } from './stats.js';

const RUNS = Number(process.argv[2] ?? 3), STEPS = Number(process.argv[3] ?? 3), THREADS = Number(process.argv[4] ?? 2);
const PROMPTS = 16, N = 8, MICRO = 32, T = 1.0;
process.env.OMP_NUM_THREADS = String(THREADS);
torch.setNumThreads(THREADS);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'vsr1-bench-pu-'));
await synthesizeWorld({ out: path.join(root, 'world'), sizes: splitSizes(200), settings: { seed: 1, prior: 0.8 } });
const ckpt = createTinyCheckpoint(path.join(root, 'model'), { seed: 0 });

// The batch: world prompts (each repeated n times, as a rollout's samples are), random responses.
const stack = await loadStack({ weightsDir: ckpt, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
const ds = await VisionDataset.load({ files: path.join(root, 'world', 'rl.jsonl') });
const images = new DecodedImageCache();
const examples = await ds.getBatch([...Array(PROMPTS).keys()]);
const items = await Promise.all(examples.map(async (e) => ({ problem: e.problem, answer: e.answer, images: await images.getAll(e.images, e.id) })));
const encoded = await encodePass1(stack.encoder, items, worldSeeThinkTemplate);
const prompts = encoded.flatMap((p) => Array(N).fill(p));
let seed = 7;
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
const vocab = stack.model.config.text.vocabSize, imEnd = stack.tokenizer.specialIds.imEnd, pad = stack.model.config.imageTokenId;
const responses = prompts.map(() => [...Array.from({ length: 19 + Math.floor(rand() * 41) }, () => { let t; do t = Math.floor(rand() * (vocab - 8)); while (t === pad); return t; }), imEnd]);
const advantages = prompts.map(() => rand() * 2 - 1);
const refLogProbs = responses.map((r) => Float32Array.from(r, () => -3 - rand()));
stack.model.dispose();

// The same batch for the peer: token ids, grids, advantages, ref log-probs (JSON) and pixels (safetensors).
const pixels = concatPixelValues(encoded)!;
torch.saveSafetensors(path.join(root, 'pixels.safetensors'), new Map([['pixel_values', pixels]]));
pixels.dispose();
writeFileSync(path.join(root, 'batch.json'), JSON.stringify({
  prompts: encoded.map((p) => p.ids), grids: encoded.map((p) => p.imageGridThw), n: N, responses, advantages, ref: refLogProbs.map((r) => [...r]), micro: MICRO, temperature: T,
}));

async function ours(packed: boolean): Promise<number[]> {
  const st = await loadStack({ weightsDir: ckpt, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
  const params = st.model.setTrainable(() => true);
  const opt = new torch.AdamW(params, { lr: 1e-6, weightDecay: 0.01 });
  const c = st.model.config;
  const settings = {
    miniBatch: PROMPTS * N, microBatch: MICRO, packed, clip: { low: 0.2, high: 0.3, dual: 3 }, kl: { coef: 0.01, type: 'low_var_kl' as const }, aggregation: 'micro-token-mean' as const,
    maxGradNorm: 1, temperature: T, collate: { padId: c.padTokenId, imageTokenId: c.imageTokenId, mergeSize: c.vision.spatialMergeSize, maxResponseLength: 64 },
  };
  const ms: number[] = [];
  for (let s = 0; s < STEPS + 1; s++) {
    const t0 = performance.now();
    await policyUpdate(st.model, opt, { prompts, responses, advantages, oldLogProbs: null, refLogProbs }, settings);
    if (s > 0) ms.push(performance.now() - t0);
  }
  opt.dispose();
  st.model.dispose();
  return ms;
}

function peer(): number[] {
  const r = spawnSync(process.env.VSR1_PYTHON ?? 'python3', [path.join(here, 'peer_policy_update.py'), ckpt, root, String(STEPS), String(THREADS)], { encoding: 'utf8', maxBuffer: 1 << 26, env: peerEnv() });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { ms: number[] }).ms;
}

const res = { packed: [] as number[], padded: [] as number[], peer: [] as number[] };
for (let k = 0; k < RUNS; k++) {
  res.packed.push(median(await ours(true)));
  res.padded.push(median(await ours(false)));
  res.peer.push(median(peer()));
}
const tokens = prompts.reduce((a, p, i) => a + p.ids.length + responses[i].length, 0);
console.log(`GRPO policy update, world batch ${PROMPTS}x${N} = ${prompts.length} samples (${tokens} tokens, prompts ${encoded[0].ids.length} tokens incl. 16 image tokens), micro ${MICRO}, tiny world model fp32, ${THREADS} threads; median of ${RUNS} runs x ${STEPS} steps`);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
for (const [k, v] of Object.entries(res)) console.log(`${k.padEnd(8)} ${median(v).toFixed(0).padStart(7)} ms/step (runs ${spread(v)})`);
console.log(`ours packed / transformers ${(median(res.packed) / median(res.peer)).toFixed(3)}; ours padded / transformers ${(median(res.padded) / median(res.peer)).toFixed(3)}`);
