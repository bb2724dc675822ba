/**
 * Every op against PyTorch (the oracle): values, and gradients of sum(out * upstream) with
 * respect to each floating input. Cases run in float64 (tight tolerance) unless they say.
 */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { type InputSpec, expectClose, fromSpec, makeData, prng, tolFor } from '../helpers/tensors.js';

type T = torch.Tensor;
interface Case {
  name: string;
  inputs: InputSpec[];
  ts: (x: T[]) => T | T[];
  py: string;
  grad?: boolean;
  tol?: { rtol: number; atol: number };
}
const f = (shape: number[], o: Partial<InputSpec> = {}): InputSpec => ({ shape, dtype: 'float64', ...o });
const g = (shape: number[], o: Partial<InputSpec> = {}): InputSpec => f(shape, { requiresGrad: true, ...o });
const idx = (shape: number[], max: number): InputSpec => ({ shape, dtype: 'int64', kind: 'int', max });
const mask = (shape: number[]): InputSpec => ({ shape, dtype: 'bool', kind: 'bool' });

const cases: Case[] = [
  // views and shape ops
  { name: 'reshape', inputs: [g([2, 6])], ts: ([a]) => a.reshape(3, 4), py: 'x0.reshape(3, 4)', grad: true },
  { name: 'view', inputs: [g([2, 6])], ts: ([a]) => a.view([4, -1]), py: 'x0.view(4, -1)', grad: true },
  { name: 'permute', inputs: [g([2, 3, 4])], ts: ([a]) => a.permute(2, 0, 1), py: 'x0.permute(2, 0, 1)', grad: true },
  { name: 'transpose', inputs: [g([2, 3, 4])], ts: ([a]) => a.transpose(0, 2), py: 'x0.transpose(0, 2)', grad: true },
  { name: 'contiguous', inputs: [g([3, 4])], ts: ([a]) => a.T.contiguous(), py: 'x0.T.contiguous()', grad: true },
  { name: 'cat', inputs: [g([2, 3]), g([1, 3])], ts: ([a, b]) => torch.cat([a, b], 0), py: 'torch.cat([x0, x1], 0)', grad: true },
  { name: 'stack', inputs: [g([2, 3]), g([2, 3])], ts: ([a, b]) => torch.stack([a, b], 1), py: 'torch.stack([x0, x1], 1)', grad: true },
  { name: 'split', inputs: [g([5, 2])], ts: ([a]) => a.split(2, 0), py: 'x0.split(2, 0)', grad: true },
  { name: 'split sizes', inputs: [g([2, 6])], ts: ([a]) => a.split([1, 2, 3], 1), py: 'x0.split([1, 2, 3], 1)', grad: true },
  { name: 'chunk', inputs: [g([6, 2])], ts: ([a]) => a.chunk(3, 0), py: 'x0.chunk(3, 0)', grad: true },
  { name: 'narrow', inputs: [g([4, 5])], ts: ([a]) => a.narrow(1, 1, 3), py: 'x0.narrow(1, 1, 3)', grad: true },
  { name: 'slice step', inputs: [g([7, 2])], ts: ([a]) => a.slice(0, 1, null, 2), py: 'x0[1::2]', grad: true },
  { name: 'select', inputs: [g([3, 4])], ts: ([a]) => a.select(1, -1), py: 'x0[:, -1]', grad: true },
  { name: 'unsqueeze', inputs: [g([3, 4])], ts: ([a]) => a.unsqueeze(1), py: 'x0.unsqueeze(1)', grad: true },
  { name: 'squeeze', inputs: [g([3, 1, 4])], ts: ([a]) => a.squeeze(1), py: 'x0.squeeze(1)', grad: true },
  { name: 'squeeze all', inputs: [g([1, 3, 1])], ts: ([a]) => a.squeeze(), py: 'x0.squeeze()', grad: true },
  { name: 'expand', inputs: [g([3, 1])], ts: ([a]) => a.expand(3, 4), py: 'x0.expand(3, 4)', grad: true },
  { name: 'flatten', inputs: [g([2, 3, 4])], ts: ([a]) => a.flatten(1), py: 'x0.flatten(1)', grad: true },
  { name: 'repeat', inputs: [g([2, 3])], ts: ([a]) => a.repeat(2, 1), py: 'x0.repeat(2, 1)', grad: true },
  { name: 'repeatInterleave', inputs: [g([2, 3])], ts: ([a]) => a.repeatInterleave(2, 0), py: 'x0.repeat_interleave(2, 0)', grad: true },
  { name: 'flip', inputs: [g([3, 4])], ts: ([a]) => a.flip([1]), py: 'x0.flip([1])', grad: true },
  { name: 'tril/triu', inputs: [g([4, 4])], ts: ([a]) => [a.tril(), a.triu(1)], py: '(x0.tril(), x0.triu(1))', grad: true },
  { name: 'pad', inputs: [g([2, 3])], ts: ([a]) => a.pad([1, 2], -1), py: 'F.pad(x0, (1, 2), value=-1)', grad: true },
  // indexing
  { name: 'index_select', inputs: [g([5, 3]), idx([4], 5)], ts: ([a, i]) => a.indexSelect(0, i), py: 'x0.index_select(0, x1)', grad: true },
  { name: 'gather', inputs: [g([3, 5]), idx([3, 2], 5)], ts: ([a, i]) => a.gather(1, i), py: 'x0.gather(1, x1)', grad: true },
  { name: 'scatter', inputs: [g([3, 5]), idx([3, 1], 5), g([3, 1])], ts: ([a, i, s]) => a.scatter(1, i, s), py: 'x0.scatter(1, x1, x2)', grad: true },
  { name: 'scatter_add', inputs: [g([3, 5]), idx([3, 4], 5), g([3, 4])], ts: ([a, i, s]) => a.scatterAdd(1, i, s), py: 'x0.scatter_add(1, x1, x2)', grad: true },
  { name: 'masked_fill', inputs: [g([3, 4]), mask([3, 4])], ts: ([a, m]) => a.maskedFill(m, -7.5), py: 'x0.masked_fill(x1, -7.5)', grad: true },
  { name: 'boolean mask select', inputs: [g([3, 4]), mask([3, 4])], ts: ([a, m]) => a.maskedSelect(m), py: 'x0[x1]', grad: true },
  { name: 'where', inputs: [mask([3, 4]), g([3, 4]), g([3, 4])], ts: ([c, a, b]) => torch.where(c, a, b), py: 'torch.where(x0, x1, x2)', grad: true },
  { name: 'where scalar', inputs: [mask([3, 4]), g([3, 4])], ts: ([c, a]) => torch.where(c, a, 0.5), py: 'torch.where(x0, x1, 0.5)', grad: true },
  { name: 'advanced index', inputs: [g([4, 5]), idx([3], 4), idx([3], 5)], ts: ([a, i, j]) => a.index([i, j]), py: 'x0[x1, x2]', grad: true },
  { name: 'index with null', inputs: [g([4, 5]), idx([2], 5)], ts: ([a, j]) => a.index([null, j]), py: 'x0[:, x1]', grad: true },
  { name: 'nonzero', inputs: [mask([3, 4])], ts: ([m]) => m.nonzero(), py: 'x0.nonzero()' },
  // elementwise
  { name: 'add/sub/mul/div', inputs: [g([3, 4]), g([4], { kind: 'positive' })], ts: ([a, b]) => [a.add(b), a.sub(b), a.mul(b), a.div(b)], py: '(x0 + x1, x0 - x1, x0 * x1, x0 / x1)', grad: true },
  { name: 'scalar ops', inputs: [g([3, 4])], ts: ([a]) => [a.add(2), a.sub(0.5), a.mul(3), a.div(4), a.rsub(1)], py: '(x0 + 2, x0 - 0.5, x0 * 3, x0 / 4, 1 - x0)', grad: true },
  { name: 'pow', inputs: [g([3, 4], { kind: 'positive' }), g([3, 4])], ts: ([a, b]) => [a.pow(b), a.pow(2)], py: '(x0 ** x1, x0 ** 2)', grad: true },
  { name: 'comparisons', inputs: [f([3, 4]), f([3, 4])], ts: ([a, b]) => [a.eq(b), a.ne(a), a.lt(b), a.le(0), a.gt(b), a.ge(0.1)], py: '(x0 == x1, x0 != x0, x0 < x1, x0 <= 0, x0 > x1, x0 >= 0.1)' },
  { name: 'maximum/minimum', inputs: [g([3, 4]), g([3, 4])], ts: ([a, b]) => [a.maximum(b), a.minimum(b)], py: '(torch.maximum(x0, x1), torch.minimum(x0, x1))', grad: true },
  { name: 'logical', inputs: [mask([6]), mask([6])], ts: ([a, b]) => [a.logicalAnd(b), a.logicalOr(b), a.logicalNot()], py: '(x0 & x1, x0 | x1, ~x0)' },
  { name: 'exp/log/sqrt', inputs: [g([3, 4], { kind: 'positive' })], ts: ([a]) => [a.exp(), a.log(), a.sqrt(), a.rsqrt(), a.log1p(), a.expm1(), a.reciprocal()], py: '(x0.exp(), x0.log(), x0.sqrt(), x0.rsqrt(), x0.log1p(), x0.expm1(), x0.reciprocal())', grad: true },
  { name: 'activations', inputs: [g([3, 5])], ts: ([a]) => [a.sigmoid(), a.tanh(), a.relu(), a.silu(), a.gelu(), a.gelu('tanh'), a.logsigmoid()], py: '(x0.sigmoid(), x0.tanh(), x0.relu(), F.silu(x0), F.gelu(x0), F.gelu(x0, approximate="tanh"), F.logsigmoid(x0))', grad: true },
  { name: 'abs/neg/sign/square', inputs: [g([3, 4])], ts: ([a]) => [a.abs(), a.neg(), a.sign(), a.square(), a.sin(), a.cos()], py: '(x0.abs(), -x0, x0.sign(), x0.square(), x0.sin(), x0.cos())', grad: true },
  { name: 'floor/ceil/round', inputs: [f([3, 4])], ts: ([a]) => [a.mul(3).floor(), a.mul(3).ceil(), a.mul(3).round()], py: '((x0*3).floor(), (x0*3).ceil(), (x0*3).round())' },
  { name: 'clamp', inputs: [g([3, 4])], ts: ([a]) => [a.clamp(-0.5, 0.5), a.clamp(null, 0.2), a.clamp(0)], py: '(x0.clamp(-0.5, 0.5), x0.clamp(max=0.2), x0.clamp(min=0))', grad: true },
  { name: 'clamp tensors', inputs: [g([3, 4]), f([3, 4])], ts: ([a, b]) => a.clamp(b, null), py: 'torch.clamp(x0, min=x1)', grad: true },
  { name: 'lerp', inputs: [g([4]), g([4])], ts: ([a, b]) => a.lerp(b, 0.3), py: 'torch.lerp(x0, x1, 0.3)', grad: true },
  { name: 'int arithmetic keeps dtype', inputs: [idx([5], 10)], ts: ([a]) => [a.add(1), a.mul(2), a.floorDivide(3), a.remainder(3)], py: '(x0 + 1, x0 * 2, x0 // 3, x0 % 3)' },
  { name: 'isnan/isfinite', inputs: [f([4])], ts: ([a]) => { const z = a.div(0); return [z.isnan(), z.isfinite(), z.isinf()]; }, py: '((x0/0).isnan(), (x0/0).isfinite(), (x0/0).isinf())' },
  // reductions
  { name: 'sum/mean', inputs: [g([3, 4, 2])], ts: ([a]) => [a.sum(), a.sum(1), a.sum([0, 2], true), a.mean(), a.mean(-1)], py: '(x0.sum(), x0.sum(1), x0.sum([0, 2], keepdim=True), x0.mean(), x0.mean(-1))', grad: true },
  { name: 'max/min', inputs: [g([3, 5])], ts: ([a]) => [a.max(), ...a.max(1), a.min(), ...a.min(0, true)], py: '(x0.max(), *x0.max(1), x0.min(), *x0.min(0, keepdim=True))', grad: true },
  { name: 'amax/argmax/argmin', inputs: [f([3, 5])], ts: ([a]) => [a.amax(1), a.argmax(), a.argmax(1), a.argmin(0, true)], py: '(x0.amax(1), x0.argmax(), x0.argmax(1), x0.argmin(0, keepdim=True))' },
  { name: 'logsumexp', inputs: [g([3, 5])], ts: ([a]) => [a.logsumexp(1), a.logsumexp([0, 1], true)], py: '(x0.logsumexp(1), x0.logsumexp([0, 1], keepdim=True))', grad: true },
  { name: 'topk', inputs: [g([3, 6])], ts: ([a]) => a.topk(3, 1), py: 'x0.topk(3, 1)', grad: true },
  { name: 'topk smallest', inputs: [f([3, 6])], ts: ([a]) => a.topk(2, 0, false), py: 'x0.topk(2, 0, largest=False)' },
  { name: 'cumsum', inputs: [g([3, 4])], ts: ([a]) => a.cumsum(1), py: 'x0.cumsum(1)', grad: true },
  { name: 'sort', inputs: [g([3, 6])], ts: ([a]) => [...a.sort(1), ...a.sort(0, true)], py: '(*x0.sort(1), *x0.sort(0, descending=True))', grad: true },
  { name: 'argsort', inputs: [f([8])], ts: ([a]) => a.argsort(0, true), py: 'x0.argsort(0, descending=True)' },
  { name: 'std/var unbiased', inputs: [g([4, 5])], ts: ([a]) => [a.std(), a.std(1), a.var(0, false), a.var(null, true, true)], py: "(x0.std(), x0.std(1), x0.var(0, unbiased=False), x0.var(dim=None, correction=1, keepdim=True))", grad: true },
  { name: 'prod/norm', inputs: [g([3, 4], { kind: 'positive' })], ts: ([a]) => [a.prod(1), a.norm(), a.norm(1, 1)], py: '(x0.prod(1), x0.norm(), x0.norm(1, dim=1))', grad: true },
  { name: 'all/any', inputs: [mask([3, 4])], ts: ([m]) => [m.all(), m.any(1)], py: '(x0.all(), x0.any(1))' },
  // linear algebra and nn
  { name: 'matmul', inputs: [g([2, 3, 4]), g([4, 5])], ts: ([a, b]) => a.matmul(b), py: 'x0 @ x1', grad: true },
  { name: 'mm/bmm', inputs: [g([3, 4]), g([4, 2]), g([2, 3, 4]), g([2, 4, 5])], ts: ([a, b, c, d]) => [a.mm(b), c.bmm(d)], py: '(x0.mm(x1), x2.bmm(x3))', grad: true },
  { name: 'linear', inputs: [g([2, 3, 4]), g([5, 4]), g([5])], ts: ([x, w, b]) => torch.linear(x, w, b), py: 'F.linear(x0, x1, x2)', grad: true },
  { name: 'linear no bias', inputs: [g([3, 4]), g([5, 4])], ts: ([x, w]) => torch.linear(x, w), py: 'F.linear(x0, x1)', grad: true },
  { name: 'softmax/log_softmax', inputs: [g([3, 5])], ts: ([a]) => [a.softmax(-1), a.logSoftmax(1), a.softmax(0)], py: '(x0.softmax(-1), x0.log_softmax(1), x0.softmax(0))', grad: true },
  { name: 'embedding', inputs: [g([6, 3]), idx([2, 4], 6)], ts: ([w, i]) => torch.embedding(w, i), py: 'F.embedding(x1, x0)', grad: true },
  { name: 'layer_norm', inputs: [g([2, 3, 6]), g([6]), g([6])], ts: ([x, w, b]) => torch.layerNorm(x, [6], w, b, 1e-5), py: 'F.layer_norm(x0, [6], x1, x2, 1e-5)', grad: true },
  { name: 'rms_norm', inputs: [g([2, 3, 6]), g([6])], ts: ([x, w]) => torch.rmsNorm(x, [6], w, 1e-6), py: 'F.rms_norm(x0, [6], x1, 1e-6)', grad: true },
  { name: 'conv2d', inputs: [g([2, 3, 7, 6]), g([4, 3, 3, 3]), g([4])], ts: ([x, w, b]) => torch.conv2d(x, w, b, { stride: 2, padding: 1 }), py: 'F.conv2d(x0, x1, x2, stride=2, padding=1)', grad: true },
  { name: 'conv3d patch embed', inputs: [g([4, 3, 2, 4, 4]), g([5, 3, 2, 4, 4])], ts: ([x, w]) => torch.conv3d(x, w, null, { stride: [2, 4, 4] }), py: 'F.conv3d(x0, x1, None, stride=(2, 4, 4))', grad: true },
  { name: 'sdpa', inputs: [g([2, 2, 5, 4]), g([2, 2, 5, 4]), g([2, 2, 5, 4])], ts: ([q, k, v]) => torch.scaledDotProductAttention(q, k, v), py: 'F.scaled_dot_product_attention(x0, x1, x2)', grad: true },
  { name: 'sdpa causal', inputs: [g([1, 2, 6, 4]), g([1, 2, 6, 4]), g([1, 2, 6, 4])], ts: ([q, k, v]) => torch.scaledDotProductAttention(q, k, v, { isCausal: true }), py: 'F.scaled_dot_product_attention(x0, x1, x2, is_causal=True)', grad: true },
  { name: 'sdpa bool mask + scale', inputs: [g([1, 2, 4, 4]), g([1, 2, 6, 4]), g([1, 2, 6, 4]), mask([1, 1, 4, 6])], ts: ([q, k, v, m]) => torch.scaledDotProductAttention(q, k, v, { mask: m.logicalOr(torch.eye(4, { dtype: 'bool' }).pad([0, 2]).reshape(1, 1, 4, 6)), scale: 0.3 }), py: 'F.scaled_dot_product_attention(x0, x1, x2, attn_mask=x3 | F.pad(torch.eye(4, dtype=torch.bool), (0, 2)).reshape(1, 1, 4, 6), scale=0.3)', grad: true },
  { name: 'sdpa gqa', inputs: [g([1, 4, 3, 4]), g([1, 2, 3, 4]), g([1, 2, 3, 4])], ts: ([q, k, v]) => torch.scaledDotProductAttention(q, k, v, { enableGqa: true, isCausal: true }), py: 'F.scaled_dot_product_attention(x0, x1, x2, enable_gqa=True, is_causal=True)', grad: true },
  { name: 'cross_entropy', inputs: [g([4, 5]), idx([4], 5)], ts: ([l, t]) => torch.crossEntropy(l, t), py: 'F.cross_entropy(x0, x1)', grad: true },
  { name: 'token log-probs', inputs: [g([2, 3, 7]), idx([2, 3], 7)], ts: ([l, t]) => { const r = torch.tokenLogProbs(l, t, { temperature: 0.7, entropy: true, chunk: 4 }); return [r.logProbs, r.entropy!]; }, py: '((x0/0.7).log_softmax(-1).gather(-1, x1.unsqueeze(-1)).squeeze(-1), -((x0/0.7).softmax(-1) * (x0/0.7).log_softmax(-1)).sum(-1))', grad: true },
  { name: 'one_hot', inputs: [idx([5], 4)], ts: ([i]) => torch.oneHot(i, 4), py: 'F.one_hot(x0, 4)' },
  { name: 'einsum', inputs: [g([2, 3]), g([3, 4])], ts: ([a, b]) => torch.einsum('ij,jk->ik', a, b), py: 'torch.einsum("ij,jk->ik", x0, x1)', grad: true },
  // dtype casts and float32 paths
  { name: 'casts', inputs: [f([6])], ts: ([a]) => [a.mul(3).to('int64'), a.to('float32'), a.to('bfloat16').to('float64'), a.gt(0).to('float32')], py: '((x0*3).to(torch.int64), x0.float(), x0.bfloat16().double(), (x0 > 0).float())' },
  { name: 'float32 matmul+softmax', inputs: [g([4, 8], { dtype: 'float32' }), g([8, 3], { dtype: 'float32' })], ts: ([a, b]) => a.matmul(b).softmax(-1), py: '(x0 @ x1).softmax(-1)', grad: true, tol: { rtol: 1e-5, atol: 1e-6 } },
  { name: 'bfloat16 linear', inputs: [f([4, 8], { dtype: 'bfloat16' }), f([3, 8], { dtype: 'bfloat16' })], ts: ([a, b]) => torch.linear(a, b), py: 'F.linear(x0, x1)' },
];

describe.runIf(oracleAvailable(['torch']))('ops match PyTorch', () => {
  const rnd = prng(1234);
  const prepared = cases.map((c) => ({ c, data: c.inputs.map((s) => makeData(s, rnd)) }));
  // First compute on our side (also gives output shapes for the upstream weights).
  const ours = prepared.map(({ c, data }) => torch.scope(() => {
    const xs = c.inputs.map((s, i) => fromSpec(s, data[i]));
    const out = c.ts(xs);
    const outs = Array.isArray(out) ? out : [out];
    const upstream = outs.map((o) => makeData({ shape: o.shape }, rnd));
    let grads: (number[] | null)[] | null = null;
    if (c.grad) {
      let loss: torch.Tensor | null = null;
      outs.forEach((o, k) => {
        if (!o.requiresGrad) return;
        const w = torch.tensor(new Float64Array(upstream[k]), { shape: o.shape, dtype: o.dtype });
        const term = o.mul(w).sum();
        loss = loss ? loss.add(term) : term;
      });
      if (!loss) throw new Error(`${c.name}: no output requires grad`);
      (loss as torch.Tensor).backward();
      grads = xs.map((x) => { const gr = x.grad; return gr ? gr.to('float64').toFlatArray() : null; });
    }
    return {
      outs: outs.map((o) => ({ data: o.dtype === 'bool' ? o.to('int64').toFlatArray() : o.toFlatArray(), shape: o.shape, dtype: o.dtype })),
      upstream, grads,
    };
  }));
  const oracle = runOracle<{ results: Array<{ outs?: Array<{ data: number[]; shape: number[]; dtype: string }>; grads?: (number[] | null)[]; error?: string }> }>(
    'scripts/oracle/torch_eval.py',
    {
      cases: prepared.map(({ c, data }, i) => ({
        expr: c.py,
        inputs: c.inputs.map((s, k) => ({ data: data[k], shape: s.shape, dtype: s.dtype ?? 'float64', requires_grad: !!s.requiresGrad })),
        grad: !!c.grad,
        upstream: ours[i].upstream,
      })),
    },
  );

  prepared.forEach(({ c }, i) => {
    it(c.name, () => {
      const py = oracle.results[i];
      expect(py.error, `oracle error for ${c.name}`).toBeUndefined();
      const o = ours[i];
      expect(o.outs.length).toBe(py.outs!.length);
      o.outs.forEach((out, k) => {
        expect(out.shape, `${c.name} out ${k} shape`).toEqual(py.outs![k].shape);
        expect(out.dtype, `${c.name} out ${k} dtype`).toBe(py.outs![k].dtype);
        const tol = c.tol ?? tolFor(out.dtype);
        expectClose(out.data, py.outs![k].data, tol.rtol, tol.atol, `${c.name} out ${k}`);
      });
      if (c.grad) {
        py.grads!.forEach((pg, k) => {
          if (pg === null) { expect(o.grads![k], `${c.name} grad ${k} should be absent`).toBeNull(); return; }
          expect(o.grads![k], `${c.name} grad ${k}`).not.toBeNull();
          const tol = c.tol ?? tolFor(c.inputs[k].dtype ?? 'float64');
          expectClose(o.grads![k]!, pg, tol.rtol * 10, tol.atol * 10, `${c.name} grad ${k}`);
        });
      }
    });
  });
});
