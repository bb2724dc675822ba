/**
 * Qwen BPE tokenizer: a thin, checked wrapper over @huggingface/tokenizers that loads a
 * checkpoint's tokenizer.json (+ tokenizer_config.json) and exposes the special ids the
 * Vision-SR1 pipeline needs (docs/method.md, "Tokens and chat template").
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

/** Qwen2.5-VL special tokens used by the pipeline. */
export const QWEN_SPECIAL_TOKENS = {
  endOfText: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  visionStart: '<|vision_start|>',
  visionEnd: '<|vision_end|>',
  imagePad: '<|image_pad|>',
  videoPad: '<|video_pad|>',
} as const;

export type QwenSpecialName = keyof typeof QWEN_SPECIAL_TOKENS;

/** Ids of {@link QWEN_SPECIAL_TOKENS}, looked up in the loaded vocabulary. */
export type QwenSpecialIds = Record<QwenSpecialName, number>;

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

function tokenString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return null;
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('top level is not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Options of {@link QwenTokenizer.encode}. */
export interface EncodeOptions {
  /** As HF's add_special_tokens; Qwen's post-processor adds nothing either way. Default true. */
  addSpecialTokens?: boolean;
}

/** Options of {@link QwenTokenizer.decode}. */
export interface DecodeOptions {
  /** Drop added tokens marked `special` (<|im_end|>, <|endoftext|>, <|image_pad|>, ...). */
  skipSpecialTokens?: boolean;
}

/** A loaded Qwen tokenizer. */
export class QwenTokenizer {
  private readonly tok: Tokenizer;
  private readonly vocabSize: number;
  private readonly specialIdSet: Set<number>;
  /** Ids of the pipeline's special tokens (throws at load time if one is missing). */
  readonly specialIds: QwenSpecialIds;
  /** End-of-sequence id from tokenizer_config.json (`eos_token`), else <|im_end|>. */
  readonly eosTokenId: number;
  /** Padding id from tokenizer_config.json (`pad_token`), else <|endoftext|>. */
  readonly padTokenId: number;
  /** The raw tokenizer_config.json (empty object when absent); chat templates may live here. */
  readonly config: Readonly<Record<string, unknown>>;

  /**
   * @param tokenizerJson parsed tokenizer.json
   * @param tokenizerConfig parsed tokenizer_config.json ({} when the checkpoint has none)
   * @param source names the files in error messages
   */
  constructor(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown> = {}, source = 'tokenizer.json') {
    const added = tokenizerJson.added_tokens;
    const model = tokenizerJson.model as { vocab?: Record<string, number> } | undefined;
    if (!Array.isArray(added) || !model || typeof model.vocab !== 'object') {
      throw new Error(`${source}: expected a HF tokenizers file with "model.vocab" and "added_tokens"`);
    }
    this.config = tokenizerConfig;
    // Qwen's configs set clean_up_tokenization_spaces=false; the JS library defaults to true.
    const cfg = { ...tokenizerConfig, clean_up_tokenization_spaces: tokenizerConfig.clean_up_tokenization_spaces ?? false };
    try {
      this.tok = new Tokenizer(tokenizerJson, cfg);
    } catch (e) {
      throw new Error(`${source}: cannot build the tokenizer: ${(e as Error).message}`);
    }
    const addedTokens = added as AddedTokenJson[];
    this.specialIdSet = new Set(addedTokens.filter((t) => t.special).map((t) => t.id));
    let maxId = -1;
    for (const id of Object.values(model.vocab)) maxId = Math.max(maxId, id);
    for (const t of addedTokens) maxId = Math.max(maxId, t.id);
    this.vocabSize = maxId + 1;
    const ids = {} as QwenSpecialIds;
    for (const [name, content] of Object.entries(QWEN_SPECIAL_TOKENS) as Array<[QwenSpecialName, string]>) {
      const id = this.tok.token_to_id(content);
      if (id === undefined) throw new Error(`${source}: special token ${content} is not in the vocabulary`);
      ids[name] = id;
    }
    this.specialIds = ids;
    this.eosTokenId = this.idOfConfigToken(tokenizerConfig.eos_token, ids.imEnd, 'eos_token', source);
    this.padTokenId = this.idOfConfigToken(tokenizerConfig.pad_token, ids.endOfText, 'pad_token', source);
  }

  private idOfConfigToken(v: unknown, fallback: number, field: string, source: string): number {
    const s = tokenString(v);
    if (s === null) return fallback;
    const id = this.tok.token_to_id(s);
    if (id === undefined) throw new Error(`${source}: tokenizer_config.json ${field} ${JSON.stringify(s)} is not in the vocabulary`);
    return id;
  }

  /** Loads `<dir>/tokenizer.json` and, when present, `<dir>/tokenizer_config.json`. */
  static async fromDir(dir: string): Promise<QwenTokenizer> {
    const json = await readJson(join(dir, 'tokenizer.json'), 'tokenizer file');
    let config: Record<string, unknown> = {};
    try {
      config = await readJson(join(dir, 'tokenizer_config.json'), 'tokenizer config');
    } catch (e) {
      if (!/cannot read/.test((e as Error).message)) throw e;
    }
    return new QwenTokenizer(json, config, join(dir, 'tokenizer.json'));
  }

  /** Loads a tokenizer.json file and an optional tokenizer_config.json file. */
  static async fromFiles(tokenizerJsonPath: string, tokenizerConfigPath?: string): Promise<QwenTokenizer> {
    const json = await readJson(tokenizerJsonPath, 'tokenizer file');
    const config = tokenizerConfigPath ? await readJson(tokenizerConfigPath, 'tokenizer config') : {};
    return new QwenTokenizer(json, config, tokenizerJsonPath);
  }

  /** Number of ids (base vocabulary plus added tokens). */
  get size(): number {
    return this.vocabSize;
  }

  /** Text -> ids. Special-token strings in the text become their single ids, as in HF. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new Error(`tokenizer.encode: expected a string, got ${typeof text}`);
    if (text.length === 0) return [];
    return this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  /** Ids -> text. Throws for ids outside the vocabulary. */
  decode(ids: ArrayLike<number | bigint>, opts: DecodeOptions = {}): string {
    const list: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = Number(ids[i]);
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new Error(`tokenizer.decode: id ${String(ids[i])} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`);
      }
      if (opts.skipSpecialTokens && this.specialIdSet.has(id)) continue;
      list.push(id);
    }
    // The library refuses empty input; HF returns "".
    if (list.length === 0) return '';
    return this.tok.decode(list, { skip_special_tokens: false });
  }

  /** Token string -> id; throws when absent. */
  tokenToId(token: string): number {
    const id = this.tok.token_to_id(token);
    if (id === undefined) throw new Error(`tokenizer: token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  /** Id -> token string (byte-level form for ordinary tokens). */
  idToToken(id: number): string {
    const t = this.tok.id_to_token(id);
    if (t === undefined) throw new Error(`tokenizer: id ${id} is not in the vocabulary`);
    return t;
  }

  /** True for added tokens flagged `special` in tokenizer.json (what skipSpecialTokens drops). */
  isSpecial(id: number): boolean {
    return this.specialIdSet.has(id);
  }
}
