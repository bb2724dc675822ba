/**
 * The pass-2 caption-reasoner prompt (`ABS_Verify_Prompt` in verl/trainer/ray_trainer.py,
 * docs/method.md, "Pass-2 prompt"): answer the question from the pass-1 description alone, with no image.
 * Unlike the pass-1 prompt, its line breaks are real newline characters.
 */

/** The prompt with its `{Description}` and `{Question}` slots (two real newlines). */
export const CAPTION_REASONER_TEMPLATE =
  'Text description: {Description}\nQuestion: {Question}\nYou are provided a text description of a problem and a question. ' +
  'Determine the answer to the question based on the text description. First provide an internal step-by-step reasoning ' +
  'within <think> </think> tags, then provide a single word or phrase answer in \\boxed{}.';

/**
 * The pass-2 user text. As in the reference, `{Description}` is replaced first and `{Question}`
 * second, each everywhere (so a description that itself contains "{Question}" gets the question
 * spliced in, exactly as Python's chained `str.replace` does), and every `<image>` is removed
 * from the question. `question` is the dataset problem after image placement, without the
 * format prompt.
 */
export function buildCaptionReasonerPrompt(description: string, question: string): string {
  return CAPTION_REASONER_TEMPLATE.split('{Description}').join(description)
    .split('{Question}').join(question.split('<image>').join(''));
}
