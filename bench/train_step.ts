/**
 * Training step (forward, response log-prob loss, backward, clipping, AdamW) of an 8-layer
 * 512-wide Qwen2.5-VL-architecture model at micro-batch lengths 512, 1024 and 2048 (B samples
 * from L/2 to L tokens), fp32 on the CPU: ours padded, packed, and packed + activation
 * checkpointing, against transformers (sdpa) padded, and padded + gradient checkpointing, on the
 * same libtorch. Each case runs in its own process; cases alternate within a run. Prints the
 * median step time and peak RSS of each over RUNS runs, the spread, and the ratios.
 * Targets (bench/README.md): packed + checkpointing peak memory at 2048 <= 0.5x padded; time
 * <= 0.8x transformers.
 *   npx tsx bench/train_step.ts [runs=3] [steps=2] [threads=2] [lengths=512,1024,2048] [B=4]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import { parseQwenConfig } from '../lib/models/qwen2_5_vl/config.js';
import { median, peerEnv } from './stats.js';
import { BENCH_MODEL, benchLengths } from './train_step_shapes.js';

const RUNS = Number(process.argv[2] ?? 3);
const STEPS = Number(process.argv[3] ?? 2);
const THREADS = Number(process.argv[4] ?? 2);
const LENGTHS = (process.argv[5] ?? '512,1024,2048').split(',').map(Number);
const B = Number(process.argv[6] ?? 4);
const here = path.dirname(fileURLToPath(import.meta.url));

const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-bench-train-'));
{
  const m = QwenVLModel.fromConfig(parseQwenConfig(BENCH_MODEL, 'bench model'), { seed: 1, initStd: 0.02 });
  m.save(dir);
  m.dispose();
}

interface CaseResult { ms: number[]; rssBeforeMb: number; peakRssMb: number }
type Case = { name: string; run: (L: number) => CaseResult };
const env = { ...process.env, OMP_NUM_THREADS: String(THREADS) };
function spawnJson(cmd: string, args: string[], input?: string, childEnv: NodeJS.ProcessEnv = env): CaseResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 26, env: childEnv });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as CaseResult;
}
const ours = (layout: string): Case => ({
  name: `ours ${layout}`,
  run: (L) => spawnJson(process.execPath, ['--import', 'tsx', path.join(here, 'train_step_case.ts'), dir, layout, String(L), String(B), String(STEPS), String(THREADS)]),
});
const peer = (layout: string): Case => ({
  name: `transformers ${layout}`,
  run: (L) => spawnJson(process.env.VSR1_PYTHON ?? 'python3', [path.join(here, 'peer_train_step.py'), dir, layout, String(STEPS), String(THREADS)],
    JSON.stringify(benchLengths(L, B, BENCH_MODEL.vocab_size - 16)), peerEnv({ OMP_NUM_THREADS: String(THREADS) })),
});
const cases = [ours('padded'), ours('packed'), ours('packed-ckpt'), peer('padded'), peer('padded-ckpt')];

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
console.log(`training step, 8x512 Qwen2.5-VL-arch decoder (vocab 8192), B=${B} samples of L/2..L tokens, fp32, ${THREADS} threads, ${RUNS} runs x ${STEPS} steps (median of each run, then median over runs)`);
for (const L of LENGTHS) {
  const res = new Map<string, CaseResult[]>();
  for (let r = 0; r < RUNS; r++) for (const c of cases) (res.get(c.name) ?? res.set(c.name, []).get(c.name)!).push(c.run(L));
  const ms = (n: string) => res.get(n)!.map((x) => median(x.ms));
  const peak = (n: string) => res.get(n)!.map((x) => x.peakRssMb);
  const act = (n: string) => res.get(n)!.map((x) => x.peakRssMb - x.rssBeforeMb);
  console.log(`\nL=${L}: ${benchLengths(L, B, 1).prompts.map((p, b) => p.length + benchLengths(L, B, 1).responses[b].length).join('+')} tokens (padded ${B * L})`);
  console.log(`${'case'.padEnd(28)} ${'step ms'.padStart(9)} ${'(spread)'.padStart(13)} ${'peak RSS MB'.padStart(12)} ${'over start'.padStart(11)}`);
  for (const c of cases) console.log(`${c.name.padEnd(28)} ${median(ms(c.name)).toFixed(0).padStart(9)} ${`(${spread(ms(c.name))})`.padStart(13)} ${median(peak(c.name)).toFixed(0).padStart(12)} ${median(act(c.name)).toFixed(0).padStart(11)}`);
  const ratio = (a: string, b: string, f: (n: string) => number[]) => (median(f(a)) / median(f(b))).toFixed(3);
  console.log(`time: ours packed / transformers padded ${ratio('ours packed', 'transformers padded', ms)}; ours packed-ckpt / transformers padded-ckpt ${ratio('ours packed-ckpt', 'transformers padded-ckpt', ms)}; ours padded / transformers padded ${ratio('ours padded', 'transformers padded', ms)}`);
  console.log(`peak RSS above start: ours packed-ckpt / ours padded ${ratio('ours packed-ckpt', 'ours padded', act)}; ours packed / ours padded ${ratio('ours packed', 'ours padded', act)}; transformers padded-ckpt / padded ${ratio('transformers padded-ckpt', 'transformers padded', act)}`);
}
