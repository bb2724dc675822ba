/**
 * The Vision-SR1 reasoning-decomposition prompts (docs/method.md, "Image placement", "Pass-1 prompt" and "Pass-2 prompt"), and the built-in
 * world's shorter prompts of the same structure.
 */
export { renderSeeThink, SEE_THINK_INSTRUCTION, SEE_THINK_TEMPLATE } from './see_think.js';
export { COT_INSTRUCTION, COT_TEMPLATE, renderCot } from './cot.js';
export { buildCaptionReasonerPrompt, CAPTION_REASONER_TEMPLATE } from './caption_reasoner.js';
export { IMAGE_TOKEN, prefixImageToken } from './image_placement.js';
export { extractDescription, findDescription, type OnMissingDescription } from '../text/response.js';
export { jinjaTemplate, loadPromptTemplate, plainTemplate, promptTemplate, type PromptTemplate } from './template.js';
export { buildPass1Content, type UserContentPart } from './pass1.js';
export {
  WORLD_CAPTION_REASONER_TEMPLATE, WORLD_COT_INSTRUCTION, WORLD_SEE_THINK_INSTRUCTION, buildWorldCaptionReasonerPrompt, worldCotTemplate, worldPromptTexts, worldSeeThinkTemplate,
} from './world.js';
export { ANSWER_JUDGE_TEMPLATE, DESCRIPTION_JUDGE_TEMPLATE, buildAnswerJudgePrompt, buildDescriptionJudgePrompt } from './judge.js';
