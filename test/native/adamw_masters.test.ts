/**
 * AdamW with fp32 master weights (masterWeights): a bf16 parameter's update runs on its fp32
 * master with the gradient widened to fp32, and the parameter receives the rounded master. The
 * reference is plain fp32 AdamW (itself checked against torch.optim.AdamW in adamw.test.ts) over
 * an fp32 copy fed the same widened gradients; a save and load mid-way continues exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { makeData, prng } from '../helpers/tensors.js';

const shape = [6, 5], STEPS = 12;
const rnd = prng(4);
const init = makeData({ shape }, rnd);
const grads = Array.from({ length: STEPS }, () => makeData({ shape }, rnd));
const opts = { lr: 3e-3, weightDecay: 0.1 };

/** bf16 values of `data` (as the bf16 gradient holds them), as fp32 numbers. */
/** Sets `p.grad` to `data` in `dtype` (the handle made here is freed; the gradient keeps the storage). */
function setGrad(p: torch.Tensor, data: number[], dtype: 'bfloat16' | 'float32'): void {
  const g = torch.scope(() => torch.tensor(new Float32Array(data), { shape }).to(dtype));
  p.grad = g;
  g.dispose();
}
/** A leaf parameter holding `init` in `dtype` (through bf16 first when `viaBf16`). */
const leaf = (dtype: 'bfloat16' | 'float32', viaBf16 = false) => torch.scope(() => {
  const t = torch.tensor(new Float32Array(init), { shape });
  return (viaBf16 ? t.to('bfloat16').to(dtype) : t.to(dtype)).requiresGrad_(true);
});
const bf16 = (data: number[]) => torch.scope(() => torch.tensor(new Float32Array(data), { shape }).to('bfloat16').to('float32').toFlatArray());

function runMasters(stopAt: number, resume?: string, save?: string): { param: number[]; master: number[] } {
  const p = leaf('bfloat16');
  const opt = new torch.AdamW([p], { ...opts, masterWeights: true });
  expect(opt.masterCount).toBe(1);
  let s = 0;
  if (resume) { expect(opt.load(resume).masters).toBe(true); s = stopAt; }
  for (; s < (resume ? STEPS : stopAt); s++) {
    setGrad(p, grads[s], 'bfloat16');
    opt.step();
    opt.zeroGrad();
  }
  if (save) opt.save(save);
  const out = { param: p.to('float32').toFlatArray(), master: masterOf(opt) };
  opt.dispose();
  p.dispose();
  return out;
}

function masterOf(opt: torch.AdamW): number[] {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-m-')), 'o.safetensors');
  opt.save(file);
  return torch.scope(() => torch.loadSafetensors(file).get('master.0')!.toFlatArray());
}

describe('AdamW master weights', () => {
  it('updates the fp32 master like fp32 AdamW and writes the rounded master into the bf16 parameter', () => {
    const ref = leaf('float32', true);
    const refOpt = new torch.AdamW([ref], opts);
    for (let s = 0; s < STEPS; s++) {
      setGrad(ref, bf16(grads[s]), 'float32');
      refOpt.step();
      refOpt.zeroGrad();
    }
    const ours = runMasters(STEPS);
    const want = ref.toFlatArray();
    expect(ours.master).toEqual(want);
    expect(ours.param).toEqual(bf16(want));
    // The point of masters: updating the bf16 weights directly loses the small steps.
    const plain = leaf('bfloat16');
    const plainOpt = new torch.AdamW([plain], opts);
    for (let s = 0; s < STEPS; s++) { setGrad(plain, grads[s], 'bfloat16'); plainOpt.step(); plainOpt.zeroGrad(); }
    expect(plain.to('float32').toFlatArray()).not.toEqual(ours.param);
    for (const x of [refOpt, plainOpt, ref, plain]) x.dispose();
  });

  it('saves and restores the masters with the optimizer state', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-m-')), 'opt.safetensors');
    runMasters(5, undefined, file);
    expect(runMasters(5, file)).toEqual(runMasters(STEPS));
  });

  it('gives fp32 parameters no master', () => {
    const p = torch.zeros([3]).requiresGrad_(true);
    const opt = new torch.AdamW([p], { masterWeights: true });
    expect(opt.masterCount).toBe(0);
    opt.dispose();
  });
});
