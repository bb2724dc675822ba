/**
 * AdamW (the update runs in C++ over the whole parameter list in one call), global grad-norm
 * clipping, and learning-rate schedules.
 */
import { native } from '../native.js';
import { SafetensorsFile, loadSafetensors, saveSafetensors, saveSafetensorsAsync } from './safetensors.js';
import { scope } from './lifetime.js';
import { Tensor, wrap } from './tensor.js';
import { assertUnlocked } from './param_lock.js';
import { dtypeBytes } from './dtype.js';

export interface ParamGroup {
  params: Tensor[];
  lr?: number;
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
}
export interface AdamWOptions {
  lr?: number;
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
  /**
   * Keep an fp32 master copy of every bf16/fp16 parameter inside the optimizer: each step updates
   * the master (and fp32 moments) from the widened gradient and writes it back into the
   * parameter, in the one native call of step(). Saved and restored with the optimizer state.
   */
  masterWeights?: boolean;
}

/** torch.optim.AdamW semantics (decoupled weight decay, bias correction), defaults lr 1e-3, wd 1e-2. */
export class AdamW {
  private readonly index: number;
  readonly groups: Required<Omit<ParamGroup, 'params'>>[] = [];
  readonly params: Tensor[] = [];

  constructor(params: Tensor[] | ParamGroup[], defaults: AdamWOptions = {}) {
    const groups: ParamGroup[] = params.length > 0 && params[0] instanceof Tensor ? [{ params: params as Tensor[] }] : (params as ParamGroup[]);
    const spec = groups.map((g, gi) => {
      const lr = g.lr ?? defaults.lr ?? 1e-3;
      const weightDecay = g.weightDecay ?? defaults.weightDecay ?? 1e-2;
      const betas = g.betas ?? defaults.betas ?? [0.9, 0.999];
      const eps = g.eps ?? defaults.eps ?? 1e-8;
      if (!(lr >= 0)) throw new RangeError(`AdamW: group ${gi} lr must be >= 0, got ${lr}`);
      if (!(betas[0] >= 0 && betas[0] < 1 && betas[1] >= 0 && betas[1] < 1)) throw new RangeError(`AdamW: group ${gi} betas must be in [0, 1), got [${betas}]`);
      g.params.forEach((p, i) => {
        if (!(p instanceof Tensor)) throw new TypeError(`AdamW: group ${gi} param ${i} is not a Tensor`);
      });
      this.groups.push({ lr, weightDecay, betas, eps });
      this.params.push(...g.params);
      return { params: g.params.map((p) => p.handle), lr, beta1: betas[0], beta2: betas[1], eps, weightDecay };
    });
    this.index = native.adamwNew(spec, defaults.masterWeights ?? false);
    const st = native.adamwGetState(this.index) as { master: (number | null)[] };
    this.masterCount = st.master.filter((h) => h !== null).length;
    for (const h of st.master) if (h !== null) wrap(h).dispose();
  }
  /** Parameters with an fp32 master copy here (low-precision ones, with AdamWOptions.masterWeights). */
  readonly masterCount: number;

  /** One update of every parameter that has a gradient. */
  step(): void {
    assertUnlocked(this.params, 'AdamW.step');
    native.adamwStep(this.index);
  }
  /** Clears gradients (set to none by default, like PyTorch 2). */
  zeroGrad(setToNone = true): void { native.adamwZeroGrad(this.index, setToNone); }
  setLr(lr: number, group?: number): void {
    const gs = group === undefined ? this.groups.map((_, i) => i) : [group];
    for (const g of gs) {
      this.groups[g].lr = lr;
      native.adamwSetGroup(this.index, g, { lr });
    }
  }
  setGroup(group: number, o: { lr?: number; weightDecay?: number }): void {
    Object.assign(this.groups[group], o);
    native.adamwSetGroup(this.index, group, o);
  }

  /** Bytes of state held: the moments and fp32 masters allocated so far (none before the first step). */
  stateBytes(): number {
    const st = native.adamwGetState(this.index) as { expAvg: (number | null)[]; expAvgSq: (number | null)[]; master: (number | null)[] };
    let bytes = 0;
    for (const h of [...st.expAvg, ...st.expAvgSq, ...st.master]) {
      if (h === null) continue;
      const t = wrap(h);
      bytes += t.numel() * dtypeBytes(t.dtype);
      t.dispose();
    }
    return bytes;
  }

  /** Saves step counts and moments to a safetensors file (hyper-parameters in its metadata). */
  save(file: string): void {
    const { tensors, metadata } = this.stateTensors();
    try {
      saveSafetensors(file, tensors, metadata);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }

  /** save() with the file written off the JS thread; do not step until it settles. */
  async saveAsync(file: string): Promise<void> {
    const { tensors, metadata } = this.stateTensors();
    try {
      await saveSafetensorsAsync(file, tensors, metadata);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }

  private stateTensors(): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
    const st = native.adamwGetState(this.index) as { steps: number[]; expAvg: (number | null)[]; expAvgSq: (number | null)[]; master: (number | null)[] };
    const tensors = new Map<string, Tensor>();
    st.expAvg.forEach((h, i) => { if (h !== null) tensors.set(`exp_avg.${i}`, wrap(h)); });
    st.expAvgSq.forEach((h, i) => { if (h !== null) tensors.set(`exp_avg_sq.${i}`, wrap(h)); });
    st.master.forEach((h, i) => { if (h !== null) tensors.set(`master.${i}`, wrap(h)); });
    return { tensors, metadata: { format: 'vsr1-adamw-v1', steps: JSON.stringify(st.steps), groups: JSON.stringify(this.groups) } };
  }

  /**
   * Restores state written by save(); the parameter list must have the same shapes. Returns
   * whether the file held fp32 master weights (they are then written into the parameters).
   */
  load(file: string): { masters: boolean } {
    return scope(() => {
      const ts = loadSafetensors(file);
      const meta = SafetensorsFile.open(file).metadata;
      if (meta.format !== 'vsr1-adamw-v1') throw new Error(`${file}: not an AdamW state file (format '${meta.format}')`);
      const steps = JSON.parse(meta.steps) as number[];
      if (steps.length !== this.params.length) throw new Error(`${file}: state for ${steps.length} parameters, optimizer has ${this.params.length}`);
      const m = steps.map((_, i) => ts.get(`exp_avg.${i}`)?.handle ?? null);
      const v = steps.map((_, i) => ts.get(`exp_avg_sq.${i}`)?.handle ?? null);
      const w = steps.map((_, i) => ts.get(`master.${i}`)?.handle ?? null);
      const masters = w.some((h) => h !== null);
      native.adamwSetState(this.index, steps, m, v, masters ? w : null);
      const groups = JSON.parse(meta.groups) as AdamW['groups'];
      groups.forEach((g, i) => { if (this.groups[i]) this.setGroup(i, { lr: g.lr, weightDecay: g.weightDecay }); });
      return { masters };
    });
  }

  /**
   * Sets the state of every parameter from tensors (one entry per parameter, in order; null
   * moments = never stepped), e.g. gathered from the shards of another world size.
   */
  setStateEntries(entries: readonly { step: number; expAvg: Tensor | null; expAvgSq: Tensor | null; master: Tensor | null }[]): void {
    if (entries.length !== this.params.length) throw new Error(`AdamW.setStateEntries: ${entries.length} entries for ${this.params.length} parameters`);
    const masters = entries.some((e) => e.master !== null);
    native.adamwSetState(this.index, entries.map((e) => e.step), entries.map((e) => e.expAvg?.handle ?? null), entries.map((e) => e.expAvgSq?.handle ?? null), masters ? entries.map((e) => e.master?.handle ?? null) : null);
  }

  /** Copies fp32 master weights (`master.<i>` by parameter index) in, e.g. from an older checkpoint's separate file. */
  loadMasterWeights(masters: Map<string, Tensor>): void {
    const st = native.adamwGetState(this.index) as { steps: number[]; expAvg: (number | null)[]; expAvgSq: (number | null)[]; master: (number | null)[] };
    try {
      const w = this.params.map((_, i) => masters.get(`master.${i}`)?.handle ?? null);
      native.adamwSetState(this.index, st.steps, st.expAvg, st.expAvgSq, w);
    } finally {
      for (const h of [...st.expAvg, ...st.expAvgSq, ...st.master]) if (h !== null) wrap(h).dispose();
    }
  }

  dispose(): void { native.adamwFree(this.index); }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_).
 * Returns the norm before clipping and whether it is finite: a trainer skips the step when not.
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): { norm: number; finite: boolean } {
  const norm = native.clipGradNorm(params.map((p) => p.handle), maxNorm, normType) as number;
  return { norm, finite: Number.isFinite(norm) };
}

/** Learning-rate multiplier at `step` (0-based) for linear warmup then cosine decay to `minRatio`. */
export function cosineWithWarmup(step: number, totalSteps: number, warmupSteps: number, minRatio = 0): number {
  if (warmupSteps > 0 && step < warmupSteps) return (step + 1) / warmupSteps;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
/** Linear warmup then constant (the RL stage's schedule). */
export function constantWithWarmup(step: number, warmupSteps: number): number {
  return warmupSteps > 0 && step < warmupSteps ? (step + 1) / warmupSteps : 1;
}
