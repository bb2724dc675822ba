/**
 * The answer judge over an OpenAI-compatible endpoint, against a mock server on loopback: verdicts,
 * the API key from the environment, bounded retries on 500, the timeout on a server that never
 * answers, garbage replies; and that grading never counts an unjudged item correct.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradingPlan, gradingReport } from '../../lib/eval/cli_options.js';
import { judgeDescriptions } from '../../lib/eval/description_judge.js';
import type { EvalSample } from '../../lib/eval/evaluate.js';
import { exactMatch, type GradedSample, gradeSample, sampleGrader, summarizeGrading } from '../../lib/eval/grading.js';
import { apiKeyFromEnv, chatJudge, httpChat, httpJudge, parseVerdict } from '../../lib/eval/judge.js';
import { buildAnswerJudgePrompt, buildDescriptionJudgePrompt } from '../../lib/prompts/index.js';

interface Hit { route: string; auth: string | undefined; body: { model: string; temperature: number; messages: Array<{ role: string; content: string }> } }
const hits: Hit[] = [];
const hanging: ServerResponse[] = [];
let server: Server;
let base = '';

const reply = (res: ServerResponse, content: string) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
};

/** Routes: /ok judges by the candidate or description text, /fail 500s, /hang never answers, ... */
function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const route = (req.url ?? '').split('/')[1];
  const body = JSON.parse(raw) as Hit['body'];
  hits.push({ route, auth: req.headers.authorization, body });
  const text = body.messages[0].content;
  const flakyHits = hits.filter((h) => h.route === 'flaky').length;
  switch (route) {
    case 'ok': {
      const candidate = /Candidate answer: (.*)/.exec(text)?.[1];
      const description = /Description: (.*)/.exec(text)?.[1];
      if (candidate !== undefined) return reply(res, candidate.includes('boom') ? 'I refuse.\n'.repeat(20) : `<judgment>${candidate.includes('right') ? 'correct' : 'incorrect'}</judgment>`);
      return reply(res, `The description says so.\n<judgment>${description?.includes('red') ? 'correct' : 'incorrect'}</judgment>`);
    }
    case 'fail': res.writeHead(500); return res.end('server error');
    case 'hang': hanging.push(res); return undefined;
    case 'garbage': res.writeHead(200, { 'content-type': 'application/json' }); return res.end('{"choices": [ not json');
    case 'empty': res.writeHead(200, { 'content-type': 'application/json' }); return res.end('{"choices": []}');
    case 'denied': res.writeHead(401); return res.end('{"error": "bad key"}');
    case 'flaky': if (flakyHits === 1) { res.writeHead(503); return res.end(); } return reply(res, 'Correct.');
    default: res.writeHead(404); return res.end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const count = (route: string) => hits.filter((h) => h.route === route).length;
const sample = (id: string, question: string, answer: string, response: string): EvalSample => ({ id, question, answer, response, pass2: null, accuracy: -1, format: 0, descriptionAccuracy: null });

describe('parseVerdict', () => {
  it.each([
    ['<judgment>correct</judgment>', 'correct'],
    ['<judgment> Incorrect </judgment>', 'wrong'],
    ['Reasoning... lots of words here that say right and wrong things, many words.\n<judgment>correct</judgment>', 'correct'],
    ['Yes, the candidate answer is correct.', 'correct'],
    ['No.', 'wrong'],
    ['The answer is not correct', 'wrong'],
    ['Verdict: incorrect', 'wrong'],
    ['<judgement>correct</judgement>', 'correct'],
    ['correct or incorrect, hard to say', 'unjudged'],
    ['It is not wrong', 'unjudged'],
    ['I cannot tell', 'unjudged'],
    ['', 'unjudged'],
    [`${'long reasoning line with many words but no marked verdict at all here '.repeat(3)}\nthe rest of it is also a long line with far too many words to count as one`, 'unjudged'],
  ])('%j -> %s', (text, label) => {
    expect(parseVerdict(text).label).toBe(label);
  });
});

describe('judge prompts', () => {
  it('fill each slot once, drop image tokens, and never re-fill text inside a value', () => {
    const p = buildAnswerJudgePrompt('<image>How many {candidate}?', 'two {reference}', '3');
    expect(p).toContain('Question: How many {candidate}?');
    expect(p).toContain('Reference answer: two {reference}');
    expect(p).toContain('Candidate answer: 3');
    expect(p).toMatch(/<judgment>correct<\/judgment> or <judgment>incorrect<\/judgment>/);
    const d = buildDescriptionJudgePrompt('Colour?<image>', 'a red ball', 'red');
    expect(d).toContain('Description: a red ball\nQuestion: Colour?\nReference answer: red');
  });
});

describe('httpJudge on a mock OpenAI-compatible server', () => {
  it('sends model, temperature 0, the prompt and the key from the environment; reads the verdict', async () => {
    const env = { VSR1_TEST_JUDGE_KEY: 'sk-test-123' };
    const judge = httpJudge({ url: `${base}/ok/`, model: 'judge-1', apiKey: apiKeyFromEnv('VSR1_TEST_JUDGE_KEY', env), retryDelayMs: 0 });
    const before = count('ok');
    const yes = await judge.judgeAnswer('<image>What is shown?', 'a cat', 'thinking... \\boxed{right: a cat}');
    const no = await judge.judgeAnswer('<image>What is shown?', 'a cat', '\\boxed{a dog}');
    expect(yes.label).toBe('correct');
    expect(no.label).toBe('wrong');
    expect(count('ok') - before).toBe(2);
    const h = hits.filter((x) => x.route === 'ok').at(-2)!;
    expect(h.auth).toBe('Bearer sk-test-123');
    expect(h.body.model).toBe('judge-1');
    expect(h.body.temperature).toBe(0);
    expect(h.body.messages[0].role).toBe('user');
    // The candidate is the boxed content; the question loses its image token.
    expect(h.body.messages[0].content).toContain('Candidate answer: right: a cat');
    expect(h.body.messages[0].content).toContain('Question: What is shown?');
    expect(h.body.messages[0].content).not.toContain('<image>');
    expect(apiKeyFromEnv('VSR1_TEST_JUDGE_KEY_UNSET', env)).toBeNull();
  });

  it('sends no Authorization header without a key', async () => {
    await httpJudge({ url: `${base}/ok`, model: 'm' }).judgeAnswer('q', 'g', 'right');
    expect(hits.at(-1)!.auth).toBeUndefined();
  });

  it('retries a 500 twice, then gives unjudged', async () => {
    const v = await httpJudge({ url: `${base}/fail`, model: 'm', retryDelayMs: 5 }).judgeAnswer('q', 'g', 'x');
    expect(v.label).toBe('unjudged');
    expect(v.reason).toMatch(/HTTP 500, 3 attempt/);
    expect(count('fail')).toBe(3);
  });

  it('a retry after a 503 can still give a verdict', async () => {
    const v = await httpJudge({ url: `${base}/flaky`, model: 'm', retryDelayMs: 5 }).judgeAnswer('q', 'g', 'x');
    expect(v.label).toBe('correct');
    expect(count('flaky')).toBe(2);
  });

  it('times out on a server that never answers', async () => {
    const t0 = Date.now();
    const v = await httpJudge({ url: `${base}/hang`, model: 'm', timeoutMs: 200, retries: 1, retryDelayMs: 0 }).judgeAnswer('q', 'g', 'x');
    const ms = Date.now() - t0;
    expect(v.label).toBe('unjudged');
    expect(v.reason).toMatch(/timed out after 200 ms, 2 attempt/);
    expect(count('hang')).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(5000);
  }, 10_000);

  it('garbage JSON, a reply without content and a 401 are unjudged without retries', async () => {
    const g = await httpJudge({ url: `${base}/garbage`, model: 'm', retryDelayMs: 0 }).judgeAnswer('q', 'g', 'x');
    expect(g).toMatchObject({ label: 'unjudged' });
    expect(g.reason).toMatch(/not JSON/);
    expect(count('garbage')).toBe(1);
    const e = await httpJudge({ url: `${base}/empty`, model: 'm', retryDelayMs: 0 }).judgeAnswer('q', 'g', 'x');
    expect(e.reason).toMatch(/no choices\[0\]\.message\.content/);
    const d = await httpJudge({ url: `${base}/denied`, model: 'm', retryDelayMs: 0 }).judgeAnswer('q', 'g', 'x');
    expect(d.reason).toMatch(/HTTP 401/);
    expect(count('denied')).toBe(1);
  });

  it('a refused connection is unjudged after the retries', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await httpChat({ url: `http://127.0.0.1:${port}`, model: 'm', retries: 1, retryDelayMs: 0, timeoutMs: 2000 })('hello');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/network error.*2 attempt/);
  });
});

describe('grading with a judge', () => {
  it('rules first, the judge for open answers they reject; unjudged is never correct', async () => {
    const judge = httpJudge({ url: `${base}/ok`, model: 'm', retryDelayMs: 0 });
    const samples = [
      sample('rule', '<image>How many?', '3', '\\boxed{3}'),
      sample('judge-yes', '<image>What is it?', 'a cat', '\\boxed{right, a kitten}'),
      sample('judge-no', '<image>What is it?', 'a cat', '\\boxed{a dog}'),
      sample('judge-unreadable', '<image>What is it?', 'a cat', '\\boxed{boom}'),
      sample('mcq', 'Which?\nA. cat\nB. dog', 'B', '\\boxed{A}'),
    ];
    const before = count('ok');
    await sampleGrader('judge', judge)(samples);
    // MathRuler's pass and the multiple-choice item never reach the judge.
    expect(count('ok') - before).toBe(3);
    expect(samples.map((s) => s.accuracy)).toEqual([1, 1, 0, 0, 0]);
    expect((samples as GradedSample[]).map((s) => [s.grade!.rule, s.grade!.label])).toEqual([
      ['mathruler', 'correct'], ['judge', 'correct'], ['judge', 'wrong'], ['judge', 'unjudged'], ['mcq', 'wrong'],
    ]);
    const sum = summarizeGrading(samples, 'judge', judge);
    expect(sum).toMatchObject({ judged: 4, unjudged: 1, judgeCalls: 3, accuracy: 2 / 5, accuracyJudged: 2 / 4, byRule: { mathruler: 1, judge: 3, mcq: 1 } });
    expect(sum.unjudgedSamples).toEqual([{ id: 'judge-unreadable', reason: 'no verdict in "I refuse."' }]);
    const lines = gradingReport({ n: 5, grading: sum, descriptionJudge: null, badRows: { count: 0, rows: [] } });
    expect(lines[0]).toMatch(/judged 4, unjudged 1; accuracy 40\.0% over all 5 items \(unjudged = wrong\), 50\.0% over judged/);
    expect(lines.join('\n')).toMatch(/unjudged judge-unreadable/);
  });

  it('a judge that fails on every call leaves every open item unjudged and scored 0', async () => {
    const judge = httpJudge({ url: `${base}/fail`, model: 'm', retries: 0 });
    const samples = [sample('a', 'q?', 'x', '\\boxed{y}'), sample('b', 'q?', 'x', '\\boxed{z}')];
    await sampleGrader('judge', judge)(samples);
    expect(samples.map((s) => s.accuracy)).toEqual([0, 0]);
    expect(summarizeGrading(samples, 'judge', judge)).toMatchObject({ judged: 0, unjudged: 2, accuracy: 0, accuracyJudged: null });
  });

  it('auto, mcq, exact and mathruler modes grade without a judge', async () => {
    const mc = { question: 'Which?\n(A) cat\n(B) dog', answer: 'B', response: '\\boxed{B. dog}' };
    expect(await gradeSample(mc, 'auto')).toMatchObject({ rule: 'mcq', label: 'correct', chosen: 'B', how: 'letter' });
    // MathRuler does not accept "B. dog" for "B".
    expect(await gradeSample(mc, 'mathruler')).toMatchObject({ rule: 'mathruler', label: 'wrong' });
    expect(await gradeSample({ question: 'How many?', answer: '3', response: '\\boxed{3}' }, 'mcq')).toMatchObject({ rule: 'mathruler', label: 'correct', reason: 'no options found in the question' });
    expect(await gradeSample({ question: 'q', answer: 'Cat', response: '\\boxed{ cat. }' }, 'exact')).toMatchObject({ rule: 'exact', label: 'correct' });
    expect(exactMatch('\\boxed{3.0}', '3')).toBe(false);
    expect(() => sampleGrader('judge')).toThrow(/needs a judge/);
  });

  it('judges descriptions: self-contained, missing, and the language-shortcut rate', async () => {
    const calls: string[] = [];
    const judge = chatJudge('fake', async (text) => {
      calls.push(text);
      if (text.includes('Description: boom')) return { ok: false, reason: 'HTTP 500, 3 attempt(s)' };
      return { ok: true, text: `<judgment>${text.includes('Description: a red') ? 'correct' : 'incorrect'}</judgment>` };
    }, 2);
    const s = [
      { ...sample('sup', '<image>Colour?', 'red', '<description>a red ball</description><think>x</think>\\boxed{red}'), accuracy: 1 },
      { ...sample('short', '<image>Colour?', 'red', '<description>a ball</description>\\boxed{red}'), accuracy: 1 },
      { ...sample('none', '<image>Colour?', 'red', '\\boxed{red}'), accuracy: 1 },
      { ...sample('fail', '<image>Colour?', 'red', '<description>boom</description>\\boxed{blue}'), accuracy: 0 },
    ];
    const d = await judgeDescriptions(s, judge);
    expect(calls.length).toBe(3);
    expect(calls[0]).toContain('Question: Colour?');
    expect((s as GradedSample[]).map((x) => x.descriptionJudge!.label)).toEqual(['correct', 'wrong', 'wrong', 'unjudged']);
    expect(d).toMatchObject({ judged: 3, unjudged: 1, noDescription: 1, accuracy: 1 / 4, accuracyJudged: 1 / 3, languageShortcutRate: 2 / 4, languageShortcutRateJudged: 2 / 3 });
    // The reference's fallback hands the whole response to the judge.
    const whole = await judgeDescriptions([s[2]], judge, 'whole-response');
    expect(calls.length).toBe(4);
    expect(whole.noDescription).toBe(1);
  });

  it('real-server description judging through httpJudge', async () => {
    const judge = httpJudge({ url: `${base}/ok`, model: 'm', retryDelayMs: 0 });
    const v = await judge.judgeDescription('<image>Colour?', 'a red ball', 'red');
    expect(v).toMatchObject({ label: 'correct' });
    expect(hits.at(-1)!.body.messages[0].content).toContain('Reference answer: red');
  });
});

describe('vsr1 eval grading options', () => {
  it('checks the options before loading anything', () => {
    expect(() => gradingPlan({ grade: 'fuzzy' })).toThrow(/--grade must be one of auto, mathruler, mcq, exact, judge/);
    expect(() => gradingPlan({ grade: 'judge' })).toThrow(/--grade judge needs a judge/);
    expect(() => gradingPlan({ judgeUrl: 'localhost:8000' })).toThrow(/--judge-url must start with http/);
    expect(() => gradingPlan({ judgeUrl: 'http://127.0.0.1:1' })).toThrow(/needs --judge-model/);
    expect(() => gradingPlan({ judgeModel: 'x' })).toThrow(/--judge-model needs --judge-url/);
    expect(() => gradingPlan({ judgeUrl: 'http://h', judgeModel: 'm', judgePolicy: true })).toThrow(/not both/);
    expect(() => gradingPlan({ judgeUrl: 'http://h', judgeModel: 'm', judgeTimeout: '0' })).toThrow(/--judge-timeout/);
    const p = gradingPlan({ grade: 'judge', judgeUrl: 'http://h', judgeModel: 'm', judgeKeyEnv: 'NOPE_KEY' }, {});
    expect(p.notes.join()).toMatch(/\$NOPE_KEY is not set/);
    expect(gradingPlan({ grade: 'judge', judgeUrl: 'http://h', judgeModel: 'm', judgeKeyEnv: 'K' }, { K: 'v' }).notes).toEqual([]);
    expect(gradingPlan({ judgePolicy: true, judgeDescriptions: false }).judgeDescriptions).toBe(false);
    expect(gradingPlan({ judgePolicy: true, judgeDescriptions: true }).judgeDescriptions).toBeUndefined();
  });
});
