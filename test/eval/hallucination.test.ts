/**
 * Hallucination against the scene (lib/eval/hallucination.ts, family_breakdown.ts) on
 * hand-made scenes and descriptions, and on the gold descriptions of generated world items.
 */
import { describe, expect, it } from 'vitest';
import type { EvalSample } from '../../lib/eval/evaluate.js';
import { summarizeHallucination, worldBreakdown } from '../../lib/eval/family_breakdown.js';
import { matchObjects, parseDescription, parseSceneColumn, scoreDescription, scoreResponse } from '../../lib/eval/hallucination.js';
import { goldDescription } from '../../lib/world/describe.js';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';
import type { Scene, SceneObject } from '../../lib/world/scene.js';
import type { Colour, Shape, Size } from '../../lib/world/vocabulary.js';

/** A scene from "size colour shape" triples, left to right (geometry does not matter here). */
function scene(...objs: string[]): Scene {
  const objects: SceneObject[] = objs.map((s, i) => {
    const [size, colour, shape] = s.split(' ') as [Size, Colour, Shape];
    return { size, colour, shape, x: 10 + 25 * i, y: 56, r: 9, row: 'middle' };
  });
  return { width: 112, height: 112, objects };
}

const RATES = ['objectPrecision', 'objectRecall', 'hallucinationRate', 'colourPrecision', 'colourRecall', 'shapePrecision', 'shapeRecall', 'countAccuracy'] as const;

describe('hallucination against the scene', () => {
  it('scores the gold description of generated scenes as exact', () => {
    const items = generateItems(resolveWorldSettings({ seed: 11 }), 'test', 160);
    expect(new Set(items.map((x) => x.family)).size).toBe(8);
    expect(new Set(items.map((x) => x.scene.objects.length))).toEqual(new Set([1, 2, 3, 4]));
    for (const it of items) {
      const gold = goldDescription(it.scene);
      expect(gold).toBe(it.description);
      const s = scoreResponse(`<description> ${gold} </description> <think> ${it.think} </think> \\boxed{${it.answer}}`, it.scene);
      expect(s.missing).toBe(false);
      expect(s.objectsStated).toBe(it.scene.objects.length);
      for (const k of RATES) expect(s[k], `${it.id} ${k}`).toBe(k === 'hallucinationRate' ? 0 : 1);
      expect(s.countsStated).toBeGreaterThanOrEqual(1); // "there are N shapes"
    }
  });

  it('reads the claims of a gold description', () => {
    const c = parseDescription('there are 2 shapes, from left to right: a small red circle at the top and a large blue square in the middle.');
    expect(c.objects).toEqual([{ colour: 'red', shape: 'circle', size: 'small' }, { colour: 'blue', shape: 'square', size: 'large' }]);
    expect(c.colours).toEqual(['blue', 'red']);
    expect(c.shapes).toEqual(['circle', 'square']);
    expect(c.counts).toEqual([{ colour: null, shape: null, size: null, count: 2, source: 'number' }]);
  });

  it('catches one invented object', () => {
    const sc = scene('small red circle', 'large blue square', 'small yellow star');
    const s = scoreDescription(`${goldDescription(sc).slice(0, -1)} and a large green diamond.`, sc);
    expect(s.objectPrecision).toBeCloseTo(3 / 4, 12);
    expect(s.hallucinationRate).toBeCloseTo(1 / 4, 12);
    expect(s.objectRecall).toBe(1);
    expect(s.colourPrecision).toBeCloseTo(3 / 4, 12);
    expect(s.shapePrecision).toBeCloseTo(3 / 4, 12);
    expect(s.colourRecall).toBe(1);
    expect(s.countAccuracy).toBe(1); // "there are 3 shapes" is still right
  });

  it('catches one omitted object', () => {
    const sc = scene('small red circle', 'large blue square', 'small yellow star');
    const s = scoreDescription('there are 3 shapes: a small red circle and a large blue square.', sc);
    expect(s.objectPrecision).toBe(1);
    expect(s.objectRecall).toBeCloseTo(2 / 3, 12);
    expect(s.colourRecall).toBeCloseTo(2 / 3, 12);
    expect(s.shapeRecall).toBeCloseTo(2 / 3, 12);
    expect(s.countAccuracy).toBe(1);
  });

  it('counts a wrong colour on the right shape as a hallucinated object', () => {
    const sc = scene('small red circle', 'large blue square');
    const s = scoreDescription('a small red circle and a large green square', sc);
    expect([s.objectPrecision, s.objectRecall]).toEqual([0.5, 0.5]);
    expect([s.shapePrecision, s.shapeRecall]).toEqual([1, 1]);
    expect([s.colourPrecision, s.colourRecall]).toEqual([0.5, 0.5]);
  });

  it('matches size when stated, and matches one to one at the largest matching', () => {
    const sc = scene('large red circle', 'small red circle');
    expect(scoreDescription('a small blue circle', scene('large blue circle')).objectPrecision).toBe(0);
    expect(scoreDescription('a blue circle', scene('large blue circle')).objectPrecision).toBe(1);
    // An unsized claim listed first must not take the only object the sized claim can match.
    expect(matchObjects([{ colour: 'red', shape: 'circle', size: null }, { colour: 'red', shape: 'circle', size: 'large' }], sc)).toBe(2);
    // Duplicates: two claims, one object.
    const d = scoreDescription('a red square and a red square', scene('small red square'));
    expect([d.objectsStated, d.objectsMatched, d.objectPrecision, d.objectRecall]).toEqual([2, 1, 0.5, 1]);
  });

  it('grades stated counts: explicit numbers, number words, repeated mentions and negations', () => {
    const two = scene('small red circle', 'large red circle', 'small blue star');
    const three = scene('small red circle', 'large red circle', 'small red circle');
    for (const text of ['there are 2 red circles', 'there are two red circles']) {
      expect(scoreDescription(text, two).countAccuracy).toBe(1);
      expect(scoreDescription(text, three).countAccuracy).toBe(0);
      expect(scoreDescription(text, two).objectsStated).toBe(2);
    }
    expect(parseDescription('a red circle and a red circle').counts).toEqual([{ colour: 'red', shape: 'circle', size: null, count: 2, source: 'repeated' }]);
    expect(scoreDescription('a red circle and a red circle', two).countAccuracy).toBe(1);
    expect(scoreDescription('a red circle and a red circle', three).countAccuracy).toBe(0);
    expect(scoreDescription('there are 3 shapes and no squares', two).countAccuracy).toBe(1);
    expect(scoreDescription('there are 4 shapes and no stars', two)).toMatchObject({ countsStated: 2, countsCorrect: 0, countAccuracy: 0 });
    expect(scoreDescription('there are 2 red shapes', two).countAccuracy).toBe(1);
    expect(scoreDescription('there is not a blue star', two).countAccuracy).toBe(0);
    // A negated object is neither a stated object nor a stated colour.
    expect(parseDescription('there is no green diamond').objects).toEqual([]);
    expect(parseDescription('there is no green diamond').colours).toEqual([]);
    expect(scoreDescription('a red circle', two).countAccuracy).toBeNull();
    // Determiners and negations act inside their own clause.
    expect(parseDescription('no, there is a red circle').objects).toHaveLength(1);
    expect(parseDescription('there are 3, red circle')).toMatchObject({ objects: [{ colour: 'red', shape: 'circle', size: null }], counts: [] });
  });

  it('reads free word order and extra words', () => {
    const sc = scene('small red circle', 'large blue square');
    const s = scoreDescription('i can see a circle that is red, and also one big shiny blue square near the middle', sc);
    expect([s.objectPrecision, s.objectRecall]).toEqual([1, 1]);
    expect(parseDescription('The RED Circle.').objects).toEqual([{ colour: 'red', shape: 'circle', size: null }]);
    // "the red circle" after "a red circle" names the same object again.
    expect(parseDescription('a red circle. the red circle is at the top').objects).toHaveLength(1);
  });

  it('survives garbled text', () => {
    const sc = scene('small red circle', 'large blue square');
    const soups = ['red red the the circle < / 9 9 shapes ,, : .', 'lorem ipsum dolor', '', 'circle circle circle', '99999999 red circles', 'blue blue blue', '\\boxed{3} </think>'];
    for (const t of soups) {
      const s = scoreDescription(t, sc);
      expect(s.missing).toBe(false);
      for (const k of RATES) if (s[k] !== null) expect(s[k]! >= 0 && s[k]! <= 1, `${JSON.stringify(t)} ${k}`).toBe(true);
    }
    const none = scoreDescription('lorem ipsum dolor', sc);
    expect([none.objectPrecision, none.objectRecall, none.colourPrecision]).toEqual([null, 0, null]);
    expect(scoreDescription('99999999 red circles', sc).objectsStated).toBe(20); // capped
    expect(scoreDescription('blue blue blue', sc)).toMatchObject({ colourPrecision: 1, colourRecall: 0.5, objectsStated: 0 });
  });

  it('keeps a missing description apart, never as perfect precision', () => {
    const sc = scene('small red circle');
    const missing = scoreResponse('<think> it is red </think> \\boxed{red}', sc);
    expect(missing.missing).toBe(true);
    for (const k of RATES) expect(missing[k]).toBeNull();
    const empty = scoreResponse('<description></description> \\boxed{red}', sc);
    expect(empty).toMatchObject({ missing: false, objectPrecision: null, objectRecall: 0 });
    const sum = summarizeHallucination([missing, scoreResponse('<description>a small red circle and a blue star</description>', sc)]);
    expect(sum).toMatchObject({ n: 2, missing: 1, withObjects: 1, objectPrecision: 0.5, hallucinationRate: 0.5, objectRecall: 1, countAccuracy: null, withCounts: 0 });
    expect(summarizeHallucination([missing])).toMatchObject({ n: 1, missing: 1, objectPrecision: null, hallucinationRate: null });
  });

  it('handles an empty scene', () => {
    const s = scoreDescription('a red circle', scene());
    expect([s.objectPrecision, s.objectRecall, s.colourRecall, s.shapeRecall]).toEqual([0, null, null, null]);
    expect(scoreDescription('there are 0 shapes', scene()).countAccuracy).toBe(1);
  });

  it('checks the scene column and names the row', () => {
    const sc = scene('small red circle');
    expect(parseSceneColumn(JSON.stringify(sc), 'row a:1')).toEqual(sc);
    expect(() => parseSceneColumn('{oops', 'row a:1')).toThrow(/row a:1: 'scene' column is not JSON/);
    expect(() => parseSceneColumn('{"objects": 3}', 'row a:2')).toThrow(/row a:2: .*'objects' list/);
    expect(() => parseSceneColumn('{"objects": [{"colour": "pink", "shape": "circle", "size": "small"}]}', 'row a:3')).toThrow(/row a:3: scene object 0 needs a colour/);
  });
});

describe('per-family breakdown', () => {
  const sample = (accuracy: number, descriptionAccuracy: number | null, response: string): EvalSample => ({ id: 'x', question: 'q', answer: 'a', response, pass2: null, accuracy, format: 1, descriptionAccuracy });
  const sc = JSON.stringify(scene('small red circle', 'large blue square'));
  const good = '<description>a small red circle and a large blue square</description>';
  const bad = '<description>a green star</description>';

  it('splits answer scores, the language-shortcut rate and hallucination by family', () => {
    const samples = [sample(1, 0, bad), sample(1, 1, good), sample(0, 0, 'no tags'), sample(1, 0, good)];
    const cols = [{ family: 'exists', scene: sc }, { family: 'exists', scene: sc }, { family: 'spatial', scene: sc }, { family: 'spatial', scene: sc }];
    const r = worldBreakdown(samples, cols, ['r1', 'r2', 'r3', 'r4']);
    expect(Object.keys(r.families!)).toEqual(['exists', 'spatial']);
    const ex = r.families!.exists!, sp = r.families!.spatial!;
    expect([ex.n, ex.accuracy, ex.descriptionAccuracy, ex.languageShortcutRate]).toEqual([2, 1, 0.5, 0.5]);
    expect([sp.n, sp.accuracy, sp.descriptionAccuracy, sp.languageShortcutRate]).toEqual([2, 0.5, 0, 0.5]);
    expect(ex.hallucination).toMatchObject({ n: 2, missing: 0, objectPrecision: 0.5, objectRecall: 0.5 });
    expect(sp.hallucination).toMatchObject({ n: 2, missing: 1, objectPrecision: 1, objectRecall: 1 });
    expect(r.hallucination).toMatchObject({ n: 4, missing: 1 });
    expect(r.hallucination!.objectPrecision).toBeCloseTo(2 / 3, 12);
    expect(r.samples.map((s) => s.family)).toEqual(['exists', 'exists', 'spatial', 'spatial']);
    expect(r.samples[2]!.hallucination!.missing).toBe(true);
  });

  it('gives no families without the column and no hallucination without scenes', () => {
    const r = worldBreakdown([sample(1, null, good)], [{ scene: sc }], ['r1']);
    expect(r.families).toBeNull();
    expect(r.hallucination).toMatchObject({ n: 1, objectPrecision: 1 });
    const f = worldBreakdown([sample(1, null, good)], [{ family: 'exists' }], ['r1']);
    expect(f.hallucination).toBeNull();
    expect(f.families!.exists).toMatchObject({ n: 1, accuracy: 1, descriptionAccuracy: null, languageShortcutRate: null, hallucination: null });
    expect(() => worldBreakdown([sample(1, null, good)], [{ scene: '[' }], ['f.jsonl:7'])).toThrow(/row f\.jsonl:7/);
  });
});
