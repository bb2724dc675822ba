/**
 * The tiny model's word-level tokenizer, as a Hugging Face tokenizers file (tokenizer.json) that
 * @huggingface/tokenizers and the Rust `tokenizers` library both load.
 *
 * - Model: WordLevel over the world's vocabulary (lib/world/vocabulary.ts), the words of the
 *   world prompts (lib/prompts/world.ts) and of Qwen's chat template, a few symbols, and `\n`.
 * - Normalizer: lowercase (the chat template's "You are a helpful assistant." is the only
 *   uppercase text the pipeline produces).
 * - Pre-tokenizer: the world's text rule (WORLD_TOKEN_PATTERN: a run of a-z, one digit, or one
 *   other non-space character) plus newline as a token of its own; other whitespace separates.
 * - Added tokens: the format tags `<description>`, `</description>`, `<think>`, `</think>` and
 *   `\boxed{` as single (non-special) tokens, then Qwen's special tokens.
 * - Decoder: a space before every token, then the spaces before `, . : ? ! }` and `\n`, after
 *   `\boxed{` and after `\n` removed, so world text and `\boxed{answer}` decode exactly as written.
 */
import { worldVocabulary, WORLD_PUNCTUATION } from './vocabulary.js';
import { worldPromptTexts } from '../prompts/world.js';
import { QWEN_SPECIAL_TOKENS } from '../tokenizer/tokenizer.js';

/** Pre-tokenizer pattern: the world rule plus `\n` (kept as a token). */
export const TINY_TOKEN_PATTERN = '[a-z]+|[0-9]|\\n|[^\\sa-z0-9]';

/** Tags of the response format, each one token. */
export const TINY_FORMAT_TOKENS = ['<description>', '</description>', '<think>', '</think>', '\\boxed{'] as const;

/** Qwen's special tokens in Qwen's id order (151643 ... 151656 there). */
export const TINY_SPECIAL_TOKENS = [
  QWEN_SPECIAL_TOKENS.endOfText, QWEN_SPECIAL_TOKENS.imStart, QWEN_SPECIAL_TOKENS.imEnd,
  QWEN_SPECIAL_TOKENS.visionStart, QWEN_SPECIAL_TOKENS.visionEnd, QWEN_SPECIAL_TOKENS.imagePad, QWEN_SPECIAL_TOKENS.videoPad,
] as const;

export const TINY_UNK_TOKEN = '<unk>';

/** Words of Qwen2.5-VL's chat template (roles and the default system prompt). */
const CHAT_TEMPLATE_TEXT = 'system user assistant You are a helpful assistant.';

/** Symbols kept even when no prompt uses them, so odd text degrades to symbols, not <unk>. */
const EXTRA_SYMBOLS = ['{', '}', '(', ')', '[', ']', '<', '>', '/', '\\', '!', ';', "'", '"', '*', '%', '^', '_', '|', '&', '#', '$', '~', '`', '@'];

/** Attached to the previous token when decoding (no space before). */
const ATTACH_LEFT = [',', '.', ':', '?', '!', ';', '}'];

const PATTERN = new RegExp(TINY_TOKEN_PATTERN, 'g');

/** Splits text as the tokenizer's normalizer and pre-tokenizer do (format tokens not handled). */
export function tinyPreTokenize(text: string): string[] {
  return text.toLowerCase().match(PATTERN) ?? [];
}

/**
 * The WordLevel vocabulary (without added tokens), sorted: `<unk>` first, then every piece of
 * the world vocabulary, the prompts, the chat template and the extra symbols.
 * @param extraTexts more texts whose pieces must be in the vocabulary
 */
export function tinyVocabulary(extraTexts: readonly string[] = []): string[] {
  const words = new Set<string>([...worldVocabulary(), ...WORLD_PUNCTUATION, ...EXTRA_SYMBOLS, '\n']);
  for (const text of [...worldPromptTexts(), CHAT_TEMPLATE_TEXT, ...extraTexts]) {
    let t = text;
    for (const f of TINY_FORMAT_TOKENS) t = t.split(f).join(' ');
    for (const w of tinyPreTokenize(t)) words.add(w);
  }
  words.delete(TINY_UNK_TOKEN);
  return [TINY_UNK_TOKEN, ...[...words].sort()];
}

/** Ids of the tokens the model config needs. */
export interface TinyTokenIds {
  vocabSize: number;
  endOfText: number;
  imStart: number;
  imEnd: number;
  visionStart: number;
  visionEnd: number;
  imagePad: number;
  videoPad: number;
}

function addedToken(id: number, content: string, special: boolean) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special };
}

/** The tokenizer.json object. */
export function buildTinyTokenizerJson(extraTexts: readonly string[] = []): Record<string, unknown> {
  const vocabList = tinyVocabulary(extraTexts);
  const vocab: Record<string, number> = {};
  vocabList.forEach((w, i) => { vocab[w] = i; });
  const added = [
    // <unk> is special (transformers counts unk_token among the special tokens it skips).
    addedToken(0, TINY_UNK_TOKEN, true),
    ...TINY_FORMAT_TOKENS.map((t, i) => addedToken(vocabList.length + i, t, false)),
    ...TINY_SPECIAL_TOKENS.map((t, i) => addedToken(vocabList.length + TINY_FORMAT_TOKENS.length + i, t, true)),
  ];
  const replace = (from: string, to: string) => ({ type: 'Replace', pattern: { String: from }, content: to });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Split', pattern: { Regex: TINY_TOKEN_PATTERN }, behavior: 'Removed', invert: true },
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        // WordPiece decoding puts a space before every token but the first ("##" never occurs).
        { type: 'WordPiece', prefix: '##', cleanup: false },
        { type: 'Fuse' },
        ...ATTACH_LEFT.map((p) => replace(` ${p}`, p)),
        replace('\\boxed{ ', '\\boxed{'),
        replace(' \n', '\n'),
        replace('\n ', '\n'),
      ],
    },
    model: { type: 'WordLevel', vocab, unk_token: TINY_UNK_TOKEN },
  };
}

/** Ids of the special tokens in {@link buildTinyTokenizerJson}'s layout. */
export function tinyTokenIds(extraTexts: readonly string[] = []): TinyTokenIds {
  const base = tinyVocabulary(extraTexts).length + TINY_FORMAT_TOKENS.length;
  const id = (t: string) => base + TINY_SPECIAL_TOKENS.indexOf(t as (typeof TINY_SPECIAL_TOKENS)[number]);
  return {
    vocabSize: base + TINY_SPECIAL_TOKENS.length,
    endOfText: id(QWEN_SPECIAL_TOKENS.endOfText),
    imStart: id(QWEN_SPECIAL_TOKENS.imStart),
    imEnd: id(QWEN_SPECIAL_TOKENS.imEnd),
    visionStart: id(QWEN_SPECIAL_TOKENS.visionStart),
    visionEnd: id(QWEN_SPECIAL_TOKENS.visionEnd),
    imagePad: id(QWEN_SPECIAL_TOKENS.imagePad),
    videoPad: id(QWEN_SPECIAL_TOKENS.videoPad),
  };
}

/** tokenizer_config.json: eos <|im_end|>, pad <|endoftext|>, no clean-up of spaces. */
export function buildTinyTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: 2048,
    eos_token: QWEN_SPECIAL_TOKENS.imEnd,
    pad_token: QWEN_SPECIAL_TOKENS.endOfText,
    unk_token: TINY_UNK_TOKEN,
    bos_token: null,
    clean_up_tokenization_spaces: false,
    split_special_tokens: false,
    errors: 'replace',
  };
}
