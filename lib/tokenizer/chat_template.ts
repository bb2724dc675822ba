/**
 * Chat templates (docs/method.md, "Tokens and chat template"): Qwen2.5-VL's default template, rendering with
 * @huggingface/jinja, and loading a checkpoint's own template.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';

/**
 * Qwen2.5-VL's chat template (chat_template.json of the Instruct checkpoints): a default
 * system turn when the first message is not a system message; list content renders image
 * items as <|vision_start|><|image_pad|><|vision_end|>, text items verbatim.
 */
export const QWEN2_5_VL_CHAT_TEMPLATE =
  "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}" +
  "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}" +
  "<|im_start|>{{ message['role'] }}\n" +
  "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n" +
  "{% else %}{% for content in message['content'] %}" +
  "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}" +
  "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}" +
  '<|vision_start|><|image_pad|><|vision_end|>' +
  "{% elif content['type'] == 'video' or 'video' in content %}" +
  "{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}" +
  '<|vision_start|><|video_pad|><|vision_end|>' +
  "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n" +
  '{% endif %}{% endfor %}' +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

/** One item of list content. Image payloads are not rendered, only their position. */
export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; image?: unknown }
  | { type: 'video'; video?: unknown };

/** A chat message; content is a string or a list of parts. */
export interface ChatMessage {
  role: string;
  content: string | ChatContentPart[];
}

/** Options of {@link ChatTemplate.render}. */
export interface RenderOptions {
  /** Append the assistant header (`<|im_start|>assistant\n`). */
  addGenerationPrompt?: boolean;
  /** Qwen's "Picture n: " prefixes. Off in Vision-SR1. */
  addVisionId?: boolean;
  /** More template variables (bos_token, tools, ...). */
  extra?: Record<string, unknown>;
}

/** A parsed chat template. */
export class ChatTemplate {
  private readonly template: Template;

  /**
   * @param source jinja source text
   * @param origin where it came from, for error messages
   */
  constructor(
    readonly source: string,
    readonly origin = 'chat template',
  ) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new Error(`cannot parse ${origin}: ${(e as Error).message}`);
    }
  }

  /** Renders messages to the prompt string (as `apply_chat_template(tokenize=False)`). */
  render(messages: ChatMessage[], opts: RenderOptions = {}): string {
    messages.forEach((m, i) => checkMessage(m, i));
    try {
      return this.template.render({
        ...opts.extra,
        messages,
        add_generation_prompt: opts.addGenerationPrompt ?? false,
        add_vision_id: opts.addVisionId ?? false,
      });
    } catch (e) {
      throw new Error(`rendering ${this.origin} failed: ${(e as Error).message}`);
    }
  }
}

function checkMessage(m: ChatMessage, i: number): void {
  if (!m || typeof m.role !== 'string') throw new Error(`chat message ${i}: "role" must be a string`);
  if (typeof m.content === 'string') return;
  if (!Array.isArray(m.content)) throw new Error(`chat message ${i}: "content" must be a string or a list of parts`);
  m.content.forEach((p, j) => {
    if (!p || typeof p !== 'object') throw new Error(`chat message ${i} part ${j}: expected an object`);
    if (p.type === 'text' && typeof p.text !== 'string') throw new Error(`chat message ${i} part ${j}: text part needs a string "text"`);
    if (p.type !== 'text' && p.type !== 'image' && p.type !== 'video') {
      throw new Error(`chat message ${i} part ${j}: unknown type ${JSON.stringify((p as { type: unknown }).type)}`);
    }
  });
}

/** Where a checkpoint's template was found. */
export interface LoadedTemplate {
  template: ChatTemplate;
  /** The file it came from, or "built-in" for {@link QWEN2_5_VL_CHAT_TEMPLATE}. */
  file: string;
}

async function tryRead(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function templateFromJson(text: string, path: string): string | null {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const t = (obj as { chat_template?: unknown }).chat_template;
  if (t === undefined || t === null) return null;
  if (typeof t === 'string') return t;
  // Named templates: [{name, template}], HF picks "default".
  if (Array.isArray(t)) {
    const d = t.find((x) => x && x.name === 'default') ?? t[0];
    if (d && typeof d.template === 'string') return d.template;
  }
  throw new Error(`${path}: field "chat_template" must be a string or a list of {name, template}`);
}

/**
 * Loads the chat template of a checkpoint folder. `prefer: 'processor'` (image-aware, what
 * the processor uses) looks at chat_template.jinja, chat_template.json, then
 * tokenizer_config.json; 'tokenizer' (what `tokenizer.apply_chat_template` uses, e.g. the
 * pass-2 prompt) looks at chat_template.jinja, tokenizer_config.json, then chat_template.json.
 * Falls back to the built-in Qwen2.5-VL template when `fallback` is true (default false).
 */
export async function loadChatTemplate(
  dir: string,
  opts: { prefer?: 'processor' | 'tokenizer'; fallback?: boolean } = {},
): Promise<LoadedTemplate> {
  const order = opts.prefer === 'tokenizer'
    ? ['chat_template.jinja', 'tokenizer_config.json', 'chat_template.json']
    : ['chat_template.jinja', 'chat_template.json', 'tokenizer_config.json'];
  for (const name of order) {
    const path = join(dir, name);
    const text = await tryRead(path);
    if (text === null) continue;
    const src = name.endsWith('.jinja') ? text : templateFromJson(text, path);
    if (src !== null) return { template: new ChatTemplate(src, path), file: path };
  }
  if (opts.fallback) return { template: new ChatTemplate(QWEN2_5_VL_CHAT_TEMPLATE, 'built-in Qwen2.5-VL template'), file: 'built-in' };
  throw new Error(`no chat template in ${dir} (looked for ${order.join(', ')})`);
}
