/**
 * GRPO math (lib/grpo): hand-computed cases from docs/method.md, "GRPO advantage", "Policy update" and "Multi-reward variant", and values plus gradients
 * w.r.t. logπθ against an independent torch reference (scripts/oracle/grpo_reference.py).
 */
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { KL_PENALTIES } from '../../lib/config/train.js';
import {
  type AggregationContext, type ClipConfig, type KlConfig, type KlType, type LossAggregation, SR1_CLIP,
  aggregateLoss, broadcastToTokens, grpoAdvantages, grpoMicroBatchLoss, grpoMultiRewardMicroBatchLoss,
  klPenalty, maskedMean, multiChannelAdvantages, ppoClipLoss,
} from '../../lib/grpo/index.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { expectClose, makeData, prng } from '../helpers/tensors.js';

type Tensor = torch.Tensor;
const f64 = (rows: number[][]) => torch.tensor(rows, { dtype: 'float64' });
const leaf = (rows: number[][]) => f64(rows).requiresGrad_(true);
const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('GRPO advantages (docs/method.md, "GRPO advantage")', () => {
  it('a 2-sample group gives ±(1/2)/(1/√2 + 1e-6); all-equal groups give exactly 0', () => {
    const a = grpoAdvantages([0, 1, 0.7, 0.7, 0.7], ['p', 'p', 'q', 'q', 'q']);
    const expected = 0.5 / (Math.SQRT1_2 + 1e-6); // μ = 1/2, unbiased σ = √(2·¼/1) = 1/√2
    close(a[0], -expected);
    close(a[1], expected);
    expect(a.slice(2)).toEqual([0, 0, 0]);
  });

  it('8 samples, 3 correct: unbiased std over the group, groups need not be contiguous', () => {
    const scores = [1, 0, 0, 1, 0, 0, 1, 0];
    const ids = scores.map((_, i) => (i % 2 === 0 ? 'a' : 'b')).concat();
    // Group a = [1, 0, 0, 1] (indices 0,2,4,6 → 1,0,0,1): μ = 1/2, σ = √(4·¼/3) = 1/√3.
    // Group b = [0, 1, 0, 0] (indices 1,3,5,7): μ = 1/4, σ = √((3·1/16 + 9/16)/3) = √(1/4) = 1/2.
    const a = grpoAdvantages(scores, ids);
    const sa = 1 / Math.sqrt(3);
    const expected = [0.5 / (sa + 1e-6), -0.25 / (0.5 + 1e-6), -0.5 / (sa + 1e-6), 0.75 / (0.5 + 1e-6), -0.5 / (sa + 1e-6), -0.25 / (0.5 + 1e-6), 0.5 / (sa + 1e-6), -0.25 / (0.5 + 1e-6)];
    expectClose(a, expected, 1e-13, 0, 'advantages');
  });

  it('options: population std, mean-centred only, singleton policies', () => {
    close(grpoAdvantages([0, 1], [1, 1], { unbiased: false })[1], 0.5 / (0.5 + 1e-6));
    expect(grpoAdvantages([0, 1, 3], [1, 1, 1], { normByStd: false })).toEqual([-4 / 3, 1 - 4 / 3, 3 - 4 / 3]);
    expect(() => grpoAdvantages([1, 0, 2], ['a', 'a', 'b'])).toThrow(/group b has a single sample \(index 2\)/);
    expect(grpoAdvantages([1, 0, 2], ['a', 'a', 'b'], { singleton: 'zero' })[2]).toBe(0);
    close(grpoAdvantages([1, 0, 2], ['a', 'a', 'b'], { singleton: 'verl' })[2], 2 / (1 + 1e-6));
    expect(() => grpoAdvantages([1, 2], ['a'])).toThrow(/one group id per score/);
    expect(() => grpoAdvantages([1, NaN], ['a', 'a'])).toThrow(/score 1 \(group a\) is NaN/);
  });

  it('multi-channel: per-channel z-score times the channel weight (docs/method.md, "Channel advantages")', () => {
    const ids = ['u', 'u', 'v', 'v'];
    const r = multiChannelAdvantages({ ans: [1, 0, 1, 1], vis: [0, 1, 1, 0] }, ids, { vis: 0.5 });
    const z = 0.5 / (Math.SQRT1_2 + 1e-6);
    expectClose(r.ans, [z, -z, 0, 0], 1e-13, 0, 'ans');
    expectClose(r.vis, [-z / 2, z / 2, z / 2, -z / 2], 1e-13, 0, 'vis');
    expect(() => multiChannelAdvantages({ ans: [1, 0] }, [1, 1], { vis: 1 })).toThrow(/unknown channel 'vis'/);
    expect(() => multiChannelAdvantages({ ans: [1, 0] }, [1, 1], { ans: -1 })).toThrow(/'ans' must be a finite number >= 0/);
    expect(() => multiChannelAdvantages({ ans: [1, 0, 1] }, [1, 1, 2])).toThrow(/channel 'ans'.*single sample/);
  });

  it('broadcastToTokens puts A on every valid token', () => {
    const t = broadcastToTokens([2, -1], f64([[1, 1, 0], [1, 0, 0]]), 'float64');
    expectClose(t.toFlatArray(), [2, 2, 0, -1, 0, 0], 0, 0, 'A·mask');
    expect(() => broadcastToTokens([1], f64([[1], [1]]))).toThrow(/1 advantages for a responseMask with 2 rows/);
  });
});

describe('PPO clip / dual clip (docs/method.md, "PPO loss"), hand-computed', () => {
  // One token per case, ε_low 0.2, ε_high 0.3, C 3; the last column is padding with garbage.
  const A = [1, 1, -1, -1, -1];
  const rho = [1.5, 0.5, 5, 2, 0.5];
  // L:     max(−1.5, −1.3) = −1.3 (clipped, dL/dΔ 0); max(−0.5, −0.8) = −0.5 (dL/dΔ = −ρ = −0.5);
  //        A<0: min(max(5, 1.3), 3) = 3 (dual, 0); min(max(2, 1.3), 3) = 2 (ρ = 2); min(max(.5, .8), 3) = .8 (clipped, 0)
  const L = [-1.3, -0.5, 3, 2, 0.8];
  const dL = [0, -0.5, 0, 2, 0];
  const build = () => {
    const lp = leaf(rho.map((r) => [Math.log(r), 1e4]));
    const old = f64(rho.map(() => [0, -1e4]));
    const adv = torch.tensor(A, { dtype: 'float64' });
    const mask = f64(rho.map(() => [1, 0]));
    return { lp, old, adv, mask };
  };

  it('per-token losses, metrics and gradients', () => {
    const { lp, old, adv, mask } = build();
    const { losses, metrics } = ppoClipLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, responseMask: mask, clip: SR1_CLIP });
    expectClose((losses.toArray() as number[][]).map((r) => r[0]), L, 1e-12, 1e-15, 'L');
    const N = 5 + 1e-8; // masked means add eps 1e-8 to the token count
    close(metrics.pg_clipfrac_higher, 2 / N); // tokens 0 and 4
    close(metrics.pg_clipfrac_lower, 1 / N); // token 2 (dual clip)
    close(metrics.ratio_clipfrac_high, 1 / N);
    close(metrics.ratio_clipfrac_low, 1 / N);
    close(metrics.ppo_kl, -Math.log(1.5 * 0.5 * 5 * 2 * 0.5) / N);
    maskedMean(losses, mask).backward();
    const g = lp.grad!.toArray() as number[][];
    expectClose(g.map((r) => r[0]), dL.map((d) => d / N), 1e-12, 1e-15, 'dpg/dlogp');
    expect(g.map((r) => r[1])).toEqual([0, 0, 0, 0, 0]); // padding, despite exp(2e4) there
  });

  it('without dual clip the A<0, ρ=5 token costs 5; clampLogRatio bounds ρ', () => {
    const { lp, old, adv, mask } = build();
    const noDual = ppoClipLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, responseMask: mask, clip: { ...SR1_CLIP, dual: null } });
    expect((noDual.losses.toArray() as number[][])[2][0]).toBeCloseTo(5, 12);
    expect(noDual.metrics.pg_clipfrac_lower).toBe(0);
    const clamped = ppoClipLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, responseMask: mask, clip: { ...SR1_CLIP, dual: null, clampLogRatio: Math.log(4) } });
    expect((clamped.losses.toArray() as number[][])[2][0]).toBeCloseTo(4, 12);
  });

  it('rejects bad shapes and clip settings', () => {
    const { lp, old, adv, mask } = build();
    expect(() => ppoClipLoss({ logProbs: lp, oldLogProbs: old.narrow(1, 0, 1), advantages: adv, responseMask: mask, clip: SR1_CLIP })).toThrow(/oldLogProbs: expected shape \[5, 2\], got \[5, 1\]/);
    expect(() => ppoClipLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, responseMask: mask, clip: { ...SR1_CLIP, dual: 0.5 } })).toThrow(/C_dual/);
    expect(() => ppoClipLoss({ logProbs: lp, oldLogProbs: old, advantages: torch.zeros([3], { dtype: 'float64' }), responseMask: mask, clip: SR1_CLIP })).toThrow(/advantages/);
  });
});

describe('KL estimators (docs/method.md, "KL loss"), hand-computed', () => {
  it('k1, abs, k2, k3 at logπ = 0, logπref = ln 2, and the clamp at 10', () => {
    const ln2 = Math.LN2;
    const lp = leaf([[0, 0]]);
    const ref = f64([[ln2, -30]]);
    const get = (t: KlType) => (klPenalty(lp, ref, t).toArray() as number[][])[0];
    close(get('kl')[0], -ln2);
    close(get('abs')[0], ln2);
    close(get('mse')[0], 0.5 * ln2 * ln2);
    const k3 = klPenalty(lp, ref, 'low_var_kl');
    close((k3.toArray() as number[][])[0][0], 1 - ln2); // e^{ln2} − ln2 − 1
    expect((k3.toArray() as number[][])[0][1]).toBe(10); // e^{−30} + 29 clamped
    k3.sum().backward();
    expectClose(lp.grad!.toFlatArray(), [-1, 0], 1e-12, 1e-15, 'dk3/dlogp = 1 − e^x'); // clamped entry: 0
    expect(() => klPenalty(lp, ref, 'full')).toThrow(/full-vocabulary/);
  });

  it('every algorithm.kl_penalty the config schema accepts is computed (a finite value, no throw)', () => {
    const lp = leaf([[-0.5, -2]]), ref = f64([[-1, -1.5]]);
    for (const t of KL_PENALTIES) {
      const v = klPenalty(lp, ref, t).toFlatArray();
      expect(v.every(Number.isFinite), t).toBe(true);
    }
  });
});

describe('loss aggregation (docs/method.md, "Total loss" and "Loss aggregation"), hand-computed', () => {
  // Two sequences: one token of loss 4; three tokens of loss 1.
  const x = f64([[4, 9, 9], [1, 1, 1]]);
  const m = f64([[1, 0, 0], [1, 1, 1]]);
  const agg = (mode: LossAggregation, ctx: AggregationContext) => aggregateLoss(x, m, mode, ctx).item();
  it('the four modes', () => {
    close(agg('micro-token-mean', { gradAccum: 2 }), 7 / (4 + 1e-8) / 2);
    close(agg('token', { gradAccum: 2, globalTokens: 16 }), (7 / (4 + 1e-8)) * (4 / 16));
    close(agg('token', { gradAccum: 2, globalTokens: 16, microTokens: 4, worldSize: 2 }), (7 / (4 + 1e-8)) * (8 / 16));
    close(agg('seq-mean-token-mean', { gradAccum: 2 }), (4 / (1 + 1e-8) + 3 / (3 + 1e-8)) / 2 / 2);
    close(agg('seq-mean-token-sum', { gradAccum: 1 }), (4 + 3) / 2);
    expect(() => agg('token', { gradAccum: 2 })).toThrow(/globalTokens/);
    expect(() => agg('micro-token-mean', { gradAccum: 0 })).toThrow(/gradAccum/);
    expect(() => agg('tokens' as LossAggregation, { gradAccum: 1 })).toThrow(/unknown mode 'tokens'/);
  });
});

describe('grpoMicroBatchLoss, hand-computed', () => {
  it('on-policy 2-sample group: loss = −Σ A/N/ga and dL/dlogπ = −A/N/ga; KL vs an equal ref is 0', () => {
    const a = grpoAdvantages([0, 1], ['g', 'g']);
    const mask = f64([[1, 1, 0], [1, 1, 1]]);
    const lp = leaf([[-1, -2, -3], [-0.5, -0.1, -4]]);
    const adv = broadcastToTokens(a, mask, 'float64');
    const { loss, metrics } = grpoMicroBatchLoss({
      logProbs: lp, oldLogProbs: lp.detach(), refLogProbs: lp.detach(), advantages: adv, responseMask: mask,
      clip: SR1_CLIP, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: 4 },
    });
    const z = 0.5 / (Math.SQRT1_2 + 1e-6);
    const N = 5 + 1e-8;
    close(metrics.pg_loss, (2 * z - 3 * z) / N); // −(−z)·2 − z·3
    close(loss.item(), (2 * z - 3 * z) / N / 4);
    expect(metrics.kl_loss).toBe(0);
    expect(metrics.response_tokens).toBe(5);
    close(metrics.entropy_loss, (1 + 2 + 0.5 + 0.1 + 4) / N);
    expect(metrics.pg_clipfrac_higher).toBe(0);
    loss.backward();
    expectClose(lp.grad!.toFlatArray(), [z / N / 4, z / N / 4, 0, -z / N / 4, -z / N / 4, -z / N / 4], 1e-12, 1e-15, 'grad');
    expect(() => grpoMicroBatchLoss({ logProbs: lp, oldLogProbs: lp, advantages: adv, responseMask: mask, clip: SR1_CLIP, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: 1 } })).toThrow(/refLogProbs is missing/);
  });

  it('garbage in padding positions changes nothing and makes no NaN; temporaries are freed', () => {
    const mask = f64([[1, 1, 0, 0], [1, 1, 1, 1]]);
    const run = (pad: number) => {
      const lp = leaf([[-1, -2, pad, pad], [-0.5, -0.1, -4, -0.2]]);
      const r = grpoMicroBatchLoss({
        logProbs: lp, oldLogProbs: f64([[-1.2, -1.5, -pad, -pad], [-0.4, -0.3, -3, -0.25]]), refLogProbs: f64([[-1.1, -2.5, -pad, -pad], [-0.6, -0.1, -3.5, -0.2]]),
        advantages: torch.tensor([-1.5, 0.7], { dtype: 'float64' }), responseMask: mask, clip: SR1_CLIP, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: 2 },
      });
      r.loss.backward();
      return { loss: r.loss.item(), grad: lp.grad!.toFlatArray(), m: r.metrics };
    };
    const clean = run(0), dirty = run(5e3);
    expect(dirty.loss).toBe(clean.loss);
    expect(dirty.grad).toEqual(clean.grad);
    expect(dirty.m).toEqual(clean.m);
    expect(Number.isFinite(dirty.loss)).toBe(true);
  });

  it('returns only tensors the caller owns: no handles left behind', () => {
    const live = () => torch.memoryStats().liveTensors;
    const mask = f64([[1, 1, 0], [1, 1, 1]]);
    const lp = leaf([[-1, -2, -3], [-0.5, -0.1, -4]]);
    const old = f64([[-1.2, -1.5, 0], [-0.4, -0.3, -3]]);
    const adv = torch.tensor([0.8, -1.2], { dtype: 'float64' });
    const entropy = f64([[1, 2, 3], [0.5, 0.1, 4]]);
    let before = live();
    const r = grpoMicroBatchLoss({ logProbs: lp, oldLogProbs: old, refLogProbs: old, advantages: adv, responseMask: mask, clip: SR1_CLIP, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: 1 }, entropy });
    expect(live() - before).toBe(1);
    close(r.metrics.entropy!, (1 + 2 + 0.5 + 0.1 + 4) / (5 + 1e-8));
    r.loss.dispose();
    before = live();
    const m = grpoMultiRewardMicroBatchLoss({ logProbs: lp, oldLogProbs: old, refLogProbs: old, responseMask: mask, channels: [{ name: 'a', advantages: adv }, { name: 'b', advantages: adv, klCoef: 0.1 }], clip: SR1_CLIP, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: 1 } });
    expect(live() - before).toBe(1);
    m.loss.dispose();
    before = live();
    ppoClipLoss({ logProbs: lp, oldLogProbs: old, advantages: adv, responseMask: mask, clip: SR1_CLIP }).losses.dispose();
    klPenalty(lp, old, 'low_var_kl').dispose();
    aggregateLoss(lp, mask, 'seq-mean-token-sum', { gradAccum: 1 }).dispose();
    broadcastToTokens([1, 2], mask).dispose();
    expect(live() - before).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Oracle comparisons
// ---------------------------------------------------------------------------------------------
const B = 6, TT = 7;
const dec = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
const decAll = (v: unknown[]): number[] => v.map(dec);
const js = (t: Tensor) => ({ data: t.toFlatArray(), shape: t.shape });

/** Fixed random inputs: padding, large ratios, negative advantages with ρ > C_dual, an all-equal group. */
function randomBatch(seed: number) {
  const rnd = prng(seed);
  const lengths = [TT, 1, 4, 7, 2, 5];
  const mask = lengths.map((n) => Array.from({ length: TT }, (_, t) => (t < n ? 1 : 0)));
  const lp = makeData({ shape: [B, TT], kind: 'unit' }, rnd).map((u) => -3 * u - 0.01);
  const noise = makeData({ shape: [B, TT] }, rnd);
  const old = lp.map((v, i) => v - 0.4 * noise[i]);
  // Large log-ratios on a few valid tokens: ρ = e^2 on negative-advantage rows (dual clip), e^±5 elsewhere.
  for (const [b, t, d] of [[0, 1, 2], [0, 3, 5], [2, 0, 2], [2, 2, -5], [3, 4, 5], [5, 1, -2], [4, 1, 3]]) old[b * TT + t] = lp[b * TT + t] - d;
  const ref = lp.map((v, i) => v + 0.6 * makeData({ shape: [1] }, rnd)[0] + (i % 11 === 0 ? 4 : 0));
  const scores = [0, 2, 1.1, 1, 1, 1]; // group 0 varied, group 1 all equal → A = 0
  const groups = [0, 0, 0, 1, 1, 1];
  const vis = [1, 0, 1, 0, 1, 1];
  return { mask, lp, old, ref, scores, groups, vis };
}

describe.runIf(oracleAvailable(['torch']))('GRPO vs the torch reference (scripts/oracle/grpo_reference.py)', () => {
  const SCRIPT = 'scripts/oracle/grpo_reference.py';
  const shape = [B, TT];
  const tensorJs = (d: number[]) => ({ data: d, shape });

  it('advantages: random scores, options', () => {
    const rnd = prng(11);
    const scores = Array.from({ length: 40 }, () => Math.round(rnd() * 4) / 2 + (rnd() < 0.3 ? 0.1 : 0));
    const ids = scores.map((_, i) => `p${(i * 7) % 5}`); // 5 interleaved groups of 8
    scores.splice(0, 0, 1, 1); ids.splice(0, 0, 'eq', 'eq');
    const optsList = [{}, { unbiased: false }, { normByStd: false }, { eps: 0.1 }];
    const py = runOracle<{ results: { advantages: number[] }[] }>(SCRIPT, {
      cases: optsList.map((o) => ({ op: 'advantages', scores, group_ids: ids, eps: (o as { eps?: number }).eps ?? 1e-6, unbiased: (o as { unbiased?: boolean }).unbiased ?? true, norm_by_std: (o as { normByStd?: boolean }).normByStd ?? true })),
    });
    optsList.forEach((o, i) => expectClose(grpoAdvantages(scores, ids, o), py.results[i].advantages, 1e-12, 1e-14, `options ${JSON.stringify(o)}`));
  });

  it('KL estimators and their gradients, incl. an exp overflow (NaN grad unless x is clamped)', () => {
    const { lp, ref } = randomBatch(3);
    ref[5] = lp[5] + 800; // exp(800) = inf in float64
    const cases: { type: KlType; clamp: number | null }[] = [
      { type: 'kl', clamp: null }, { type: 'abs', clamp: null }, { type: 'mse', clamp: null }, { type: 'low_var_kl', clamp: null }, { type: 'low_var_kl', clamp: 20 },
    ];
    const py = runOracle<{ results: { kl: unknown[]; grad: unknown[] }[] }>(SCRIPT, {
      cases: cases.map((c) => ({ op: 'kl', log_probs: tensorJs(lp), ref_log_probs: tensorJs(ref), type: c.type, clamp_log_diff: c.clamp })),
    });
    cases.forEach((c, i) => {
      const x = torch.tensor(new Float64Array(lp), { shape }).requiresGrad_(true);
      const k = klPenalty(x, torch.tensor(new Float64Array(ref), { shape }), c.type, { clampLogDiff: c.clamp });
      k.sum().backward();
      expectClose(k.toFlatArray(), decAll(py.results[i].kl), 1e-12, 1e-14, `${c.type} clamp ${c.clamp} value`);
      expectClose(x.grad!.toFlatArray(), decAll(py.results[i].grad), 1e-12, 1e-14, `${c.type} clamp ${c.clamp} grad`);
    });
    expect(Number.isNaN(dec(py.results[3].grad[5]))).toBe(true);
    expect(dec(py.results[4].grad[5]) === 0).toBe(true); // clamped: no gradient, no NaN
  });

  it('micro-batch loss: values, per-token losses, metrics and d loss/d logπθ over clip × KL × aggregation × advantage form', () => {
    const { mask, lp, old, ref, scores, groups } = randomBatch(5);
    const maskT = torch.tensor(mask, { dtype: 'float64' });
    const adv1 = grpoAdvantages(scores, groups);
    expect(adv1.slice(3)).toEqual([0, 0, 0]);
    expect(adv1.filter((a) => a < 0).length).toBeGreaterThan(0);
    const advTok = broadcastToTokens(adv1, maskT, 'float64');
    const clips: ClipConfig[] = [SR1_CLIP, { ...SR1_CLIP, dual: null }, { ...SR1_CLIP, clampLogRatio: 20 }, { low: 0.1, high: 0.1, dual: 2 }];
    const kls: (KlConfig | null)[] = [{ coef: 0.01, type: 'low_var_kl' }, { coef: 0.5, type: 'low_var_kl', clampLogDiff: 20 }, { coef: 0.1, type: 'kl' }, { coef: 0.1, type: 'mse' }, { coef: 0.2, type: 'abs' }, null];
    const aggs: [LossAggregation, AggregationContext][] = [
      ['micro-token-mean', { gradAccum: 4 }], ['token', { gradAccum: 4, globalTokens: 78, worldSize: 2 }],
      ['seq-mean-token-mean', { gradAccum: 3 }], ['seq-mean-token-sum', { gradAccum: 2 }],
    ];
    type Case = { clip: ClipConfig; kl: KlConfig | null; agg: [LossAggregation, AggregationContext]; perSeq: boolean };
    const grid: Case[] = [];
    clips.forEach((clip, i) => kls.forEach((kl, j) => aggs.forEach((agg, k) => {
      if (i === 0 || j === 0 || k === 0) grid.push({ clip, kl, agg, perSeq: (i + j + k) % 2 === 1 });
    })));
    const py = runOracle<{ results: { loss: unknown; grad: unknown[]; pg_losses: unknown[]; metrics: Record<string, unknown> }[] }>(SCRIPT, {
      cases: grid.map((c) => ({
        op: 'loss', log_probs: tensorJs(lp), old_log_probs: tensorJs(old), ref_log_probs: tensorJs(ref), mask: js(maskT),
        advantages: c.perSeq ? { data: adv1, shape: [B] } : js(advTok),
        clip: { low: c.clip.low, high: c.clip.high, dual: c.clip.dual, clamp_log_ratio: c.clip.clampLogRatio ?? null },
        kl: c.kl && { coef: c.kl.coef, type: c.kl.type, clamp_log_diff: c.kl.clampLogDiff ?? null },
        aggregation: c.agg[0], context: c.agg[1],
      })),
    });
    let dualHits = 0;
    grid.forEach((c, i) => {
      const what = `clip ${JSON.stringify(c.clip)} kl ${JSON.stringify(c.kl)} ${c.agg[0]} perSeq ${c.perSeq}`;
      const x = torch.tensor(new Float64Array(lp), { shape }).requiresGrad_(true);
      const input = {
        logProbs: x, oldLogProbs: torch.tensor(new Float64Array(old), { shape }), refLogProbs: torch.tensor(new Float64Array(ref), { shape }),
        advantages: c.perSeq ? torch.tensor(adv1, { dtype: 'float64' }) : advTok, responseMask: maskT, clip: c.clip,
      };
      const { loss, metrics } = grpoMicroBatchLoss({ ...input, kl: c.kl, aggregation: c.agg[0], context: c.agg[1] });
      loss.backward();
      const r = py.results[i];
      close(loss.item(), dec(r.loss), 1e-12);
      expectClose(x.grad!.toFlatArray(), decAll(r.grad), 1e-11, 1e-15, `${what} grad`);
      const tokens = ppoClipLoss(input).losses.mul(maskT).toFlatArray();
      expectClose(tokens, decAll(r.pg_losses).map((v, j) => v * maskT.toFlatArray()[j]), 1e-12, 1e-14, `${what} per-token`);
      for (const [k, v] of Object.entries(r.metrics)) close((metrics as unknown as Record<string, number>)[k], dec(v), 1e-11);
      expect(Object.keys(metrics).sort()).toEqual([...Object.keys(r.metrics), 'ratio_clipfrac_high', 'ratio_clipfrac_low'].filter((k, j, a) => a.indexOf(k) === j).sort());
      dualHits += metrics.pg_clipfrac_lower;
      close(metrics.ratio_clipfrac_high + metrics.ratio_clipfrac_low, metrics.pg_clipfrac_higher, 1e-12);
    });
    expect(dualHits).toBeGreaterThan(0); // the inputs do exercise the dual clip
    expect(grid.length).toBeGreaterThan(20);
  });

  it('a ratio overflow on a valid token: NaN gradient like the fork; finite with clampLogRatio', () => {
    const { mask, lp, old, ref } = randomBatch(9);
    old[0] = lp[0] - 800; // Δ = 800 → ρ = inf
    const maskT = torch.tensor(mask, { dtype: 'float64' });
    const advs = [1, -1, 0.5, -0.5, 0.2, 0];
    const clips: ClipConfig[] = [SR1_CLIP, { ...SR1_CLIP, clampLogRatio: 20 }];
    const py = runOracle<{ results: { loss: unknown; grad: unknown[] }[] }>(SCRIPT, {
      cases: clips.map((clip) => ({
        op: 'loss', log_probs: tensorJs(lp), old_log_probs: tensorJs(old), ref_log_probs: tensorJs(ref), mask: js(maskT), advantages: { data: advs, shape: [B] },
        clip: { low: clip.low, high: clip.high, dual: clip.dual, clamp_log_ratio: clip.clampLogRatio ?? null }, kl: { coef: 0.01, type: 'low_var_kl', clamp_log_diff: null },
        aggregation: 'micro-token-mean', context: { gradAccum: 1 },
      })),
    });
    clips.forEach((clip, i) => {
      const x = torch.tensor(new Float64Array(lp), { shape }).requiresGrad_(true);
      const { loss } = grpoMicroBatchLoss({
        logProbs: x, oldLogProbs: torch.tensor(new Float64Array(old), { shape }), refLogProbs: torch.tensor(new Float64Array(ref), { shape }),
        advantages: torch.tensor(advs, { dtype: 'float64' }), responseMask: maskT, clip, kl: { coef: 0.01, type: 'low_var_kl' }, context: { gradAccum: 1 },
      });
      loss.backward();
      close(loss.item(), dec(py.results[i].loss), 1e-12);
      expectClose(x.grad!.toFlatArray(), decAll(py.results[i].grad), 1e-11, 1e-15, `clamp ${clip.clampLogRatio}`);
    });
    expect(Number.isNaN(dec(py.results[0].grad[0]))).toBe(true);
    expect(Number.isFinite(dec(py.results[1].grad[0]))).toBe(true);
  });

  it('multi-reward loss: per-channel PPO terms with their own masks, weights and KL β', () => {
    const { mask, lp, old, ref, scores, groups, vis } = randomBatch(21);
    const maskT = torch.tensor(mask, { dtype: 'float64' });
    const adv = multiChannelAdvantages({ ans: scores, vis }, groups, { vis: 1 });
    // Option b: the first two response tokens are the "description" span, the rest the answer span.
    const desc = mask.map((r) => r.map((v, t) => (t < 2 ? v : 0)));
    const rest = mask.map((r) => r.map((v, t) => (t >= 2 ? v : 0)));
    const variants = [
      { name: 'CODE-MR (a)', channels: [{ name: 'ans' }, { name: 'vis' }], kl: { coef: 0.01, type: 'low_var_kl' as KlType }, agg: ['micro-token-mean', { gradAccum: 4 }] as const },
      { name: 'paper λ, masks (b), β_k', channels: [{ name: 'ans', mask: rest, weight: 0.5, klCoef: 0.02 }, { name: 'vis', mask: desc, weight: 0.5, klCoef: 0.05 }], kl: { coef: 0, type: 'low_var_kl' as KlType }, agg: ['seq-mean-token-mean', { gradAccum: 2 }] as const },
    ];
    const py = runOracle<{ results: { loss: unknown; grad: unknown[]; metrics: Record<string, unknown> }[] }>(SCRIPT, {
      cases: variants.map((v) => ({
        op: 'multi', log_probs: tensorJs(lp), old_log_probs: tensorJs(old), ref_log_probs: tensorJs(ref), mask: js(maskT),
        channels: v.channels.map((c) => ({ name: c.name, advantages: { data: adv[c.name], shape: [B] }, mask: 'mask' in c ? { data: (c.mask as number[][]).flat(), shape } : null, weight: 'weight' in c ? c.weight : 1, kl_coef: 'klCoef' in c ? c.klCoef : 0 })),
        clip: { low: 0.2, high: 0.3, dual: 3, clamp_log_ratio: null }, kl: { coef: v.kl.coef, type: v.kl.type, clamp_log_diff: null }, aggregation: v.agg[0], context: v.agg[1],
      })),
    });
    variants.forEach((v, i) => {
      const x = torch.tensor(new Float64Array(lp), { shape }).requiresGrad_(true);
      const { loss, metrics } = grpoMultiRewardMicroBatchLoss({
        logProbs: x, oldLogProbs: torch.tensor(new Float64Array(old), { shape }), refLogProbs: torch.tensor(new Float64Array(ref), { shape }), responseMask: maskT,
        channels: v.channels.map((c) => ({ ...c, advantages: torch.tensor(adv[c.name], { dtype: 'float64' }), mask: 'mask' in c ? torch.tensor(c.mask as number[][], { dtype: 'float64' }) : undefined })),
        clip: SR1_CLIP, kl: v.kl, aggregation: v.agg[0], context: { ...v.agg[1] },
      });
      loss.backward();
      close(loss.item(), dec(py.results[i].loss), 1e-12);
      expectClose(x.grad!.toFlatArray(), decAll(py.results[i].grad), 1e-11, 1e-15, `${v.name} grad`);
      for (const [k, val] of Object.entries(py.results[i].metrics)) close(metrics[k], dec(val), 1e-11);
    });
  });
});

describe('dtypes', () => {
  it('float32 log-probs, a bool mask and bf16 ref log-probs give the float64 result to fp32 precision', () => {
    const { mask, lp, old, ref } = randomBatch(4);
    const shape = [B, TT];
    const run = (dtype: 'float32' | 'float64', refDtype: 'bfloat16' | 'float64', boolMask: boolean) => {
      const x = torch.tensor(new Float64Array(lp), { shape, dtype }).requiresGrad_(true);
      const m = torch.tensor(mask, { dtype: 'float64' });
      // The bf16 reference is rounded first, so both runs see the same reference values.
      const r = torch.tensor(new Float64Array(ref), { shape, dtype: 'bfloat16' });
      const { loss, metrics } = grpoMicroBatchLoss({
        logProbs: x, oldLogProbs: torch.tensor(new Float64Array(old), { shape, dtype }), refLogProbs: refDtype === 'bfloat16' ? r : r.to('float64'),
        advantages: torch.tensor([1, -0.5, 0.3, -2, 0, 0.7], { dtype }), responseMask: boolMask ? m.ne(0) : m.to(dtype),
        clip: SR1_CLIP, kl: { coef: 0.1, type: 'low_var_kl' }, context: { gradAccum: 2 },
      });
      loss.backward();
      expect(loss.dtype).toBe(dtype);
      return { loss: loss.item(), grad: x.grad!.toFlatArray(), tokens: metrics.response_tokens };
    };
    const hi = run('float64', 'float64', false), lo = run('float32', 'bfloat16', true);
    close(lo.loss, hi.loss, 1e-5);
    expectClose(lo.grad, hi.grad, 1e-4, 1e-6, 'fp32 grad');
    expect(lo.tokens).toBe(mask.flat().filter((v) => v === 1).length);
    expect(klPenalty(torch.zeros([2], { dtype: 'bfloat16' }), torch.zeros([2], { dtype: 'bfloat16' }), 'low_var_kl').dtype).toBe('float32');
  });
});

describe('multi-reward loss, structure', () => {
  it('one channel equals the single-reward loss; option (c) sends the channel gradient to its own log-probs', () => {
    const mask = f64([[1, 1, 0], [1, 1, 1]]);
    const mk = () => leaf([[-1, -2, -3], [-0.5, -0.1, -4]]);
    const old = f64([[-1.2, -1.5, 0], [-0.4, -0.3, -3]]);
    const ref = f64([[-1.1, -2.5, 0], [-0.6, -0.1, -3.5]]);
    const adv = torch.tensor([0.8, -1.2], { dtype: 'float64' });
    const base = { oldLogProbs: old, refLogProbs: ref, responseMask: mask, clip: SR1_CLIP, kl: { coef: 0.01, type: 'low_var_kl' as KlType }, context: { gradAccum: 2 } };
    const a = mk(), b = mk();
    const single = grpoMicroBatchLoss({ ...base, logProbs: a, advantages: adv });
    const multi = grpoMultiRewardMicroBatchLoss({ ...base, logProbs: b, channels: [{ name: 'ans', advantages: adv }] });
    single.loss.backward(); multi.loss.backward();
    close(multi.loss.item(), single.loss.item(), 1e-14);
    expect(b.grad!.toFlatArray()).toEqual(a.grad!.toFlatArray());
    // Option (c): the 'vis' channel trains other tokens (pass 2); its gradient lands there only.
    const p1 = mk(), p2 = leaf([[-0.3, -0.7, -1], [-2, -0.2, -0.9]]);
    const p2mask = f64([[1, 1, 1], [1, 0, 0]]);
    const ref2 = grpoMicroBatchLoss({ ...base, logProbs: leaf([[-0.3, -0.7, -1], [-2, -0.2, -0.9]]), oldLogProbs: f64([[-0.3, -0.6, -1], [-2.1, 0, 0]]), advantages: adv.neg(), responseMask: p2mask, kl: null });
    const r = grpoMultiRewardMicroBatchLoss({
      ...base, logProbs: p1,
      channels: [{ name: 'ans', advantages: adv }, { name: 'vis', advantages: adv.neg(), logProbs: p2, oldLogProbs: f64([[-0.3, -0.6, -1], [-2.1, 0, 0]]), mask: p2mask }],
    });
    r.loss.backward();
    close(r.metrics['vis/pg_loss'], ref2.metrics.pg_loss, 1e-14);
    close(r.loss.item(), single.loss.item() + ref2.loss.item(), 1e-13);
    expect(p1.grad!.toFlatArray()).toEqual(a.grad!.toFlatArray());
    ref2.loss.backward();
    expect(p2.grad!.toFlatArray().every((g) => Number.isFinite(g))).toBe(true);
    expect(() => grpoMultiRewardMicroBatchLoss({ ...base, logProbs: mk(), channels: [{ name: 'x', advantages: adv }, { name: 'x', advantages: adv }] })).toThrow(/duplicate channel name 'x'/);
  });
});
