/**
 * Vision-SR1 prompt strings used as tokenizer / chat-template fixtures (copied from docs/method.md, "Pass-1 prompt"
 * and "Pass-2 prompt"). SEE_THINK has literal backslash-n pairs and an em-dash; the pass-2
 * (caption-reasoner) prompt has real newlines.
 */

export const SEE_THINK_INSTRUCTION = "You are tasked with analyzing an image/video to generate a detailed description to help you answer the question. First analyze the image/video and produce a self-contained description—detailed enough that can lead to the correct answer. Wrap the entire description in <description> </description> tags.\\n Next, engage in an internal dialogue and include self-reflection or verification in your reasoning process. Provide your detailed, step-by-step reasoning based on the image/video description information and image/video, and enclose this part within <think> </think> tags.\\n Finally, provide a single word or phrase answer to the question in \\boxed{}.\\nThe output format should be: <description> image/video description here </description> <think> reasoning process here </think> \\boxed{FINAL ANSWER here}.";

/** Pass-2 user text with {desc} and {q} filled in. */
export function captionReasonerPrompt(desc: string, q: string): string {
  return "Text description: {desc}\nQuestion: {q}\nYou are provided a text description of a problem and a question. Determine the answer to the question based on the text description. First provide an internal step-by-step reasoning within <think> </think> tags, then provide a single word or phrase answer in \\boxed{}.".replace('{desc}', () => desc).replace('{q}', () => q);
}

/** The sample question (a made-up geometry item) and a pass-1 style answer. */
export const QUESTION = 'In the figure, AB = 6 and BC = 8. What is the length of AC?';
export const PASS1_RESPONSE =
  '<description> A right triangle ABC with the right angle at B; AB = 6, BC = 8. </description> <think> By Pythagoras AC = sqrt(36 + 64) = 10. </think> \\boxed{10}';
