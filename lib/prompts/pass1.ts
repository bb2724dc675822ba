/**
 * The pass-1 user turn (`RLHFDataset._build_messages`, docs/method.md, "Image placement"): image placement, format
 * prompt, then a split on `<image>` into ordered text and image parts.
 */
import { IMAGE_TOKEN, prefixImageToken } from './image_placement.js';
import type { PromptTemplate } from './template.js';

/** One part of a user message, in the order the chat template renders them. */
export type UserContentPart = { readonly type: 'text'; readonly text: string } | { readonly type: 'image' };

/**
 * Builds the pass-1 user content for `problem`. With images, `<image>` is placed
 * (`prefixImageToken`), the template applied, and the result split on `<image>`: an image part
 * before every piece but the first, empty text pieces dropped, so one image yields
 * [text(question), image, text(" You are tasked …")]. Without images the whole rendered prompt
 * is a single text part (the reference passes it as a plain string).
 */
export function buildPass1Content(problem: string, options: { template?: PromptTemplate; hasImages: boolean }): UserContentPart[] {
  if (typeof problem !== 'string') throw new Error(`buildPass1Content: problem must be a string, got ${typeof problem}`);
  let prompt = prefixImageToken(problem, options.hasImages);
  if (options.template) prompt = options.template.render(prompt);
  if (!options.hasImages) return [{ type: 'text', text: prompt }];
  const parts: UserContentPart[] = [];
  prompt.split(IMAGE_TOKEN).forEach((piece, i) => {
    if (i !== 0) parts.push({ type: 'image' });
    if (piece) parts.push({ type: 'text', text: piece });
  });
  return parts;
}
