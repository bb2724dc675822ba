/**
 * A GRPO-shaped rollout through our engine, static batch against compaction of stopped rows, and
 * under a budget of a quarter of the rows at once, consecutive waves (with compaction) against
 * continuous batching (that many decode slots, refilled as rows stop), and
 * against transformers `generate` on the same checkpoint and request (bench/peer_rollout.py):
 * prompts (64 by default, the issue's GRPO shape) x 8 samples at temperature 1, response lengths long-tailed (a logit bias on the stop
 * token makes stopping a ~1/40 chance per step, capped at MAX_NEW). Both modes give the same
 * tokens (test/model/batch_independence.test.ts); this measures the work and time.
 * Prints tokens/s, the share of decoder rows that were live, the ratio compact/static, and ours
 * (compact) against transformers in tokens/s (the lengths are random on both sides, so throughput
 * is the comparable figure); alternating runs, median and range over RUNS.
 * Continuous batching copies each prompt's keys/values into every slot its samples take, instead
 * of sharing one copy: the bench prints those bytes and the seconds they took against the rollout.
 *   OMP_NUM_THREADS=2 npx tsx bench/rollout.ts [runs=5] [prompts=64]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { torch } from '../lib/index.js';
import { benchPrompts, EOS, rolloutBenchModel } from './rollout_model.js';
import { median, runPeer } from './stats.js';

const RUNS = Number(process.argv[2] ?? 5);
const THREADS = Number(process.env.OMP_NUM_THREADS ?? 2);
torch.setNumThreads(THREADS);
const PROMPTS = Number(process.argv[3] ?? 64), N = 8, PROMPT_LEN = 32, MAX_NEW = 128;

const model = rolloutBenchModel();
const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-rollout-'));
model.save(dir);
const prompts = benchPrompts(PROMPTS, PROMPT_LEN);
// Near-uniform logits over 4096 tokens: exp(4.65) ~ 105 makes the stop token ~1/40 of the mass.
const request = { inputIds: prompts, n: N, maxNewTokens: MAX_NEW, temperature: 1, topP: 1, stopTokenIds: [EOS], logitBias: { [EOS]: 4.65, 4090: -100 }, seed: 7 };

const MODES = ['static', 'compact', 'waves', 'continuous'] as const;
type Mode = (typeof MODES)[number];
/** The budgeted modes hold a quarter of the rows at once. */
const SLOTS = (PROMPTS * N) / 4;

async function generateAs(mode: Mode) {
  if (mode === 'static' || mode === 'compact') return [await model.generate({ ...request, compactFinished: mode === 'compact' })];
  if (mode === 'continuous') return [await model.generate({ ...request, maxRows: SLOTS })];
  const per = SLOTS / N, outs = [];
  for (let a = 0; a < PROMPTS; a += per) outs.push(await model.generate({ ...request, inputIds: prompts.slice(a, a + per), firstSequenceId: a * N }));
  return outs;
}

async function once(mode: Mode) {
  const t = process.hrtime.bigint();
  const outs = await generateAs(mode);
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  const sequences = outs.flatMap((o) => o.sequences), decodedRows = outs.reduce((a, o) => a + o.decodedRows, 0);
  const tokens = sequences.reduce((a, s) => a + s.length, 0);
  // Each row's last token needs no decoder pass after it: live work is tokens minus rows.
  const copy = { bytes: outs.reduce((a, o) => a + o.promptCopy.bytes, 0), seconds: outs.reduce((a, o) => a + (o.promptCopy.seconds ?? NaN), 0) };
  return { secs, tokens, tps: tokens / secs, live: (tokens - sequences.length) / decodedRows, lengths: sequences.map((s) => s.length), copy };
}

type PeerRuns = { runs: Array<{ secs: number; tokens: number }> };
const peerRequest = JSON.stringify({ prompts, n: N, max_new: MAX_NEW, eos: EOS, pad: 4095, bias: [[EOS, 4.65], [4090, -100]], seed: 7, repeats: 1 });
const peerTps: number[] = [];

await once('compact'); // warm-up
const res = Object.fromEntries(MODES.map((m) => [m, [] as Array<Awaited<ReturnType<typeof once>>>])) as Record<Mode, Array<Awaited<ReturnType<typeof once>>>>;
for (let r = 0; r < RUNS; r++) {
  for (const mode of r % 2 === 0 ? MODES : [...MODES].reverse()) res[mode].push(await once(mode));
  const p = runPeer<PeerRuns>('bench/peer_rollout.py', [dir, String(THREADS)], peerRequest).runs[0];
  peerTps.push(p.tokens / p.secs);
}
const lens = res.compact[0].lengths.slice().sort((a, b) => a - b);
const q = (p: number) => lens[Math.min(lens.length - 1, Math.floor(p * lens.length))];
console.log(`\nrollout, Qwen2.5-VL-arch 4x256 (vocab 4096), ${PROMPTS} prompts x ${N} samples, prompt ${PROMPT_LEN}, max ${MAX_NEW} new, T 1.0, fp32, ${THREADS} threads, ${RUNS} alternating runs`);
console.log(`response lengths: median ${q(0.5)}, p90 ${q(0.9)}, max ${lens[lens.length - 1]}; ${res.compact[0].tokens} tokens per rollout (the same in every mode); waves and continuous hold ${SLOTS} rows at once`);
console.log(`${'mode'.padEnd(11)} ${'s/rollout (median, range)'.padEnd(28)} ${'tok/s'.padStart(8)} ${'live rows'.padStart(10)}`);
for (const mode of MODES) {
  const s = res[mode].map((x) => x.secs);
  console.log(`${mode.padEnd(11)} ${`${median(s).toFixed(2)} (${Math.min(...s).toFixed(2)}-${Math.max(...s).toFixed(2)})`.padEnd(28)} ${median(res[mode].map((x) => x.tps)).toFixed(0).padStart(8)} ${`${(100 * median(res[mode].map((x) => x.live))).toFixed(1)}%`.padStart(10)}`);
}
console.log(`${'HF'.padEnd(8)} ${''.padEnd(28)} ${median(peerTps).toFixed(0).padStart(8)}  (transformers generate, sampled, same request; range ${Math.min(...peerTps).toFixed(0)}-${Math.max(...peerTps).toFixed(0)} tok/s)`);
const ratios = res.static.map((x, i) => x.secs / res.compact[i].secs);
console.log(`compact speed-up (static s / compact s, per run pair): median ${median(ratios).toFixed(2)}x, range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`);
const budgeted = res.waves.map((x, i) => x.secs / res.continuous[i].secs);
console.log(`continuous speed-up over waves at ${SLOTS} rows (waves s / continuous s, per run pair): median ${median(budgeted).toFixed(2)}x, range ${Math.min(...budgeted).toFixed(2)}-${Math.max(...budgeted).toFixed(2)}`);
const overStatic = res.static.map((x, i) => x.secs / res.continuous[i].secs);
console.log(`continuous (${SLOTS} slots) over static (all rows at once): median ${median(overStatic).toFixed(2)}x, range ${Math.min(...overStatic).toFixed(2)}-${Math.max(...overStatic).toFixed(2)}`);
const copies = res.continuous.map((x) => x.copy.seconds / x.secs);
console.log(`prompt KV copies (continuous, one per sequence): ${(res.continuous[0].copy.bytes / 2 ** 20).toFixed(1)} MiB per rollout, median ${(1000 * median(res.continuous.map((x) => x.copy.seconds))).toFixed(1)} ms = ${(100 * median(copies)).toFixed(2)}% of the rollout (range ${(100 * Math.min(...copies)).toFixed(2)}-${(100 * Math.max(...copies)).toFixed(2)}%)`);
const vsPeer = res.compact.map((x, i) => x.tps / peerTps[i]);
console.log(`ours (compact) / transformers, tokens/s per run: median ${median(vsPeer).toFixed(2)}x, range ${Math.min(...vsPeer).toFixed(2)}-${Math.max(...vsPeer).toFixed(2)}`);
model.dispose();
