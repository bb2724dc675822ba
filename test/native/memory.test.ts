/** Native memory: scopes free what they made; 100,000 ops leave resident memory flat. */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';

function rssMB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

describe('memory', () => {
  it('100,000 ops inside scopes leave RSS flat (within 50 MB) and no live tensors', () => {
    const x = torch.randn([64, 64]);
    const w = torch.randn([64, 64]);
    const before = torch.memoryStats().liveTensors;
    const body = () => {
      for (let i = 0; i < 100; i++) {
        torch.scope(() => {
          let y = x.matmul(w);
          for (let k = 0; k < 8; k++) y = y.add(x).relu().mul(0.5);
          return y.sum();
        }).dispose();
      }
    };
    // Warm up allocator caches before the baseline.
    for (let r = 0; r < 5; r++) body();
    const base = rssMB();
    let ops = 0;
    for (let r = 0; r < 40; r++) { body(); ops += 100 * 26; }
    const after = rssMB();
    expect(ops).toBeGreaterThanOrEqual(100_000);
    expect(after - base).toBeLessThan(50);
    expect(torch.memoryStats().liveTensors).toBe(before);
    expect(torch.memoryStats().scopeDepth).toBe(0);
  });

  it('scope keeps returned tensors (nested in arrays and objects) and frees the rest', () => {
    const before = torch.memoryStats().liveTensors;
    const out = torch.scope(() => {
      const a = torch.ones([2]);
      const tmp = a.mul(3);
      return { list: [a.add(1)], nested: { t: tmp.sub(1) }, n: 5 };
    });
    expect(torch.memoryStats().liveTensors).toBe(before + 2);
    expect(out.list[0].toFlatArray()).toEqual([2, 2]);
    expect(out.nested.t.toFlatArray()).toEqual([2, 2]);
    // Nested scopes: the inner result survives into the outer scope, then is freed there.
    torch.scope(() => {
      const inner = torch.scope(() => torch.ones([3]));
      expect(inner.alive).toBe(true);
    });
    out.list[0].dispose();
    out.nested.t.dispose();
    expect(torch.memoryStats().liveTensors).toBe(before);
  });

  it('Symbol.dispose frees a tensor', () => {
    const before = torch.memoryStats().liveTensors;
    const t = torch.zeros([8]);
    t[Symbol.dispose]();
    expect(torch.memoryStats().liveTensors).toBe(before);
  });
});
