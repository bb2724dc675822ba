/**
 * Wall-clock seconds per named phase of a training step (rollout, pass2, rewards, logprobs,
 * update, or any other name), summed when a phase runs several times in one step.
 */
import { consoleTable, type Cell } from '../report/table.js';

/** The phases of a Vision-SR1 RL step, in the order they run (docs/method.md, "Step pseudocode"). */
export const RL_PHASES = ['rollout', 'pass2', 'rewards', 'logprobs', 'update'] as const;

/** Seconds per phase for one finished step. */
export interface StepTiming {
  step: number;
  phases: Record<string, number>;
  /** Wall time from the step's first start() (or previous endStep) to endStep. */
  total: number;
}

/** Times phases; one instance per trainer. The clock (ms) is injectable for tests. */
export class PhaseTimer {
  private open = new Map<string, number>();
  private current: Record<string, number> = {};
  private stepStart: number | null = null;
  readonly history: StepTiming[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Starts `phase`; starting a phase that is already running is an error. */
  start(phase: string): void {
    if (this.open.has(phase)) throw new Error(`PhaseTimer: phase "${phase}" already started`);
    const t = this.now();
    this.stepStart ??= t;
    this.open.set(phase, t);
  }

  /** Stops `phase` and adds its duration to the current step. Returns the seconds measured. */
  stop(phase: string): number {
    const t0 = this.open.get(phase);
    if (t0 === undefined) throw new Error(`PhaseTimer: phase "${phase}" was not started`);
    this.open.delete(phase);
    const sec = (this.now() - t0) / 1000;
    this.current[phase] = (this.current[phase] ?? 0) + sec;
    return sec;
  }

  /** Adds seconds measured elsewhere (e.g. inside one call that spans two phases) to `phase`. */
  add(phase: string, seconds: number): void {
    this.stepStart ??= this.now() - seconds * 1000;
    this.current[phase] = (this.current[phase] ?? 0) + seconds;
  }

  /** Runs fn inside `phase` (sync or async); the phase stops even when fn throws. */
  async time<T>(phase: string, fn: () => T | Promise<T>): Promise<T> {
    this.start(phase);
    try {
      return await fn();
    } finally {
      this.stop(phase);
    }
  }

  /** Closes the step: returns and records its timings. Phases still open are an error. */
  endStep(step: number): StepTiming {
    if (this.open.size) throw new Error(`PhaseTimer: phases still running at end of step ${step}: ${[...this.open.keys()].join(', ')}`);
    const t = this.now();
    const timing: StepTiming = { step, phases: this.current, total: this.stepStart === null ? 0 : (t - this.stepStart) / 1000 };
    this.history.push(timing);
    this.current = {};
    this.stepStart = t;
    return timing;
  }

  /** Metrics for the logger: `timing/<phase>` and `timing/step` in seconds. */
  static metrics(t: StepTiming): Record<string, number> {
    const m: Record<string, number> = {};
    for (const [k, v] of Object.entries(t.phases)) m[`timing/${k}`] = v;
    m['timing/step'] = t.total;
    return m;
  }

  /** Phase names seen so far, RL phases first in their order, then others by first use. */
  phaseNames(): string[] {
    const seen = new Set<string>();
    for (const h of this.history) for (const k of Object.keys(h.phases)) seen.add(k);
    const known = RL_PHASES.filter((p) => seen.has(p));
    return [...known, ...[...seen].filter((p) => !(RL_PHASES as readonly string[]).includes(p))];
  }

  /** Console table: one row per step (the last `lastN`), then a mean row; seconds. */
  table(lastN = 20): string {
    const names = this.phaseNames();
    const rows: Cell[][] = this.history.slice(-lastN).map((h) => [h.step, ...names.map((p) => h.phases[p] ?? null), h.total]);
    if (this.history.length > 1) {
      const mean = (f: (h: StepTiming) => number | undefined) => {
        const v = this.history.map(f).filter((x): x is number => x !== undefined);
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
      };
      rows.push(['mean', ...names.map((p) => mean((h) => h.phases[p])), mean((h) => h.total)]);
    }
    return consoleTable(['step', ...names.map((p) => `${p} s`), 'total s'], rows);
  }
}
