import { describe, expect, it } from 'vitest';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';
import { sftStyles } from '../../lib/world/sft.js';
import { worldAnswerVocabulary } from '../../lib/world/vocabulary.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';

describe.runIf(oracleAvailable(['mathruler']))('world answers under MathRuler (oracle)', () => {
  it('every answer grades equal to itself only, and boxed responses grade correct', () => {
    const answers = worldAnswerVocabulary();
    const items = generateItems(resolveWorldSettings({ seed: 13 }), 'rl', 150);
    const responses = items.flatMap((it) => {
      const s = sftStyles(it);
      return [s.seeThink.response, s.cot.response, s.captionReasoner.response].map((text) => ({ text, gt: it.answer }));
    });
    // A response without a box must never grade correct (extract gives the string "None").
    const unboxed = answers.map((gt) => ({ text: '<think> no box here </think>', gt }));
    const out = runOracle<{ grade: boolean[][]; boxed: string[]; correct: boolean[] }>('scripts/oracle/world_mathruler.py', { answers, responses: [...responses, ...unboxed] });
    answers.forEach((a, i) => answers.forEach((b, j) => expect(out.grade[i]![j], `grade_answer(${a}, ${b})`).toBe(i === j)));
    expect(out.boxed.slice(0, responses.length)).toEqual(responses.map((r) => r.gt));
    expect(out.correct.slice(0, responses.length).every(Boolean)).toBe(true);
    expect(out.correct.slice(responses.length).some(Boolean)).toBe(false);
  });
});
