/**
 * A file evaluation counts and reports its bad rows (invalid JSON, no answer, an empty answer, a
 * missing image, an image that passes the signature check but does not decode) instead of
 * skipping them in silence or crashing; the policy as judge; and `vsr1 eval` prints and writes
 * the counts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainConfig, type TrainConfig } from '../../lib/config/index.js';
import { gradingReport } from '../../lib/eval/cli_options.js';
import { evaluateFile } from '../../lib/eval/evaluate_file.js';
import type { GradedSample } from '../../lib/eval/grading.js';
import { policyJudge } from '../../lib/eval/policy_judge.js';
import { loadStack, type ModelStack } from '../../lib/rollout/model_stack.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';

let root = '', model = '', data = '';
let stack: ModelStack;
let cfg: TrainConfig;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'vsr1-eval-bad-'));
  const world = path.join(root, 'world');
  await synthesizeWorld({ out: world, sizes: splitSizes(40), settings: { seed: 2, prior: 0.8 } });
  model = createTinyCheckpoint(path.join(root, 'm'), { seed: 1 });
  const good = readFileSync(path.join(world, 'test.jsonl'), 'utf8').trim().split('\n').slice(0, 3).map((l) => JSON.parse(l));
  // A PNG with a valid signature and IEND tail whose middle is zeroed: it passes the load check
  // (signature, header, tail) and fails to decode.
  const png = readFileSync(path.join(world, good[0].images[0]));
  const broken = Buffer.from(png);
  broken.fill(0, png.length >> 1, png.length - 40); // the second half of the pixel data: the header and the zlib stream start stay readable
  writeFileSync(path.join(world, 'corrupt.png'), broken);
  const row = (o: Record<string, unknown>) => JSON.stringify(o);
  const lines = [
    row(good[0]),
    row({ problem: good[1].problem, images: good[1].images }), // line 2: no answer
    '{"problem": "truncated', // line 3: invalid JSON
    row(good[1]),
    row({ ...good[2], images: ['images/nowhere.png'] }), // line 5: missing image
    row({ ...good[2], images: ['corrupt.png'] }), // line 6: does not decode
    row({ ...good[2], answer: '  ' }), // line 7: empty answer
    '[1, 2]', // line 8: not an object
    row(good[2]),
  ];
  data = path.join(world, 'mixed.jsonl');
  writeFileSync(data, `${lines.join('\n')}\n`);
  cfg = loadTrainConfig('configs/world_train.yaml', [`worker.actor.model.model_path=${model}`, 'data.max_response_length=12']);
  stack = await loadStack({ weightsDir: model, dtype: 'float32', device: 'cpu', minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
}, 120_000);

afterAll(() => stack?.model.dispose());

describe('evaluateFile with bad rows', () => {
  it('evaluates the good rows and counts every bad one with its reason', async () => {
    const r = await evaluateFile(stack, data, cfg);
    expect(r.n).toBe(3);
    expect(r.samples.map((s) => s.id.split(':').pop())).toEqual(['1', '4', '9']);
    expect(r.badRows.count).toBe(6);
    const byLine = Object.fromEntries(r.badRows.rows.map((b) => [b.row, b.reason]));
    expect(Object.keys(byLine).map(Number).sort((a, b) => a - b)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(byLine[2]).toMatch(/missing key "answer"/);
    expect(byLine[3]).toMatch(/invalid JSON/);
    expect(byLine[5]).toMatch(/not found/);
    expect(byLine[6]).toMatch(/image does not decode/);
    expect(byLine[7]).toMatch(/empty answer/);
    expect(byLine[8]).toMatch(/must be an object/);
    expect(r.grading).toMatchObject({ mode: 'auto', byRule: { mathruler: 3 }, judged: 3, unjudged: 0, judgeCalls: 0 });
    expect(r.grading.accuracy).toBeCloseTo(r.accuracy, 12);
    expect(r.descriptionJudge).toBeNull();
    const report = gradingReport(r).join('\n');
    expect(report).toMatch(/bad rows: 6 \(not evaluated\)/);
    expect(report).toMatch(/mixed\.jsonl:6: image does not decode/);
  }, 120_000);

  it('the policy as judge: every open answer MathRuler rejects is asked, unjudged ones score 0', async () => {
    const judge = policyJudge(stack, { maxNewTokens: 6, batchSize: 4 });
    const r = await evaluateFile(stack, data, cfg, { grade: 'judge', judge });
    const samples = r.samples as GradedSample[];
    const ruleRight = samples.filter((s) => s.grade!.rule === 'mathruler').length;
    expect(r.grading.judgeCalls).toBe(3 - ruleRight);
    expect(r.grading.judgeCalls).toBeGreaterThan(0);
    expect(r.grading.judge).toBe('policy');
    for (const s of samples) {
      expect(s.accuracy).toBe(s.grade!.label === 'correct' ? 1 : 0);
      expect(s.descriptionJudge).toBeDefined();
      // The policy generated a reply for each judgement it was asked.
      if (s.grade!.rule === 'judge') expect(typeof s.grade!.reply).toBe('string');
    }
    expect(r.grading.judged + r.grading.unjudged).toBe(3);
    expect(r.accuracy).toBeCloseTo(samples.filter((s) => s.grade!.label === 'correct').length / 3, 12);
    // See-think: the descriptions were judged too (a missing description is 'wrong' without a call).
    expect(r.descriptionJudge).not.toBeNull();
    expect(r.descriptionJudge!.judged + r.descriptionJudge!.unjudged).toBe(3);
    expect(r.badRows.count).toBe(6);
  }, 120_000);
});

describe('vsr1 eval report', () => {
  it('prints the grading counts and bad rows and writes them to --out', () => {
    const out = path.join(root, 'r.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'eval', '--model', model, '--data', data, '--config', 'configs/world_train.yaml', '--grade', 'exact', '--out', out],
      { encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/grading exact \(exact 3\); judged 3, unjudged 0/);
    expect(r.stdout).toMatch(/bad rows: 6 \(not evaluated\)/);
    expect(r.stdout).toMatch(/mixed\.jsonl:2: missing key "answer"/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.badRows.count).toBe(6);
    expect(res.badRows.rows).toHaveLength(6);
    expect(res.grading).toMatchObject({ mode: 'exact', judged: 3, unjudged: 0 });
    expect(res.samples[0].grade.rule).toBe('exact');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'eval', '--model', model, '--data', data, '--grade', 'judge'], { encoding: 'utf8', timeout: 120_000 });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--grade judge needs a judge/);
  }, 400_000);
});
