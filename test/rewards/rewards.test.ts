import { describe, expect, it } from 'vitest';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import {
  accuracyReward, composeReward, cotFormatReward, getReward, listRewards, normalizeResponse, presetSpec, registerReward,
  seeThinkFormatReward, unregisterReward, visualReward, type RewardSample,
} from '../../lib/rewards/index.js';
import { findDescription } from '../../lib/prompts/index.js';

const GOOD = '<description>A red square on a table.</description> <think>The square is red.</think> \\boxed{red}';
const sample = (over: Partial<RewardSample> = {}): RewardSample => ({
  response: GOOD, pass2Response: '<think>desc says red</think> \\boxed{red}', groundTruth: 'red', question: 'What color?<image>', ...over,
});

describe('pass-1 whitespace normalisation', () => {
  it('deletes whitespace around every <, > and /', () => {
    expect(normalizeResponse('< think > a </ think >')).toBe('<think>a</think>');
    expect(normalizeResponse('\\boxed{1 / 2}')).toBe('\\boxed{1/2}');
    expect(normalizeResponse('a\u3000<\u2003b')).toBe('a<b');
    expect(normalizeResponse('x \ufeff/ y')).toBe('x \ufeff/y');
  });
});

describe('format rewards (docs/method.md, "Format rewards")', () => {
  it.each([
    [GOOD, 1],
    ['  \n' + GOOD + '\n\t', 1],
    ['<description>a</description><think>b</think>\\boxed{\\frac{1}{2}}', 1],
    ['<description>a</description>\n<think>b\n\n</think>\n\\boxed{x}', 1],
    ['<description>a</description> <think>b</think> The answer is \\boxed{A}', 0],
    ['<description>a</description> <think>b</think> \\boxed{A}.', 0],
    ['<description>a</description> <think>b</think> <answer>\\boxed{A}</answer>', 0],
    ['<think>b</think> \\boxed{A}', 0],
    ['x <description>a</description> <think>b</think> \\boxed{A}', 0],
  ])('see-think %j → %d', (text, want) => {
    expect(seeThinkFormatReward(text)).toBe(want);
  });

  it('CoT format must start exactly with <think>', () => {
    expect(cotFormatReward('<think>a</think>\n\\boxed{1}\n')).toBe(1);
    expect(cotFormatReward(' <think>a</think> \\boxed{1}')).toBe(0);
    expect(cotFormatReward('<think>a</think> so \\boxed{1}')).toBe(0);
    // The registered reward normalises first, which removes the whitespace before '<'.
    expect(getReward('cot_format').fn(sample({ response: ' <think>a</think> \\boxed{1}' }))).toBe(1);
  });
});

describe('accuracy and visual rewards', () => {
  it('grades the last box; a missing box is the string "None"', () => {
    expect(accuracyReward('\\boxed{A} then \\boxed{B}', 'B')).toBe(1);
    expect(accuracyReward('no box', 'none')).toBe(1);
    expect(accuracyReward('no box', 'A')).toBe(0);
  });

  it('pass-1 accuracy sees normalised text, pass-2 accuracy raw text', async () => {
    // A tab before '/' survives both MathRuler normalisers: "1\t/2" is then a different fraction string.
    const s = sample({ response: '<description>d</description><think>t</think>\\boxed{1 \t/ 2}', groundTruth: '1/2' });
    expect(await getReward('accuracy').fn(s)).toBe(1);
    expect(visualReward('\\boxed{1 \t/ 2}', '1/2')).toBe(0);
  });
});

describe('reward composition', () => {
  it('vision-sr1 = 0.9·acc + 0.1·fmt + 1.0·vis, with every component logged', async () => {
    const r = composeReward('vision-sr1');
    expect(r.usesPass2).toBe(true);
    const res = await r.score(sample());
    expect(res.components).toEqual({ accuracy: 1, format: 1, description_accuracy: 1, description_format: 0 });
    expect(res.overall).toBe((1 - 0.1) * 1 + 0.1 * 1 + 1);
    const wrong = await r.score(sample({ response: 'The answer is \\boxed{red}', pass2Response: '\\boxed{blue}' }));
    expect(wrong.components).toMatchObject({ accuracy: 1, format: 0, description_accuracy: 0 });
    expect(wrong.overall).toBe(0.9);
  });

  it('a response without <description> scores no visual reward unless the reference fallback is asked for', async () => {
    const leaky = sample({ response: '<think>red</think> \\boxed{red}', pass2Response: 'copied: \\boxed{red}' });
    expect(findDescription(leaky.response)).toBeNull();
    expect((await composeReward('vision-sr1').score(leaky)).components.description_accuracy).toBe(0);
    const ref = composeReward('vision-sr1', { onMissingDescription: 'whole-response' });
    expect((await ref.score(leaky)).components.description_accuracy).toBe(1);
    // Without a description the trainer may skip pass 2 entirely.
    const skipped = await composeReward('vision-sr1').score({ ...leaky, pass2Response: undefined });
    expect(skipped.components.description_accuracy).toBe(0);
  });

  it('names the reward that needed a missing pass-2 answer', async () => {
    await expect(composeReward('vision-sr1').score(sample({ pass2Response: undefined }))).rejects.toThrow(/description_accuracy.*pass2Response/);
  });

  it('vision-r1, no-self-reward and validation need no pass 2', async () => {
    const cot = sample({ response: '<think>red</think> \\boxed{red}', pass2Response: undefined });
    const r1 = composeReward('vision-r1');
    expect(r1.usesPass2).toBe(false);
    expect(await r1.score(cot)).toEqual({ overall: 0.9 * 1 + 0.1 * 1, components: { accuracy: 1, format: 1 } });
    expect((await composeReward('no-self-reward').score(cot)).components).toEqual({ accuracy: 1, format: 0 });
    const val = await composeReward('validation').score(sample({ response: 'x \\boxed{red}', pass2Response: undefined }));
    expect(val).toEqual({ overall: 1, components: { accuracy: 1, format: 0 } });
  });

  it('multi-reward keeps ans and vis channels apart with α and λ', async () => {
    const r = composeReward('multi-reward', { alpha: 0.2, channelWeights: { ans: 0.5, vis: 0.5 } });
    expect(r.channelNames).toEqual(['ans', 'vis']);
    const res = await r.score(sample({ pass2Response: '\\boxed{blue}' }));
    expect(res.channels).toEqual({ ans: 1 + 0.2 * 1, vis: 0 + 0.2 * 1 });
    expect(res.overall).toBeCloseTo(0.5 * 1.2 + 0.5 * 0.2, 15);
    expect(res.components).toEqual({ accuracy: 1, format: 1, description_accuracy: 0, description_format: 0 });
    expect(presetSpec('multi-reward').channelWeights).toEqual({ ans: 1, vis: 1 });
  });

  it('composes registered sync and async rewards by name with weights', async () => {
    registerReward('test_length', (s) => Math.min(1, s.response.length / 100));
    registerReward('test_judge', async (s) => (s.pass2Response?.includes('red') ? 1 : 0), { usesPass2: true });
    try {
      expect(listRewards()).toEqual(expect.arrayContaining(['accuracy', 'test_length', 'test_judge']));
      const r = composeReward({
        name: 'custom',
        components: [
          { name: 'accuracy', reward: 'accuracy', weight: 1 },
          { name: 'length', reward: 'test_length', weight: -0.5 },
          { name: 'judge', reward: 'test_judge', weight: 2 },
          { name: 'inline', reward: (s) => (s.question.includes('<image>') ? 1 : 0) },
        ],
      });
      expect(r.usesPass2).toBe(true);
      const s = sample();
      const res = await r.score(s);
      const len = Math.min(1, s.response.length / 100);
      expect(res.components).toEqual({ accuracy: 1, length: len, judge: 1, inline: 1 });
      expect(res.overall).toBe(1 + -0.5 * len + 2 * 1);
      const batch = await r.scoreBatch([s, sample({ response: '\\boxed{blue}' })]);
      expect(batch.map((b) => b.components.accuracy)).toEqual([1, 0]);
      expect(() => registerReward('test_length', () => 0)).toThrow(/already registered/);
      registerReward('test_length', () => 0.25, { replace: true });
      // A composed reward keeps the functions it resolved; a new composition sees the replacement.
      expect((await r.score(s)).components.length).toBe(len);
      expect((await composeReward({ components: [{ name: 'l', reward: 'test_length', weight: 1 }] }).score(s)).overall).toBe(0.25);
    } finally {
      unregisterReward('test_length');
      unregisterReward('test_judge');
    }
  });

  it('rejects bad specs and bad reward values with clear errors', async () => {
    expect(() => composeReward({ components: [] })).toThrow(/non-empty/);
    expect(() => composeReward({ components: [{ name: 'a', reward: 'nope' }] })).toThrow(/unknown reward 'nope'/);
    expect(() => composeReward({ components: [{ name: 'a', reward: 'accuracy' }, { name: 'a', reward: 'accuracy' }] })).toThrow(/duplicate/);
    expect(() => composeReward({ components: [{ name: 'a', reward: 'accuracy', weight: NaN }] })).toThrow(/finite/);
    expect(() => composeReward({ components: [{ name: 'a', reward: 'accuracy', channels: { ans: 1 } }], channelWeights: { vis: 1 } })).toThrow(/channel 'vis'/);
    expect(() => composeReward('nope' as 'vision-sr1')).toThrow(/unknown reward preset/);
    const r = composeReward({ components: [{ name: 'bad', reward: () => Number.NaN, weight: 1 }] });
    await expect(r.scoreBatch([sample(), sample()])).rejects.toThrow(/sample 0: reward component 'bad' returned NaN/);
  });
});

describe.runIf(oracleAvailable(['mathruler']))('reward terms vs Python re + mathruler (differential)', () => {
  const responses = [
    GOOD, ` ${GOOD} `, `${GOOD}.`, '<description>a</description>\u3000<think>b</think>\u2003\\boxed{1 / 2}',
    '< description >a< /description > < think >b< / think > \\boxed{ A }', '<description>a</description><think>b</think>\\boxed{x}\u0085',
    '<description>a</description><think>b</think>\\boxed{x}\ufeff', '\u001c<description>a</description><think>b</think>\\boxed{x}',
    '<think>only</think> \\boxed{2}', '<think>a</think>\n\n\\boxed{\\frac{1}{2}}\n', 'The answer is 2', '',
    '<description>one</description><description>two</description><think>t</think>\\boxed{B}',
    '<description>\n  multi\n  line\n</description>\n<think>x < y and y > z</think>\n\\boxed{x<z}',
    '<description>a</description><think>b</think>\\boxed{a}\\boxed{b}', '<description>a<think>b</think>\\boxed{c}</description>',
  ];
  const gts = ['red', '1/2', 'A', 'x', '2', '\\frac{1}{2}', 'B', 'x<z', 'b', 'none'];
  const samples = responses.flatMap((response, i) => gts.slice(0, 3).map((_, j) => ({
    response, pass2: responses[(i + j + 1) % responses.length]!, gt: gts[(i + j) % gts.length]!,
  })));
  const py = runOracle<{ results: Record<string, number | string | null>[] }>('scripts/oracle/mathruler_rewards.py', { samples });

  it(`normalisation, both formats, accuracy, visual terms and description agree (${samples.length} samples)`, () => {
    const ts = samples.map((s) => ({
      normalized: normalizeResponse(s.response),
      format: seeThinkFormatReward(normalizeResponse(s.response)),
      cot_format: cotFormatReward(normalizeResponse(s.response)),
      accuracy: accuracyReward(normalizeResponse(s.response), s.gt),
      description_accuracy: visualReward(s.pass2, s.gt),
      description_format: seeThinkFormatReward(s.pass2),
      description: findDescription(s.response),
    }));
    expect(ts).toEqual(py.results);
    expect(py.results.some((r) => r.format === 1) && py.results.some((r) => r.cot_format === 1)).toBe(true);
  });
});
