/** Test helpers: deterministic input data and tensor comparison. */
import { expect } from 'vitest';
import { torch } from '../../lib/index.js';
import type { DType } from '../../lib/torch/dtype.js';

export { prng } from './prng.js';

export type InputKind = 'normal' | 'positive' | 'int' | 'bool' | 'unit';
export interface InputSpec { shape: number[]; dtype?: DType; kind?: InputKind; max?: number; requiresGrad?: boolean }

export function makeData(spec: InputSpec, rnd: () => number): number[] {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (spec.kind ?? 'normal') {
      case 'normal': {
        const u = Math.max(rnd(), 1e-12), v = rnd();
        out.push(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        break;
      }
      case 'positive': out.push(0.5 + 2 * rnd()); break;
      case 'unit': out.push(rnd()); break;
      case 'int': out.push(Math.floor(rnd() * (spec.max ?? 5))); break;
      case 'bool': out.push(rnd() < 0.5 ? 1 : 0); break;
    }
  }
  return out;
}

export function fromSpec(spec: InputSpec, data: number[]): torch.Tensor {
  const dtype = spec.dtype ?? 'float64';
  const t = torch.tensor(new Float64Array(data), { shape: spec.shape, dtype });
  if (spec.requiresGrad) t.requiresGrad_(true);
  return t;
}

export function tolFor(dtype: string): { rtol: number; atol: number } {
  switch (dtype) {
    case 'float64': return { rtol: 1e-9, atol: 1e-10 };
    case 'float32': return { rtol: 1e-5, atol: 1e-5 };
    case 'float16': return { rtol: 2e-3, atol: 2e-3 };
    case 'bfloat16': return { rtol: 1e-2, atol: 1e-2 };
    default: return { rtol: 0, atol: 0 };
  }
}

/** Asserts two flat number arrays are elementwise close; reports the worst index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) { worst = i; worstErr = err; }
  }
  if (worst >= 0) {
    throw new Error(`${what}: mismatch at ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}
