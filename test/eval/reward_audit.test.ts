/**
 * The reward audit (lib/eval/reward_audit.ts, reward_audit_read.ts, `vsr1 reward-audit`) on
 * hand-made scenes and samples: description kinds, the rewards per kind, family and third of the
 * run, the hallucination penalty, and lines that cannot be used counted by reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditMarkdown, auditRewards, descriptionKind, type AuditSample } from '../../lib/eval/reward_audit.js';
import { readAuditInput } from '../../lib/eval/reward_audit_read.js';
import type { Scene } from '../../lib/world/scene.js';

const SCENE: Scene = {
  width: 112, height: 112,
  objects: [
    { colour: 'red', shape: 'circle', size: 'small', x: 20, y: 56, r: 9, row: 'middle' },
    { colour: 'blue', shape: 'square', size: 'large', x: 70, y: 56, r: 14, row: 'middle' },
  ],
};
const response = (desc: string | null, answer: string) => `${desc === null ? '' : `<description> ${desc} </description> `}<think> so. </think> \\boxed{${answer}}`;
const FAITHFUL = response('there are 2 shapes: a small red circle and a large blue square.', 'red');
const HALLUCINATING = response('there are 2 shapes: a small red circle and a large green star.', 'red');
const NO_OBJECTS = response('it is a picture.', 'red');
const MISSING = response(null, 'red');

const sample = (step: number, resp: string, accuracy: number, visual: number | null, family = 'colour_of_shape'): AuditSample => ({ step, family, scene: SCENE, response: resp, accuracy, visual });

describe('reward audit', () => {
  it('sorts descriptions by what they state against the scene', () => {
    expect(descriptionKind(FAITHFUL, SCENE)).toBe('faithful');
    expect(descriptionKind(HALLUCINATING, SCENE)).toBe('hallucinating');
    expect(descriptionKind(NO_OBJECTS, SCENE)).toBe('no_objects');
    expect(descriptionKind(MISSING, SCENE)).toBe('missing');
  });

  it('gives the rewards of each kind, family and third of the run', () => {
    const samples = [
      sample(1, FAITHFUL, 1, 1), sample(2, FAITHFUL, 1, 0), // one shortcut among faithful
      sample(3, HALLUCINATING, 1, 1), sample(4, HALLUCINATING, 0, 0), sample(5, HALLUCINATING, 1, 0),
      sample(6, NO_OBJECTS, 0, 0, 'count_shape'), sample(6, MISSING, 1, null, 'count_shape'),
    ];
    const a = auditRewards(samples);
    expect(a.samples).toBe(7);
    expect(a.all.faithful).toEqual({ n: 2, visualReward: 0.5, accuracy: 1, shortcutRate: 0.5, agreement: 0.5 });
    expect(a.all.hallucinating.agreement).toBeCloseTo(2 / 3, 12);
    expect(a.all.hallucinating.n).toBe(3);
    expect(a.all.hallucinating.visualReward).toBeCloseTo(1 / 3, 12);
    expect(a.all.hallucinating.shortcutRate).toBeCloseTo(1 / 3, 12);
    expect(a.all.missing).toEqual({ n: 1, visualReward: null, accuracy: 1, shortcutRate: null, agreement: null });
    expect(a.all.all.n).toBe(7);
    expect(a.all.all.visualReward).toBeCloseTo(2 / 6, 12); // the missing one has no visual reward
    expect(a.hallucinationPenalty).toBeCloseTo(1 / 3 - 1 / 2, 12);
    // Right answers only: faithful 1/2 paid, hallucinating 1/2 paid (steps 3 and 5), missing unpaid.
    expect(a.rightAnswers.all.n).toBe(5);
    expect(a.rightAnswers.hallucinating).toEqual({ n: 2, visualReward: 0.5, accuracy: 1, shortcutRate: 0.5, agreement: 0.5 });
    expect(a.hallucinationPenaltyWhenRight).toBe(0);
    expect(Object.keys(a.families)).toEqual(['colour_of_shape', 'count_shape']);
    expect(a.families.count_shape!.all.n).toBe(2);
    expect(a.families.count_shape!.no_objects.n).toBe(1);
    expect(a.phases.map((p) => [p.first, p.last, p.rows.all.n])).toEqual([[1, 2, 2], [3, 4, 2], [5, 6, 3]]);
    const md = auditMarkdown(a, 'hand-made');
    expect(md).toContain('| hallucinating | 3 | 42.9 | 33.3 | 66.7 | 33.3 | 66.7 |');
    expect(md).toContain('-16.7 points; among right answers only: 0.0 points');
    expect(md).toContain('## Right answers only');
    expect(md).toContain('## Family count_shape');
  });

  it('has no penalty without both kinds, and no phases without samples', () => {
    expect(auditRewards([sample(1, FAITHFUL, 1, 1)]).hallucinationPenalty).toBeNull();
    const empty = auditRewards([]);
    expect(empty.phases).toEqual([]);
    expect(empty.all.all).toEqual({ n: 0, visualReward: null, accuracy: null, shortcutRate: null, agreement: null });
  });

  describe('reading a run folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsr1-audit-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const data = join(dir, 'rl.jsonl');
    writeFileSync(data, [
      JSON.stringify({ id: 'rl-0', family: 'colour_of_shape', scene: SCENE }),
      JSON.stringify({ id: 'rl-1', family: 'count_shape', scene: JSON.stringify(SCENE) }), // parquet-style text column
      JSON.stringify({ id: 'rl-2', family: 'count_shape' }),
      JSON.stringify({ family: 'count_shape', scene: SCENE }), // no id: found by its line only
    ].join('\n'));
    const line = (step: number, id: string, resp: string, reward: Record<string, number>, split = 'train') => JSON.stringify({ step, split, index: 0, id, response: resp, reward });
    writeFileSync(join(dir, 'samples.jsonl'), [
      line(1, 'rl-0', FAITHFUL, { overall: 2, accuracy: 1, description_accuracy: 1 }),
      line(2, `${dir}/./rl.jsonl:2`, HALLUCINATING, // the trainer's `<file>:<line>` id, the path spelt another way
      { overall: 1, accuracy: 1, description_accuracy: 0 }),
      line(2, 'rl-9', FAITHFUL, { overall: 1, accuracy: 1 }),
      line(2, 'rl-0', FAITHFUL, { overall: 1, accuracy: 1 }, 'val'),
      '{"step": 3, "id": "rl-0"',
    ].join('\n'));

    it('joins samples with their scenes and counts what it leaves out', async () => {
      const r = await readAuditInput(dir, [data]);
      expect(r.samples.map((s) => [s.step, s.family, s.accuracy, s.visual])).toEqual([[1, 'colour_of_shape', 1, 1], [2, 'count_shape', 1, 0]]);
      expect(r.skipped).toEqual({ 'data row without family or scene': 1, 'sample id not in the data file': 1, 'sample line is not JSON': 1 });
    });

    it('names the missing file', async () => {
      await expect(readAuditInput(join(dir, 'nope'), [data])).rejects.toThrow(/nope\/samples\.jsonl not found/);
      await expect(readAuditInput(dir, [join(dir, 'none.jsonl')])).rejects.toThrow(/data file .*none\.jsonl not found/);
    });

    it('writes the markdown and JSON from the command line', () => {
      const out = join(dir, 'audit');
      const p = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'reward-audit', dir, dir, '--data', data, '--out', out], { encoding: 'utf8', timeout: 120_000 });
      expect(p.status, p.stderr).toBe(0);
      expect(p.stdout).toContain('1 line(s) left out: sample id not in the data file');
      const j = JSON.parse(readFileSync(join(out, 'reward_audit.json'), 'utf8'));
      expect(j.samples).toBe(4); // two folders pooled
      expect(j.all.hallucinating.n).toBe(2);
      expect(readFileSync(join(out, 'reward_audit.md'), 'utf8')).toContain('# Reward audit');
    });
  });
});
