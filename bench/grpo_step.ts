/**
 * One whole GRPO step, ours (lib/train/grpo's GrpoTrainer with the `vision-r1` preset and the
 * world_cot prompt: the Vision-R1 arm of `vsr1 study`) against TRL 1.16's GRPOTrainer
 * (bench/peer_grpo_step.py, transformers `generate`, no vLLM) on the same world SFT checkpoint and
 * the same prompts (the world's first rl.jsonl rows, in order): 16 prompts x 8 samples per step,
 * max 96 new tokens, T 0.7, top_p 1, KL 0.01 against a frozen reference, fp32 on the CPU, lr 1e-4,
 * one optimizer step over all 128 completions per GRPO step, one pass (no PPO epochs), rewards
 * 0.9 accuracy + 0.1 CoT format. The peer gets our rendered prompts (user turn and chat-template
 * text) on stdin and checks that its processor renders the same text.
 * Each round runs one process per side for STEPS steps, so each side's start-up (imports, model
 * and data loading) stays outside the timed steps; sides alternate (ours, TRL, TRL, ours, ...) and
 * the first step of each process is warm-up, left out of every median. Prints, per side: s/step
 * (median over rounds of each process's median, with the range), the ratio ours/TRL per round,
 * completion tokens/s, per-phase s/step (rollout, reference log-probs, old log-probs, update,
 * other = the rest of the step: data, rewards, advantages, TRL's re-tokenising and image
 * processing), CPU use over the steps (CPU s / wall s), and each phase's achieved FLOP/s against
 * the fp32 matmul peak measured here at the same thread count (bench/roofline.ts).
 * Needs the TRL venv (bash bench/setup_trl.sh; VSR1_TRL_PYTHON overrides .venv-trl/bin/python) and
 * a world with its SFT model (`vsr1 pipeline` writes runs/pipeline/world and runs/pipeline/sft).
 *   OMP_NUM_THREADS=2 npx tsx bench/grpo_step.ts [rounds=5] [steps=3] [--model DIR] [--world DIR]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GrpoTrainer, torch } from '../lib/index.js';
import { loadTrainConfig } from '../lib/config/index.js';
import { buildPass1Content } from '../lib/prompts/index.js';
import { resolveFormatPrompt } from '../lib/rollout/format_prompt.js';
import { loadChatTemplate } from '../lib/tokenizer/chat_template.js';
import { smartResize } from '../lib/models/qwen2_5_vl/smart_resize.js';
import { median, peerEnv } from './stats.js';
import { measureRoofline } from './roofline.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const THREADS = Number(process.env.OMP_NUM_THREADS ?? 2);
/** The workload (the Vision-R1 arm of configs/world_train.yaml, one optimizer step per GRPO step). */
const W = { prompts: 16, n: 8, maxNew: 96, temperature: 0.7, beta: 0.01, lr: 1e-4, micro: 32, trainConfig: 'configs/world_train.yaml' };
const now = () => performance.now() / 1000;

type Side = 'ours' | 'trl';
/** One GRPO step of one side: wall seconds, seconds per phase, tokens, rewards. */
interface StepRec { s: number; rollout: number; ref: number; old: number; update: number; completion_tokens: number; prompt_tokens: number; reward?: number; accuracy?: number }
/** One process: its start-up seconds, CPU s / wall s over its steps, and its steps. */
interface Run { startup_s: number; cpu: number; steps: StepRec[] }
interface OursRequest { model: string; trainFile: string; runDir: string; steps: number; threads: number }

// ---------------------------------------------------------------- our side (child process)

function oursOverrides(q: OursRequest): string[] {
  return [
    `worker.actor.model.model_path=${q.model}`, `data.train_files=${q.trainFile}`, 'data.val_files=null', 'data.shuffle=false',
    'algorithm.preset=vision-r1', 'data.format_prompt=world_cot', `data.rollout_batch_size=${W.prompts}`, `worker.actor.global_batch_size=${W.prompts}`,
    `worker.rollout.n=${W.n}`, `data.max_response_length=${W.maxNew}`, `worker.rollout.temperature=${W.temperature}`, 'worker.rollout.top_p=1',
    `algorithm.kl_coef=${W.beta}`, `worker.actor.optim.lr=${W.lr}`, `worker.actor.micro_batch_size_per_device_for_update=${W.micro}`,
    'worker.actor.model.compute_dtype=fp32', 'worker.ref.dtype=fp32', 'worker.actor.ppo_epochs=1', `trainer.max_steps=${q.steps}`,
    'trainer.device=cpu', 'trainer.val_before_train=false', 'trainer.val_freq=-1', 'trainer.save_freq=-1', 'trainer.logger=[jsonl]',
    'trainer.log_samples=0', `trainer.save_checkpoint_path=${q.runDir}`,
  ];
}

/** Our step's record from its metrics (the same as the run folder's metrics.jsonl line). */
function oursStep(s: number, m: Record<string, number>): StepRec {
  return {
    s, rollout: (m['timing_s/rollout'] ?? 0) + (m['timing_s/pass2'] ?? 0), ref: m['timing_s/logprobs'] ?? 0, old: 0, update: m['timing_s/update'] ?? 0,
    completion_tokens: m['tokens/pass1'], prompt_tokens: m['tokens/scored'] - m['tokens/pass1'], reward: m['reward/overall'], accuracy: m['reward/accuracy'],
  };
}

/** Runs STEPS steps (no validation, no checkpoint) and prints one JSON line (a Run). */
async function oursChild(q: OursRequest): Promise<void> {
  torch.setNumThreads(q.threads);
  const cfg = loadTrainConfig(path.join(repo, W.trainConfig), oursOverrides(q));
  const trainer = await GrpoTrainer.create(cfg, { log: (l) => process.stderr.write(`${l}\n`) });
  const startup = now(), steps: StepRec[] = [];
  const cpu0 = process.cpuUsage(), w0 = now();
  try {
    // Old log-probs: the trainer skips them (one optimizer step, one epoch: exactly on-policy), as TRL does here.
    for (let i = 0; i < q.steps; i++) {
      const t = now();
      const m = await trainer.step();
      steps.push(oursStep(now() - t, m));
    }
  } finally {
    trainer.dispose();
  }
  const c = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ startup_s: startup, cpu: (c.user + c.system) / 1e6 / (now() - w0), steps })}\n`);
}

// ---------------------------------------------------------------- the workload and the two processes

interface Workload { dir: string; trainFile: string; peerRows: unknown[]; firstImage: string }

/** The first PROMPTS x STEPS rows of the world's rl.jsonl (images made absolute), and the peer's rendered prompts. */
async function workload(model: string, world: string, steps: number): Promise<Workload> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-grpo-step-'));
  const lines = readFileSync(path.join(world, 'rl.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, W.prompts * steps);
  if (lines.length < W.prompts * steps) throw new Error(`${world}/rl.jsonl has ${lines.length} rows; ${steps} steps need ${W.prompts * steps}`);
  const rows = lines.map((l) => JSON.parse(l) as { problem: string; answer: string; images: string[] });
  for (const r of rows) r.images = r.images.map((p) => path.resolve(world, p));
  const trainFile = path.join(dir, 'rl.jsonl');
  writeFileSync(trainFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const { template: chat } = await loadChatTemplate(model, { prefer: 'processor', fallback: true });
  const fp = resolveFormatPrompt('world_cot', 'vision-r1');
  const peerRows = rows.map((r) => {
    const content = buildPass1Content(r.problem, { template: fp.template, hasImages: r.images.length > 0 }).map((c) => (c.type === 'image' ? { type: 'image' as const } : { type: 'text' as const, text: c.text }));
    return { content, images: r.images, answer: r.answer, text: chat.render([{ role: 'user', content }], { addGenerationPrompt: true }) };
  });
  return { dir, trainFile, peerRows, firstImage: rows[0].images[0] };
}

function lastJsonLine<T>(what: string, r: ReturnType<typeof spawnSync>): T {
  if (r.status !== 0) throw new Error(`${what} failed (status ${r.status}):\n${String(r.stderr).slice(-4000)}`);
  return JSON.parse(String(r.stdout).trim().split('\n').pop()!) as T;
}

function runOurs(model: string, w: Workload, steps: number, round: number): Run {
  const q: OursRequest = { model, trainFile: w.trainFile, runDir: path.join(w.dir, `ours-${round}`), steps, threads: THREADS };
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child-ours'], {
    cwd: repo, input: JSON.stringify(q), encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: String(THREADS) },
  });
  return lastJsonLine<Run>('ours', r);
}

function runTrl(model: string, w: Workload, steps: number): Run {
  const python = process.env.VSR1_TRL_PYTHON ?? path.join(repo, '.venv-trl/bin/python');
  const input = JSON.stringify({ model, threads: THREADS, steps, prompts_per_step: W.prompts, n: W.n, max_new: W.maxNew, temperature: W.temperature, beta: W.beta, lr: W.lr, micro: W.micro, rows: w.peerRows });
  const r = spawnSync(python, [path.join(here, 'peer_grpo_step.py')], { cwd: repo, input, encoding: 'utf8', maxBuffer: 1 << 28, env: peerEnv({ OMP_NUM_THREADS: String(THREADS) }) });
  return lastJsonLine<Run>(`TRL peer (${python}; make it with bash bench/setup_trl.sh)`, r);
}

// ---------------------------------------------------------------- FLOPs

/** Parameter counts from the safetensors header: decoder (with the tied head), vision patch side, vision merger. */
function paramCounts(model: string): { dec: number; visPatch: number; visMerger: number } {
  const fd = openSync(path.join(model, 'model.safetensors'), 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const head = Buffer.alloc(Number(len.readBigUInt64LE()));
    readSync(fd, head, 0, head.length, 8);
    const out = { dec: 0, visPatch: 0, visMerger: 0 };
    for (const [k, v] of Object.entries(JSON.parse(head.toString('utf8')) as Record<string, { shape?: number[] }>)) {
      if (!v.shape) continue;
      const n = v.shape.reduce((x, y) => x * y, 1);
      if (!k.includes('visual')) out.dec += n;
      else if (k.includes('merger')) out.visMerger += n;
      else out.visPatch += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Patches of an image after the processor's resize (PNG size from its header; the config's pixel budget). */
function imagePatches(file: string): number {
  const b = readFileSync(file);
  const cfg = loadTrainConfig(path.join(repo, W.trainConfig), ['worker.actor.model.model_path=unused']);
  const { height, width } = smartResize(b.readUInt32BE(20), b.readUInt32BE(16), { minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
  return (height / 14) * (width / 14);
}

/**
 * FLOPs of each phase of one step: 2 x parameters x tokens per forward-only token, 6 x for the update
 * (forward + backward). Attention scores (short sequences here) and the embedding lookup are left
 * out; the vision tower counts its patch-side parameters per patch and its merger per merged token
 * (patches / 4). Rollout: each prompt prefilled once (its 8 samples share it), then every
 * completion token; log-probs and the update score every prompt + completion.
 */
function stepFlops(p: ReturnType<typeof paramCounts>, patches: number, s: StepRec): { rollout: number; ref: number; update: number } {
  const vision = 2 * (p.visPatch * patches + (p.visMerger * patches) / 4);
  const rollout = 2 * p.dec * (s.prompt_tokens / W.n + s.completion_tokens) + vision * W.prompts;
  const scored = 2 * p.dec * (s.prompt_tokens + s.completion_tokens) + vision * W.prompts * W.n;
  return { rollout, ref: scored, update: 3 * scored };
}

// ---------------------------------------------------------------- report

const timed = (r: Run) => r.steps.slice(1);
const med = (r: Run, f: (s: StepRec) => number) => median(timed(r).map(f));
const range = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)}`;
const other = (s: StepRec) => s.s - s.rollout - s.ref - s.old - s.update;
const PHASES: Array<[string, (s: StepRec) => number]> = [['rollout', (s) => s.rollout], ['ref log-probs', (s) => s.ref], ['old log-probs', (s) => s.old], ['update', (s) => s.update], ['other', other]];

function reportSteps(res: Record<Side, Run[]>): void {
  const per = (side: Side) => res[side].map((r) => med(r, (s) => s.s));
  console.log(`${'side'.padEnd(6)} ${'s/step (median, range)'.padEnd(24)} ${'compl tok/s'.padStart(11)} ${'mean len'.padStart(9)} ${'reward'.padStart(7)} ${'acc'.padStart(6)} ${'CPU/wall'.padStart(9)} ${'start-up s'.padStart(10)}`);
  for (const side of ['ours', 'trl'] as Side[]) {
    const tps = res[side].map((r) => timed(r).reduce((a, s) => a + s.completion_tokens, 0) / timed(r).reduce((a, s) => a + s.s, 0));
    const len = median(res[side].map((r) => med(r, (s) => s.completion_tokens / (W.prompts * W.n))));
    const rew = median(res[side].map((r) => med(r, (s) => s.reward ?? NaN))), acc = median(res[side].map((r) => med(r, (s) => s.accuracy ?? NaN)));
    console.log(`${side.padEnd(6)} ${`${median(per(side)).toFixed(2)} (${range(per(side))})`.padEnd(24)} ${median(tps).toFixed(0).padStart(11)} ${len.toFixed(1).padStart(9)} ${rew.toFixed(3).padStart(7)} ${acc.toFixed(3).padStart(6)} ${median(res[side].map((r) => r.cpu)).toFixed(2).padStart(9)} ${median(res[side].map((r) => r.startup_s)).toFixed(1).padStart(10)}`);
  }
  const ratios = per('ours').map((o, i) => o / per('trl')[i]);
  console.log(`ours/TRL s/step per round: median ${median(ratios).toFixed(3)}, range ${range(ratios, 3)} (${ratios.map((x) => x.toFixed(3)).join(', ')})`);
}

function reportPhases(res: Record<Side, Run[]>, model: string, firstImage: string, peak: number): void {
  const p = paramCounts(model), patches = imagePatches(firstImage);
  console.log(`\nper phase, median s/step and achieved GFLOP/s (% of the ${(peak / 1e9).toFixed(1)} GFLOP/s matmul peak); decoder ${(p.dec / 1e6).toFixed(2)}M params, vision ${((p.visPatch + p.visMerger) / 1e6).toFixed(2)}M, ${patches} patches per image`);
  console.log(`${'phase'.padEnd(14)} ${'ours s'.padStart(8)} ${'TRL s'.padStart(8)} ${'ours/TRL'.padStart(9)} ${'ours GFLOP/s'.padStart(18)} ${'TRL GFLOP/s'.padStart(18)}`);
  const rate = (side: Side, k: 'rollout' | 'ref' | 'update', f: (s: StepRec) => number) => {
    const v = median(res[side].map((r) => med(r, (s) => stepFlops(p, patches, s)[k] / f(s))));
    return `${(v / 1e9).toFixed(2)} (${((100 * v) / peak).toFixed(1)}%)`;
  };
  const keys: Record<string, 'rollout' | 'ref' | 'update'> = { rollout: 'rollout', 'ref log-probs': 'ref', update: 'update' };
  for (const [name, f] of PHASES) {
    const o = median(res.ours.map((r) => med(r, f))), t = median(res.trl.map((r) => med(r, f)));
    const k = keys[name];
    console.log(`${name.padEnd(14)} ${o.toFixed(3).padStart(8)} ${t.toFixed(3).padStart(8)} ${(t > 0 ? (o / t).toFixed(3) : '-').padStart(9)} ${(k ? rate('ours', k, f) : '').padStart(18)} ${(k ? rate('trl', k, f) : '').padStart(18)}`);
  }
}

// ---------------------------------------------------------------- main

function parseArgs(argv: string[]): { rounds: number; steps: number; model: string; world: string } {
  const pos: string[] = [], flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) flags[argv[i].slice(2)] = argv[++i];
    else pos.push(argv[i]);
  }
  const model = flags.model ? path.resolve(flags.model) : path.join(repo, 'runs/pipeline/sft/latest_model');
  const world = flags.world ? path.resolve(flags.world) : path.join(repo, 'runs/pipeline/world');
  const o = { rounds: Number(pos[0] ?? 5), steps: Number(pos[1] ?? 3), model, world };
  if (!(o.steps >= 2)) throw new Error('steps must be >= 2: the first step of each process is warm-up');
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const w = await workload(o.model, o.world, o.steps);
  torch.setNumThreads(THREADS);
  const peak = measureRoofline().flopsPerSec;
  console.log(`GRPO step, ours vs TRL GRPOTrainer: ${o.model}, ${W.prompts} prompts x ${W.n} samples, max ${W.maxNew} new, T ${W.temperature}, KL ${W.beta}, lr ${W.lr}, fp32, ${THREADS} threads; ${o.rounds} rounds x ${o.steps} steps (first step of each process is warm-up)`);
  const res: Record<Side, Run[]> = { ours: [], trl: [] };
  for (let r = 0; r < o.rounds; r++) {
    for (const side of (r % 2 === 0 ? ['ours', 'trl'] : ['trl', 'ours']) as Side[]) {
      const run = side === 'ours' ? runOurs(o.model, w, o.steps, r) : runTrl(o.model, w, o.steps);
      res[side].push(run);
      console.log(`round ${r + 1} ${side.padEnd(4)}: s/step ${run.steps.map((s) => s.s.toFixed(2)).join(' ')} (start-up ${run.startup_s.toFixed(1)} s, CPU/wall ${run.cpu.toFixed(2)})`);
    }
  }
  console.log('');
  reportSteps(res);
  reportPhases(res, o.model, w.firstImage, peak);
  rmSync(w.dir, { recursive: true, force: true });
}

if (process.argv[2] === '--child-ours') await oursChild(JSON.parse(readFileSync(0, 'utf8')) as OursRequest);
else await main();
