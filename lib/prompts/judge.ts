/**
 * Prompts for an answer judge (docs/method.md, "Evaluation"): one asks whether a candidate answer
 * means the same as the reference answer, the other whether a description alone answers the
 * question with the reference answer (the self-containment test behind the language-shortcut
 * rate). Our own wording; the reference's judge prompt is not reproduced. Both ask for the
 * verdict inside <judgment></judgment>, which lib/eval/judge.ts parses.
 */

/** The answer judge's user text; `{question}`, `{reference}`, `{candidate}` are filled in. */
export const ANSWER_JUDGE_TEMPLATE =
  'You are grading an answer to a question about an image. You see the question, the reference answer ' +
  'and a candidate answer, not the image.\n' +
  'Question: {question}\n' +
  'Reference answer: {reference}\n' +
  'Candidate answer: {candidate}\n' +
  'Decide whether the candidate answer means the same as the reference answer. Ignore wording, case, ' +
  'formatting and units written differently; a candidate that gives several different answers is incorrect. ' +
  'Reply with <judgment>correct</judgment> or <judgment>incorrect</judgment> and nothing else.';

/** The description judge's user text; `{question}`, `{description}`, `{reference}` are filled in. */
export const DESCRIPTION_JUDGE_TEMPLATE =
  'Below is a text description of an image and a question about that image. You cannot see the image: ' +
  'use only what the description states.\n' +
  'Description: {description}\n' +
  'Question: {question}\n' +
  'Reference answer: {reference}\n' +
  'First answer the question from the description alone. Then decide: if the description is enough to ' +
  'answer the question and that answer means the same as the reference answer, the verdict is correct; ' +
  'if the description is not enough, or it leads to a different answer, the verdict is incorrect. ' +
  'End your reply with <judgment>correct</judgment> or <judgment>incorrect</judgment>.';

/** Replaces each `{slot}` once, left to right, so text inside a filled value is never re-filled. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? values[k] : m));
}

const dropImageTokens = (q: string) => q.split('<image>').join('').trim();

/** The answer-judge prompt; `<image>` placeholders are removed from the question. */
export function buildAnswerJudgePrompt(question: string, reference: string, candidate: string): string {
  return fill(ANSWER_JUDGE_TEMPLATE, { question: dropImageTokens(question), reference, candidate });
}

/** The description-judge prompt; `<image>` placeholders are removed from the question. */
export function buildDescriptionJudgePrompt(question: string, description: string, reference: string): string {
  return fill(DESCRIPTION_JUDGE_TEMPLATE, { question: dropImageTokens(question), description, reference });
}
