/** Bad input gives a JS Error naming the op and what was expected; the process survives. */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';

describe('errors', () => {
  it('shape mismatch names the op and the shapes', () => {
    expect(() => torch.randn([2, 3]).matmul(torch.randn([4, 5]))).toThrow(/^matmul: .*2x3 and 4x5/);
    expect(() => torch.randn([2, 3]).add(torch.randn([4]))).toThrow(/^add: The size of tensor a \(3\) must match/);
    expect(() => torch.randn([6]).view(4, 2)).toThrow(/^view: shape '\[4, 2\]' is invalid/);
    expect(() => torch.cat([torch.randn([2, 3]), torch.randn([2, 4])], 0)).toThrow(/^cat: /);
  });

  it('dtype mismatch names the op', () => {
    expect(() => torch.randn([2, 2]).matmul(torch.randn([2, 2], { dtype: 'float64' }))).toThrow(/^matmul: .*(dtype|Double|Float)/);
    expect(() => torch.randn([3]).indexSelect(0, torch.tensor([0.5]))).toThrow(/^indexSelect: /);
    expect(() => torch.embedding(torch.randn([4, 2]), torch.tensor([1.5]))).toThrow(/^embedding: /);
  });

  it('use after dispose and after a scope ends', () => {
    const t = torch.randn([3]);
    t.dispose();
    expect(() => t.add(1)).toThrow(/^add: tensor argument was disposed/);
    expect(() => torch.ones([3]).mul(t)).toThrow(/^mul: tensor argument was disposed/);
    expect(t.alive).toBe(false);
    let leaked: torch.Tensor | null = null;
    const kept = torch.scope(() => { leaked = torch.ones([2]); return torch.zeros([2]); });
    expect(() => leaked!.sum()).toThrow(/^sum: tensor argument was disposed/);
    expect(kept.sum().item()).toBe(0);
    t.dispose(); // double dispose is harmless
  });

  it('a stale handle never aliases a newer tensor', () => {
    const a = torch.ones([2]);
    a.dispose();
    const b = torch.full([2], 7); // likely reuses a's slot
    expect(() => a.sum()).toThrow(/disposed/);
    expect(b.sum().item()).toBe(14);
  });

  it('wrong argument types are named before reaching libtorch', () => {
    const t = torch.ones([2, 2]);
    expect(() => t.add('x' as unknown as number)).toThrow(/^add: expected the other operand to be a Tensor or a number, got string/);
    expect(() => t.matmul(3 as unknown as torch.Tensor)).toThrow(/^matmul: expected other to be a Tensor, got number/);
    expect(() => t.reshape(1.5 as number)).toThrow(/^reshape: expected shape to be an integer/);
    expect(() => torch.zeros([2, -1])).toThrow(/zeros: expected shape to be non-negative integers/);
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(/ragged nested array/);
    expect(() => torch.ones([2], { dtype: 'complex' as never })).toThrow(/unknown dtype 'complex'/);
    expect(() => torch.tensor(new Float32Array(5), { shape: [2, 2] })).toThrow(/fromBuffer: data has 20 bytes but shape needs 16/);
    expect(() => torch.cat([])).toThrow(/cat: expected a non-empty array/);
    expect(() => torch.scope(() => Promise.resolve(1))).toThrow(/returned a Promise/);
  });

  it('autograd misuse is an error, not a crash', () => {
    const x = torch.ones([2]).requiresGrad_(true);
    const y = x.mul(x).sum(); // mul saves its inputs, so a second backward needs retainGraph
    y.backward();
    expect(() => y.backward()).toThrow(/^backward: .*(second time|freed)/);
    expect(() => torch.ones([2], { dtype: 'int64' }).requiresGrad_(true)).toThrow(/^requiresGrad_: .*floating point/);
    expect(() => x.item()).toThrow(/^item: .*one element/);
  });
});
