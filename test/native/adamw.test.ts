/** AdamW and grad clipping against torch.optim.AdamW / clip_grad_norm_ (20 steps, rtol 1e-5). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { expectClose, makeData, prng } from '../helpers/tensors.js';

const shapes = [[4, 3], [3], [2, 2, 2]];
const STEPS = 20;

function setup(seed: number) {
  const rnd = prng(seed);
  const init = shapes.map((s) => makeData({ shape: s }, rnd));
  const grads = Array.from({ length: STEPS }, () => shapes.map((s) => makeData({ shape: s }, rnd).map((x) => x * 3)));
  return { init, grads };
}
const groupsSpec = [
  { idx: [0, 2], lr: 0.01, weight_decay: 0.1, betas: [0.9, 0.95] as [number, number], eps: 1e-8 },
  { idx: [1], lr: 0.003, weight_decay: 0.0, betas: [0.8, 0.999] as [number, number], eps: 1e-6 },
];

function runOurs(init: number[][], grads: number[][][], clip: number | null, stopAt = STEPS, resumeFile?: string) {
  const params = init.map((d, i) => torch.tensor(new Float64Array(d), { shape: shapes[i] }).requiresGrad_(true));
  const opt = new torch.AdamW(groupsSpec.map((g) => ({ params: g.idx.map((i) => params[i]), lr: g.lr, weightDecay: g.weight_decay, betas: g.betas, eps: g.eps })));
  const traj: number[][][] = [];
  const norms: number[] = [];
  for (let s = 0; s < stopAt; s++) {
    torch.scope(() => {
      params.forEach((p, i) => { p.grad = torch.tensor(new Float64Array(grads[s][i]), { shape: shapes[i] }); });
      if (clip !== null) norms.push(torch.clipGradNorm(params, clip).norm);
      opt.step();
      opt.zeroGrad();
    });
    traj.push(params.map((p) => p.toFlatArray()));
  }
  if (resumeFile) opt.save(resumeFile);
  return { params, opt, traj, norms };
}

describe.runIf(oracleAvailable(['torch']))('AdamW vs torch.optim.AdamW', () => {
  it('matches 20 steps with two parameter groups, rtol 1e-5', () => {
    const { init, grads } = setup(7);
    const py = runOracle<{ params: number[][][] }>('scripts/oracle/torch_adamw.py', { params: init.map((d, i) => ({ data: d, shape: shapes[i] })), groups: groupsSpec, grads, clip: null });
    const ours = runOurs(init, grads, null);
    for (let s = 0; s < STEPS; s++) ours.traj[s].forEach((p, i) => expectClose(p, py.params[s][i], 1e-5, 1e-12, `step ${s} param ${i}`));
    // The parameters actually moved.
    expect(Math.abs(ours.traj[STEPS - 1][0][0] - init[0][0])).toBeGreaterThan(1e-3);
  });

  it('clipGradNorm returns the same norms and the clipped trajectory matches', () => {
    const { init, grads } = setup(8);
    const py = runOracle<{ params: number[][][]; norms: number[] }>('scripts/oracle/torch_adamw.py', { params: init.map((d, i) => ({ data: d, shape: shapes[i] })), groups: groupsSpec, grads, clip: 1.0 });
    const ours = runOurs(init, grads, 1.0);
    expectClose(ours.norms, py.norms, 1e-9, 1e-12, 'grad norms');
    for (let s = 0; s < STEPS; s++) ours.traj[s].forEach((p, i) => expectClose(p, py.params[s][i], 1e-5, 1e-12, `clipped step ${s} param ${i}`));
  });
});

describe('AdamW state', () => {
  it('save/load resumes to the same trajectory', () => {
    const { init, grads } = setup(9);
    const full = runOurs(init, grads, 1.0);
    const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-adamw-'));
    const file = path.join(dir, 'opt.safetensors');
    const half = runOurs(init, grads, 1.0, 10, file);
    // A fresh optimizer over the half-way parameters, with the saved state.
    const params = half.params.map((p) => p.detach().clone().requiresGrad_(true));
    const opt = new torch.AdamW(groupsSpec.map((g) => ({ params: g.idx.map((i) => params[i]), lr: g.lr, weightDecay: g.weight_decay, betas: g.betas, eps: g.eps })));
    opt.load(file);
    for (let s = 10; s < STEPS; s++) {
      torch.scope(() => {
        params.forEach((p, i) => { p.grad = torch.tensor(new Float64Array(grads[s][i]), { shape: shapes[i] }); });
        torch.clipGradNorm(params, 1.0);
        opt.step();
        opt.zeroGrad();
      });
    }
    params.forEach((p, i) => expect(p.toFlatArray()).toEqual(full.traj[STEPS - 1][i]));
  });

  it('reports a non-finite gradient norm', () => {
    const p = torch.ones([3], { dtype: 'float32' }).requiresGrad_(true);
    p.grad = torch.tensor([1, Number.NaN, 2], { dtype: 'float32' });
    const r = torch.clipGradNorm([p], 1.0);
    expect(r.finite).toBe(false);
    expect(Number.isNaN(r.norm)).toBe(true);
  });

  it('rejects bad hyper-parameters and a mismatched state file', () => {
    const p = torch.ones([2]).requiresGrad_(true);
    expect(() => new torch.AdamW([p], { lr: -1 })).toThrow(/lr must be >= 0/);
    const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-adamw-'));
    const opt = new torch.AdamW([p]);
    p.grad = torch.ones([2]);
    opt.step();
    opt.save(path.join(dir, 'a.safetensors'));
    const q = torch.ones([3]).requiresGrad_(true);
    const opt2 = new torch.AdamW([q]);
    expect(() => opt2.load(path.join(dir, 'a.safetensors'))).toThrow(/shape/);
  });
});
