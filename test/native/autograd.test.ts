/** Autograd semantics: backward with a gradient, accumulation, grad modes, finite differences. */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { expectClose } from '../helpers/tensors.js';

describe('autograd', () => {
  it('gradients match central finite differences (float64)', () => {
    // f(x, w) = sum(log_softmax(tanh(x @ w) * 3) ^ 2): a composite of several ops.
    const x = torch.randn([3, 4], { dtype: 'float64' }).requiresGrad_(true);
    const w = torch.randn([4, 5], { dtype: 'float64' }).requiresGrad_(true);
    const f = (a: torch.Tensor, b: torch.Tensor) => torch.scope(() => a.matmul(b).tanh().mul(3).logSoftmax(-1).square().sum().item());
    const loss = x.matmul(w).tanh().mul(3).logSoftmax(-1).square().sum();
    loss.backward();
    for (const [p, other, first] of [[x, w, true], [w, x, false]] as const) {
      const base = p.toFlatArray();
      const numeric: number[] = [];
      const eps = 1e-6;
      for (let i = 0; i < base.length; i++) {
        const plus = base.slice(); plus[i] += eps;
        const minus = base.slice(); minus[i] -= eps;
        const tp = torch.tensor(new Float64Array(plus), { shape: p.shape });
        const tm = torch.tensor(new Float64Array(minus), { shape: p.shape });
        const fp = first ? f(tp, other) : f(other, tp);
        const fm = first ? f(tm, other) : f(other, tm);
        numeric.push((fp - fm) / (2 * eps));
      }
      expectClose(p.grad!.toFlatArray(), numeric, 1e-6, 1e-7, 'finite differences');
    }
  });

  it('backward with an explicit gradient, accumulation, and retainGraph', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float64' }).requiresGrad_(true);
    const y = x.mul(x); // dy/dx = 2x
    y.backward(torch.tensor([1, 0.5, 2], { dtype: 'float64' }), true);
    expect(x.grad!.toFlatArray()).toEqual([2, 2, 12]);
    y.backward(torch.tensor([1, 1, 1], { dtype: 'float64' }));
    expect(x.grad!.toFlatArray()).toEqual([4, 6, 18]); // accumulated
    x.grad = null;
    expect(x.grad).toBeNull();
    expect(() => x.mul(2).backward()).toThrow(/scalar/);
  });

  it('noGrad, inferenceMode, enableGrad and detach', () => {
    const x = torch.ones([2]).requiresGrad_(true);
    expect(torch.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(torch.noGrad(() => torch.enableGrad(() => x.mul(2)).requiresGrad)).toBe(true);
    expect(torch.inferenceMode(() => x.mul(2)).requiresGrad).toBe(false);
    expect(x.mul(2).detach().requiresGrad).toBe(false);
    expect(() => torch.noGrad(() => { throw new Error('inner'); })).toThrow('inner');
    expect(torch.isGradEnabled()).toBe(true); // restored after a throw
  });

  it('functional grad leaves .grad untouched', () => {
    const x = torch.tensor([1, 2], { dtype: 'float64' }).requiresGrad_(true);
    const [g] = torch.grad(x.pow(3).sum(), [x]);
    expect(g!.toFlatArray()).toEqual([3, 12]);
    expect(x.grad).toBeNull();
  });

  it('a training loop lowers the loss and changes every parameter', () => {
    torch.manualSeed(0);
    const X = torch.randn([64, 8]);
    const Y = X.matmul(torch.randn([8, 1])).add(0.1);
    const W = torch.randn([8, 1]).mul(0.1).requiresGrad_(true);
    const b = torch.zeros([1]).requiresGrad_(true);
    const opt = new torch.AdamW([W, b], { lr: 0.05, weightDecay: 0 });
    const w0 = W.toFlatArray(), b0 = b.toFlatArray();
    const losses: number[] = [];
    for (let i = 0; i < 50; i++) {
      losses.push(torch.scope(() => {
        const loss = torch.linear(X, W.T, b).sub(Y).square().mean();
        loss.backward();
        opt.step();
        opt.zeroGrad();
        return loss.item();
      }));
    }
    expect(losses[49]).toBeLessThan(losses[0] * 0.2);
    expect(W.toFlatArray().every((v, i) => v !== w0[i])).toBe(true);
    expect(b.toFlatArray()[0]).not.toBe(b0[0]);
  });
});

describe('random', () => {
  it('manualSeed + randn reproduces and generators are independent', () => {
    torch.manualSeed(42);
    const a = torch.randn([5]).toFlatArray();
    torch.manualSeed(42);
    const b = torch.randn([5]).toFlatArray();
    expect(a).toEqual(b);
    const g1 = new torch.Generator(7), g2 = new torch.Generator(7);
    expect(torch.rand([4], { generator: g1 }).toFlatArray()).toEqual(torch.rand([4], { generator: g2 }).toFlatArray());
    const st = g1.getState();
    const next = torch.randn([3], { generator: g1 }).toFlatArray();
    g1.setState(st);
    expect(torch.randn([3], { generator: g1 }).toFlatArray()).toEqual(next);
  });

  it('multinomial follows the given probabilities', () => {
    const g = new torch.Generator(1);
    const probs = torch.tensor([0.1, 0.6, 0.3]);
    const s = torch.multinomial(probs, 20000, true, g).toFlatArray();
    const freq = [0, 1, 2].map((k) => s.filter((v) => v === k).length / s.length);
    expectClose(freq, [0.1, 0.6, 0.3], 0, 0.015, 'multinomial frequencies');
  });

  it('dropout zeroes about p and rescales the rest', () => {
    torch.manualSeed(3);
    const y = torch.dropout(torch.ones([10000]), 0.25, true).toFlatArray();
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(Math.abs(zeros - 0.25)).toBeLessThan(0.02);
    expect(y.find((v) => v !== 0)).toBeCloseTo(1 / 0.75, 6);
    expect(torch.dropout(torch.ones([4]), 0.5, false).toFlatArray()).toEqual([1, 1, 1, 1]);
  });
});
