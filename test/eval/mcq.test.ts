/**
 * Multiple-choice grading: option layouts parsed from the question text, and answers matched
 * by letter or text, with the tricky cases (a word that starts with a letter, two options named).
 */
import { describe, expect, it } from 'vitest';
import { finalAnswer, gradeMcq, goldLetter, normalizeOptionText, parseOptions, type McqOption } from '../../lib/eval/mcq.js';

const opts = (...texts: string[]): McqOption[] => texts.map((text, i) => ({ letter: 'ABCDEFGHIJ'[i], text }));

describe('parseOptions', () => {
  it.each([
    ['one per line, A. x', '<image>What is it?\nA. cat\nB. dog\nC. bird\nAnswer with the letter.', ['cat', 'dog', 'bird']],
    ['one per line, (A) x', 'What is it?\n(A) a red car\n(B) a blue car', ['a red car', 'a blue car']],
    ['one per line, A) x', 'Pick one:\nA) 3\nB) 4\nC) 5\nD) 6', ['3', '4', '5', '6']],
    ['one per line, A: x, after an Options: label', 'How many?\nOptions:\nA: 1\nB: 2', ['1', '2']],
    ['MMStar inline after a label', 'Which option describes it?\nOptions: A: The suitcase is on the book., B: The suitcase is beneath the cat., C: The bed.', ['The suitcase is on the book.', 'The suitcase is beneath the cat.', 'The bed.']],
    ['inline (A) x (B) y', 'Is it day or night? (A) day (B) night\nThink step by step.', ['day', 'night']],
    ['MMMU quoted list', "Which is bigger?\nOptions: ['the sun', \"the moon's orbit\", 'Earth']", ['the sun', "the moon's orbit", 'Earth']],
    ['Choices: (A) … on lines with CRLF', 'Question?\r\nChoices:\r\n(A) yes\r\n(B) no', ['yes', 'no']],
    ['ten options', `Q?\n${'ABCDEFGHIJ'.split('').map((l, i) => `${l}. opt${i}`).join('\n')}`, Array.from({ length: 10 }, (_, i) => `opt${i}`)],
  ])('%s', (_name, problem, texts) => {
    const got = parseOptions(problem);
    expect(got).not.toBeNull();
    expect(got!.map((o) => o.text)).toEqual(texts);
    expect(got!.map((o) => o.letter).join('')).toBe('ABCDEFGHIJ'.slice(0, texts.length));
  });

  it.each([
    ['an open question', 'how many stars are there?<image>'],
    ['a single letter label', 'Point A. is at the origin. Where is it?'],
    ['letters that do not start at A', 'Pick:\nB. x\nC. y'],
    ['a word starting with A', 'Apple. Banana. Which fruit is yellow?'],
  ])('none in %s', (_name, problem) => {
    expect(parseOptions(problem)).toBeNull();
  });

  it('prefers the options after the question to letters inside it', () => {
    const got = parseOptions('Point A: (1, 2), point B: (3, 4). Which is farther from 0?\n(A) point A\n(B) point B\n(C) neither');
    expect(got!.map((o) => o.text)).toEqual(['point A', 'point B', 'neither']);
  });
});

describe('gradeMcq', () => {
  const o = opts('cat', 'dog', 'bird', 'fish');
  it.each([
    ['\\boxed{B}', 'B'],
    ['\\boxed{(B)}', 'B'],
    ['\\boxed{B.}', 'B'],
    ['\\boxed{b}', 'B'],
    ['\\boxed{\\text{B}}', 'B'],
    ['\\boxed{{B}}', 'B'],
    ['<think>It barks.</think> \\boxed{Answer: B}', 'B'],
    ['The answer is B.', 'B'],
    ['so the answer is (B)', 'B'],
    ['Final answer: B', 'B'],
    ['\\boxed{Option B}', 'B'],
    ['\\boxed{dog}', 'B'],
    ['\\boxed{ Dog. }', 'B'],
    ['\\boxed{B. dog}', 'B'],
    ['\\boxed{(B) Dog}', 'B'],
    ['\\boxed{B: dog}', 'B'],
    ['reasoning first\nB', 'B'],
  ])('%s chooses %s', (response, letter) => {
    const g = gradeMcq(response, 'B', o);
    expect(g.chosen).toBe(letter);
    expect(g.correct).toBe(true);
  });

  it('accepts a gold given as the option text, or as letter plus text', () => {
    expect(gradeMcq('\\boxed{B}', 'dog', o)).toMatchObject({ correct: true, chosen: 'B', how: 'letter' });
    expect(gradeMcq('\\boxed{dog}', 'Dog', o)).toMatchObject({ correct: true, chosen: 'B', how: 'text' });
    expect(gradeMcq('\\boxed{B}', '(B) dog', o)).toMatchObject({ correct: true, chosen: 'B' });
    expect(goldLetter('D', o)).toBe('D');
    expect(goldLetter('fish.', o)).toBe('D');
  });

  it('rejects a different option, by letter or by text', () => {
    expect(gradeMcq('\\boxed{A}', 'B', o)).toMatchObject({ correct: false, chosen: 'A', how: 'letter' });
    expect(gradeMcq('\\boxed{cat}', 'B', o)).toMatchObject({ correct: false, chosen: 'A', how: 'text' });
  });

  it.each([
    ['\\boxed{A and B}'],
    ['\\boxed{B and A}'],
    ['\\boxed{(A), (B)}'],
    ['\\boxed{B or C}'],
    ['\\boxed{B. cat}'],
    ['\\boxed{B. dog C. bird}'],
    ['\\boxed{(B) or (C)}'],
  ])('%s names two options: wrong', (response) => {
    const g = gradeMcq(response, 'B', o);
    expect(g.correct).toBe(false);
    expect(g.chosen).toBeNull();
    expect(g.note).toMatch(/more than one option/);
  });

  it('a word starting with a letter is not that option', () => {
    const fruit = opts('Banana', 'Apple');
    expect(gradeMcq('\\boxed{Apple}', 'A', fruit)).toMatchObject({ correct: false, chosen: 'B', how: 'text' });
    expect(gradeMcq('\\boxed{Apple}', 'B', fruit)).toMatchObject({ correct: true, chosen: 'B' });
    expect(gradeMcq('\\boxed{A bird}', 'A', o)).toMatchObject({ correct: false, chosen: null, how: 'none' });
    expect(gradeMcq('\\boxed{Avocado}', 'A', fruit)).toMatchObject({ correct: false, chosen: null });
  });

  it('a letter outside the options, no answer or an unclosed box is wrong', () => {
    expect(gradeMcq('\\boxed{E}', 'B', o)).toMatchObject({ correct: false, chosen: null });
    expect(gradeMcq('', 'B', o)).toMatchObject({ correct: false, chosen: null, how: 'none' });
    expect(gradeMcq('I am not sure.', 'B', o)).toMatchObject({ correct: false, chosen: null });
    expect(gradeMcq('\\boxed{B', 'B', o).correct).toBe(false);
  });

  it('the last box counts', () => {
    expect(gradeMcq('maybe \\boxed{A} ... no: \\boxed{B}', 'B', o).correct).toBe(true);
    expect(gradeMcq('maybe \\boxed{B} ... no: \\boxed{A}', 'B', o).correct).toBe(false);
  });

  it('numbers compare as numbers, and a gold outside the options compares as text', () => {
    const nums = opts('3.5', '4');
    expect(gradeMcq('\\boxed{3.50}', 'A', nums)).toMatchObject({ correct: true, chosen: 'A', how: 'text' });
    expect(gradeMcq('\\boxed{seven}', 'Seven', nums)).toMatchObject({ correct: true, how: 'text' });
    expect(gradeMcq('\\boxed{A}', 'Seven', nums).correct).toBe(false);
  });

  it('grades end to end from the problem text', () => {
    const problem = 'Which option describes it?\nOptions: A: The suitcase is on the book., B: The suitcase is beneath the cat.';
    const p = parseOptions(problem)!;
    expect(gradeMcq('\\boxed{the suitcase is beneath the cat}', 'B', p).correct).toBe(true);
    expect(gradeMcq('\\boxed{B}', 'B', p).correct).toBe(true);
    expect(gradeMcq('\\boxed{A}', 'B', p).correct).toBe(false);
  });
});

describe('helpers', () => {
  it('finalAnswer takes the last closed box, else the text', () => {
    expect(finalAnswer('x \\boxed{A} y \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(finalAnswer('  no box ')).toBe('no box');
    expect(finalAnswer('\\boxed{None}')).toBe('None');
    expect(finalAnswer('open \\boxed{A')).toBe('open \\boxed{A');
  });
  it('normalizeOptionText ignores case, spaces, quotes and trailing punctuation', () => {
    expect(normalizeOptionText('  "The  Cat." ')).toBe('the cat');
    expect(normalizeOptionText('\\text{Dog}!')).toBe('dog');
  });
});
