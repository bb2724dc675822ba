import { describe, expect, it } from 'vitest';
import { textOnlyBaseline, type BaselineItem } from '../../lib/world/baseline.js';
import { PRIOR_FAMILIES } from '../../lib/world/families/index.js';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';

const item = (question: string, answer: string, template = 't', family = 'f'): BaselineItem => ({ question, template, family, answer });

describe('text-only baseline', () => {
  it('predicts the majority answer per question text from the fit set', () => {
    const fit = [item('q1', 'yes'), item('q1', 'yes'), item('q1', 'no'), item('q2', 'red'), item('q2', 'blue'), item('q2', 'blue')];
    const evalSet = [item('q1', 'yes'), item('q1', 'no'), item('q2', 'blue'), item('q2', 'red')];
    const r = textOnlyBaseline(evalSet, fit);
    expect(r.accuracy).toBe(0.5);
    expect(r.n).toBe(4);
    expect(r.byFamily.f).toEqual({ accuracy: 0.5, n: 4 });
  });

  it('backs off to the template, then the family, then all questions', () => {
    const fit = [item('a?', 'yes', 'T1', 'F1'), item('b?', 'no', 'T2', 'F1'), item('c?', 'no', 'T3', 'F1'), item('d?', '3', 'T4', 'F2'), item('e?', '3', 'T4', 'F2')];
    expect(textOnlyBaseline([item('zz?', 'yes', 'T1', 'F1')], fit).accuracy).toBe(1); // template T1
    expect(textOnlyBaseline([item('zz?', 'no', 'T9', 'F1')], fit).accuracy).toBe(1); // family F1 majority "no"
    expect(textOnlyBaseline([item('zz?', '3', 'T9', 'F9')], fit).accuracy).toBe(1); // global majority: "3" and "no" tie at 2, "3" < "no"
  });

  it('leaves each item out of its own majority when no fit set is given', () => {
    // Each question occurs once: leave-one-out must fall back to the template, never memorise.
    const items = [item('a', 'yes', 'T'), item('b', 'yes', 'T'), item('c', 'no', 'T')];
    // a: others yes,no -> tie -> "no" (alphabetical) wrong; b: same, wrong; c: others yes,yes -> yes, wrong.
    expect(textOnlyBaseline(items).accuracy).toBe(0);
    const items2 = [item('a', 'yes', 'T'), item('b', 'yes', 'T'), item('c', 'yes', 'T'), item('d', 'no', 'T')];
    expect(textOnlyBaseline(items2).accuracy).toBe(0.75);
  });

  it('catches the shortcut: a blind guess fitted on training data fails on test-shortcut', () => {
    const s = resolveWorldSettings({ seed: 5, prior: 0.8 });
    const train = generateItems(s, 'rl', 3000);
    const test = generateItems(s, 'test', 800).filter((it) => PRIOR_FAMILIES.includes(it.family));
    const shortcut = generateItems(s, 'test-shortcut', 800);
    const onTest = textOnlyBaseline(test, train).accuracy;
    const onShortcut = textOnlyBaseline(shortcut, train).accuracy;
    expect(onTest).toBeGreaterThan(0.7);
    expect(onShortcut).toBeLessThan(0.2);
    // Without a prior the blind guess is near chance on the same families.
    const flat = resolveWorldSettings({ seed: 5, prior: null });
    const flatTest = generateItems(flat, 'test', 800).filter((it) => PRIOR_FAMILIES.includes(it.family));
    expect(textOnlyBaseline(flatTest, generateItems(flat, 'rl', 3000)).accuracy).toBeLessThan(0.45);
  });
});
