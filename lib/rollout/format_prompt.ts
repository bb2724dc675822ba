/**
 * The pass-1 format prompt and its matching pass-2 prompt, by name (data.format_prompt):
 * - 'see_think' (the method's, docs/method.md, "Pass-1 prompt") with the method's caption reasoner ("Pass-2 prompt");
 * - 'cot' (the Vision-R1 baseline, no description, so no pass 2);
 * - 'world_see_think' / 'world_cot': the built-in world's shorter prompts of the same structure;
 * - a path to a .jinja file (like the reference's format_prompt files), with the method's pass 2.
 * null picks the preset's default: 'cot' for vision-r1, else 'see_think'.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FORMAT_PROMPT_NAMES } from '../config/train.js';
import { buildCaptionReasonerPrompt, loadPromptTemplate, type PromptTemplate, SEE_THINK_TEMPLATE, COT_TEMPLATE, jinjaTemplate } from '../prompts/index.js';
import { buildWorldCaptionReasonerPrompt, worldCotTemplate, worldSeeThinkTemplate } from '../prompts/world.js';

export interface FormatPrompt {
  name: string;
  template: PromptTemplate;
  /** Which format regex grades pass 1. */
  format: 'see-think' | 'cot';
  captionReasoner: (description: string, question: string) => string;
}

export { FORMAT_PROMPT_NAMES };

export function resolveFormatPrompt(name: string | null, preset: string): FormatPrompt {
  const n = name ?? (preset === 'vision-r1' ? 'cot' : 'see_think');
  switch (n) {
    case 'see_think': return { name: n, template: jinjaTemplate(SEE_THINK_TEMPLATE), format: 'see-think', captionReasoner: buildCaptionReasonerPrompt };
    case 'cot': return { name: n, template: jinjaTemplate(COT_TEMPLATE), format: 'cot', captionReasoner: buildCaptionReasonerPrompt };
    case 'world_see_think': return { name: n, template: worldSeeThinkTemplate, format: 'see-think', captionReasoner: buildWorldCaptionReasonerPrompt };
    case 'world_cot': return { name: n, template: worldCotTemplate, format: 'cot', captionReasoner: buildWorldCaptionReasonerPrompt };
    default:
      // The schema has already checked the name; here only the file can be missing.
      if (!n.endsWith('.jinja')) throw new Error(`data.format_prompt: expected one of ${FORMAT_PROMPT_NAMES.join(', ')} or a path ending in .jinja, received '${n}'`);
      if (!existsSync(n)) throw new Error(`data.format_prompt: the template file '${n}' does not exist (resolved against the working directory: ${resolve(n)})`);
      {
        // A template that asks for a <description> is graded with the see-think format.
        const template = loadPromptTemplate(n);
        return { name: n, template, format: template.source.includes('<description>') ? 'see-think' : 'cot', captionReasoner: buildCaptionReasonerPrompt };
      }
  }
}
