/**
 * `vsr1 profile`: a few GRPO steps of a config, timed by phase, the last one traced (the whole
 * step or one phase) to a Chrome/Perfetto JSON file. Nothing is saved but the trace and the
 * metrics: no checkpoint, no final model, no validation. The first step warms up (allocator,
 * kernels) and is left out of the medians when there are more. With `nvtx`, every step runs with
 * each op and phase emitted as an NVTX range for Nsight Systems, and no trace is written (CUDA only).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointRoot, type TrainConfig } from '../config/index.js';
import { consoleTable } from '../report/table.js';
import * as torch from '../torch/index.js';
import { GrpoTrainer, type TracedPhase } from '../train/grpo/trainer.js';

export interface ProfileOptions {
  steps: number;
  /** Trace only this phase of the last step; null = the whole last step. */
  phase: TracedPhase | null;
  /** NVTX ranges (for `nsys profile`) instead of a trace file: CUDA only, checked before any step. */
  nvtx?: boolean;
  log?: (line: string) => void;
}

export interface PhaseRow {
  phase: string;
  /** Median seconds per step. */
  seconds: number;
  /** Of the step's wall time. */
  share: number;
  tokensPerSecond: number | null;
  peakGb: number | null;
}

export interface ProfileResult {
  rows: PhaseRow[];
  stepSeconds: number;
  /** null with `nvtx`: the ranges went to the NVTX-aware profiler running the process. */
  tracePath: string | null;
  runDir: string;
  steps: Array<Record<string, number>>;
}

/** Phase -> (seconds metric, tokens metric, peak-memory metric) of the step metrics. */
const PHASES: Array<[string, string | null, string | null]> = [
  ['rollout', 'tokens/pass1', 'memory/rollout_peak_gb'],
  ['pass2', 'tokens/pass2', null],
  ['rewards', null, null],
  ['logprobs', 'tokens/scored', 'memory/logprobs_peak_gb'],
  ['update', 'tokens/scored', 'memory/update_peak_gb'],
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/** The config as a profile runs it: `steps` steps in `<run folder>/profile`, nothing saved or validated. */
export function profileConfig(cfg: TrainConfig, steps: number): TrainConfig {
  return {
    ...cfg,
    trainer: {
      ...cfg.trainer, max_steps: steps, save_freq: -1, val_freq: -1, val_before_train: false, val_only: false, resume: false,
      logger: ['jsonl'], save_checkpoint_path: join(checkpointRoot(cfg), 'profile'),
    },
  };
}

export async function profileGrpo(cfg: TrainConfig, o: ProfileOptions): Promise<ProfileResult> {
  if (!(Number.isInteger(o.steps) && o.steps >= 1)) throw new Error(`profile: --steps must be an integer >= 1, got ${o.steps}`);
  const pc = profileConfig(cfg, o.steps);
  const runDir = checkpointRoot(pc);
  mkdirSync(runDir, { recursive: true });
  if (o.nvtx && o.phase) throw new Error('profile: --phase picks the phase of a trace; --nvtx writes no trace (every phase is an NVTX range)');
  const tracePath = o.nvtx ? null : join(runDir, o.phase ? `trace-${o.phase}.json` : 'trace.json');
  const steps: Array<Record<string, number>> = [];
  const run = async () => {
    const trainer = await GrpoTrainer.create(pc, { log: o.log });
    try {
      for (let i = 1; i <= o.steps; i++) steps.push(i === o.steps && tracePath ? await trainer.tracedStep(tracePath, o.phase) : await trainer.step());
    } finally {
      trainer.dispose();
    }
  };
  // emitNvtx refuses without CUDA before it runs anything, so nothing is loaded in vain.
  await (o.nvtx ? torch.emitNvtx(run) : run());
  const timed = steps.length > 1 ? steps.slice(1) : steps;
  const at = (k: string | null) => (k === null ? null : median(timed.map((m) => m[k] ?? NaN)));
  const stepSeconds = at('timing_s/step')!;
  const rows = PHASES.map(([phase, tokens, peak]) => {
    const seconds = at(`timing_s/${phase}`) ?? 0;
    const tok = at(tokens);
    return { phase, seconds, share: seconds / stepSeconds, tokensPerSecond: tok !== null && seconds > 0 ? tok / seconds : null, peakGb: at(peak) };
  });
  return { rows, stepSeconds, tracePath, runDir, steps };
}

/** The per-phase table printed by `vsr1 profile`. */
export function profileTable(r: ProfileResult): string {
  const body = r.rows.map((x) => [x.phase, x.seconds.toFixed(3), `${(100 * x.share).toFixed(1)}%`, x.tokensPerSecond === null ? '-' : x.tokensPerSecond.toFixed(0), x.peakGb === null || Number.isNaN(x.peakGb) ? '-' : x.peakGb.toFixed(3)]);
  body.push(['step', r.stepSeconds.toFixed(3), '100%', '-', '-']);
  return consoleTable(['phase', 's/step (median)', 'share', 'tokens/s', 'peak GB'], body);
}
