import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, PRIOR_FAMILIES } from '../../lib/world/families/index.js';
import { generateItem, generateItems, resolveWorldSettings, type WorldItem } from '../../lib/world/generate.js';
import { FAVOURED_COLOUR, FAVOURED_SHAPE, SPLIT_NAMES } from '../../lib/world/priors.js';
import { splitWorldText, worldAnswerVocabulary, worldVocabulary } from '../../lib/world/vocabulary.js';
import { parseDescription, solve, type Obj } from './solver.js';

const settings = resolveWorldSettings({ seed: 11 });
const sample: WorldItem[] = SPLIT_NAMES.flatMap((s) => generateItems(settings, s, s === 'rl' ? 1500 : 400));

describe('world items', () => {
  it('covers every family in the training splits and only prior families in test-shortcut', () => {
    const fams = new Set(sample.filter((it) => it.split === 'rl').map((it) => it.family));
    expect([...fams].sort()).toEqual([...FAMILY_NAMES].sort());
    const sc = new Set(sample.filter((it) => it.split === 'test-shortcut').map((it) => it.family));
    expect([...sc].sort()).toEqual([...PRIOR_FAMILIES].sort());
    expect(PRIOR_FAMILIES.sort()).toEqual(['colour_of_shape', 'exists', 'shape_of_colour']);
  });

  it('is deterministic per (seed, split, index) and independent of the split size', () => {
    const a = generateItem(settings, 'rl', 37);
    expect(generateItem(settings, 'rl', 37)).toEqual(a);
    expect(generateItems(settings, 'rl', 40)[37]).toEqual(a);
    expect(generateItem(resolveWorldSettings({ seed: 12 }), 'rl', 37)).not.toEqual(a);
    expect(generateItem(settings, 'test', 37).scene).not.toEqual(a.scene);
  });

  it('has a problem with one <image> at the very end, lowercase question, short answer', () => {
    for (const it of sample) {
      expect(it.problem).toBe(`${it.question}<image>`);
      expect(it.problem.split('<image>').length).toBe(2);
      expect(it.question).toMatch(/^[a-z][a-z0-9 ,]*\?$/);
      expect(it.answer).toMatch(/^[a-z0-9]+$/);
      expect(worldAnswerVocabulary()).toContain(it.answer);
    }
  });

  it('gold description lists the scene objects left to right with the right attributes', () => {
    for (const it of sample) {
      const xs = it.scene.objects.map((o) => o.x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
      const fromScene: Obj[] = it.scene.objects.map((o) => ({ size: o.size, colour: o.colour, shape: o.shape, row: o.row }));
      expect(parseDescription(it.description)).toEqual(fromScene);
    }
  });

  it('answers agree with an independent solver, both from the scene and from the description alone', () => {
    const wrong: string[] = [];
    for (const it of sample) {
      const objs: Obj[] = it.scene.objects.map((o) => ({ size: o.size, colour: o.colour, shape: o.shape, row: o.row }));
      const a1 = solve(it.question, objs);
      const a2 = solve(it.question, parseDescription(it.description));
      if (a1 !== it.answer || a2 !== it.answer) wrong.push(`${it.id}: ${it.question} -> ${it.answer} (solver ${a1}/${a2})`);
    }
    expect(wrong).toEqual([]);
  });

  it('think ends with the answer and mentions only objects of the scene', () => {
    for (const it of sample) {
      expect(it.think.endsWith(`so the answer is ${it.answer}.`)).toBe(true);
      const named = [...it.think.matchAll(/the (small|large) (\w+) (\w+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
      const present = new Set(it.scene.objects.map((o) => `${o.size} ${o.colour} ${o.shape}`));
      for (const n of named) expect(present.has(n), `${it.id}: think names "${n}"`).toBe(true);
    }
  });

  it('every text tokenises into worldVocabulary, and every vocabulary token is used', () => {
    const vocab = new Set(worldVocabulary());
    const used = new Set<string>();
    for (const it of sample) {
      for (const text of [it.problem, it.description, it.think, it.answer]) {
        for (const tok of splitWorldText(text)) {
          expect(vocab.has(tok), `token "${tok}" of "${text}"`).toBe(true);
          used.add(tok);
        }
      }
    }
    const unused = [...vocab].filter((w) => !used.has(w));
    // Digits above the largest possible answer (4 objects + 2 added = 6) cannot appear.
    expect(unused.sort()).toEqual(['7', '8', '9']);
    expect(splitWorldText('how many red shapes are there?<image>')).toEqual(['how', 'many', 'red', 'shapes', 'are', 'there', '?']);
    expect(splitWorldText('2 + 1 = 3.')).toEqual(['2', '+', '1', '=', '3', '.']);
  });

  it('validates settings with clear errors', () => {
    expect(() => resolveWorldSettings({ prior: 1.5 })).toThrow(/prior/);
    expect(() => resolveWorldSettings({ imageSize: 10 })).toThrow(/imageSize/);
    expect(() => resolveWorldSettings({ maxObjects: 5 })).toThrow(/maxObjects/);
    expect(() => resolveWorldSettings({ families: ['nope' as never] })).toThrow(/unknown family "nope"/);
    expect(() => resolveWorldSettings({ seed: -1 })).toThrow(/seed/);
  });

  it('respects maxObjects and image size', () => {
    const s = resolveWorldSettings({ seed: 5, maxObjects: 2, imageSize: 64 });
    for (const it of generateItems(s, 'rl', 300)) {
      expect(it.scene.objects.length).toBeLessThanOrEqual(2);
      expect(it.scene.width).toBe(64);
      for (const o of it.scene.objects) {
        expect(o.x - o.r).toBeGreaterThanOrEqual(0);
        expect(o.x + o.r).toBeLessThanOrEqual(64);
        expect(o.y - o.r).toBeGreaterThanOrEqual(0);
        expect(o.y + o.r).toBeLessThanOrEqual(64);
      }
    }
  });
});

describe('world language priors', () => {
  const rate = (items: WorldItem[], fam: string, fav: (it: WorldItem) => boolean) => {
    const xs = items.filter((it) => it.family === fam);
    return { r: xs.filter(fav).length / xs.length, n: xs.length };
  };
  const favoured = {
    exists: (it: WorldItem) => it.answer === 'yes',
    colour_of_shape: (it: WorldItem) => it.answer === FAVOURED_COLOUR[/what colour is the (\w+)\?/.exec(it.question)![1] as keyof typeof FAVOURED_COLOUR],
    shape_of_colour: (it: WorldItem) => it.answer === FAVOURED_SHAPE[/which shape is (\w+)\?/.exec(it.question)![1] as keyof typeof FAVOURED_SHAPE],
  };
  const make = (prior: number | null, split: 'rl' | 'test-shortcut', n: number) =>
    generateItems(resolveWorldSettings({ seed: 21, prior, families: [...PRIOR_FAMILIES] }), split, n);

  it('training splits favour the prior answer with probability p', () => {
    const items = make(0.8, 'rl', 3000);
    for (const [fam, f] of Object.entries(favoured)) {
      const { r, n } = rate(items, fam, f);
      expect(n).toBeGreaterThan(800);
      expect(Math.abs(r - 0.8), `${fam} favoured rate ${r}`).toBeLessThan(0.05);
    }
  });

  it('test-shortcut inverts the prior', () => {
    const items = make(0.8, 'test-shortcut', 3000);
    const { r: ex } = rate(items, 'exists', favoured.exists);
    expect(Math.abs(ex - 0.2)).toBeLessThan(0.05);
    for (const fam of ['colour_of_shape', 'shape_of_colour'] as const) {
      const { r } = rate(items, fam, favoured[fam]);
      expect(Math.abs(r - 0.05), `${fam} favoured rate ${r}`).toBeLessThan(0.03);
    }
  });

  it('prior null gives balanced answers', () => {
    const items = make(null, 'rl', 3000);
    expect(Math.abs(rate(items, 'exists', favoured.exists).r - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(rate(items, 'colour_of_shape', favoured.colour_of_shape).r - 0.2)).toBeLessThan(0.05);
  });
});
