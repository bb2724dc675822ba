import { describe, expect, it } from 'vitest';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';
import { captionReasonerResponse, cotResponse, seeThinkResponse, sftStyles } from '../../lib/world/sft.js';

// docs/method.md, "Response normalisation" and "Format rewards": whitespace normalisation, then the see-think and CoT format checks (fullmatch).
const norm = (t: string) => t.replace(/\s*(<|>|\/)\s*/g, '$1');
const SEE_THINK = /^\s*<description>[\s\S]*?<\/description>\s*<think>[\s\S]*?<\/think>\s*\\boxed\{[\s\S]*?\}\s*$/;
const COT = /^<think>[\s\S]*?<\/think>\s*\\boxed\{[\s\S]*?\}\s*$/;

/** MathRuler extract_boxed_content: last \boxed{, brace-matched. */
function boxed(text: string): string {
  const i = text.lastIndexOf('\\boxed{');
  if (i < 0) return 'None';
  let depth = 0;
  for (let j = i + 6; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return text.slice(i + 7, j).trim();
  }
  return 'None';
}

describe('world SFT styles', () => {
  const items = generateItems(resolveWorldSettings({ seed: 2 }), 'sft', 200);

  it('builds the three Cold-9K response styles', () => {
    const it0 = items[0]!;
    expect(seeThinkResponse(it0)).toBe(`<description> ${it0.description} </description> <think> ${it0.think} </think> \\boxed{${it0.answer}}`);
    expect(cotResponse(it0)).toBe(`<think> ${it0.description} ${it0.think} </think> \\boxed{${it0.answer}}`);
    expect(captionReasonerResponse(it0)).toBe(`<think> ${it0.think} </think> \\boxed{${it0.answer}}`);
    const s = sftStyles(it0);
    expect(s.seeThink.images).toEqual([it0.imagePath]);
    expect(s.cot.problem).toBe(it0.problem);
    expect(s.captionReasoner.question).toBe(it0.problem.replaceAll('<image>', ''));
    expect(s.captionReasoner.description).toBe(it0.description);
  });

  it('responses pass the method format checks and box the answer', () => {
    for (const it of items) {
      const s = sftStyles(it);
      expect(norm(s.seeThink.response)).toMatch(SEE_THINK);
      expect(norm(s.cot.response)).toMatch(COT);
      expect(norm(s.captionReasoner.response)).toMatch(COT);
      for (const r of [s.seeThink.response, s.cot.response, s.captionReasoner.response]) expect(boxed(norm(r))).toBe(it.answer);
      // The description block extracted as in pass 2 is the gold description.
      expect(/<description>([\s\S]*?)<\/description>/.exec(s.seeThink.response)![1]!.trim()).toBe(it.description);
    }
  });
});
