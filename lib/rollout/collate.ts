/**
 * Batch building, shared by the SFT and GRPO trainers.
 *
 * One prompt (a user turn of text and image parts, docs/method.md, "Image placement") is rendered with the chat
 * template (default system turn, generation prompt), tokenised, its images processed, and each
 * `<|image_pad|>` expanded to t·h·w/merge² copies (docs/method.md, "Tokens and chat template"). A batch of prompts (and, for training,
 * responses) becomes model inputs:
 *   input_ids  [B, Lp + R]: prompts left-padded to Lp, responses right-padded to R (verl layout);
 *   attention_mask [B, Lp + R]: 1 on real tokens;
 *   position_ids [3, B, Lp + R]: mRoPE of the prompt (getRopeIndex), responses continuing at
 *     last prompt position + 1, + 2, ... on all three axes (appendResponsePositions, docs/method.md, "mRoPE positions");
 *   pixel_values [N, 1176] and image_grid_thw, images in row order;
 *   response ids [B, R] and the response mask [B, R]: 1 on the assistant tokens (the response and
 *     its closing <|im_end|>), 0 on padding: the SFT loss mask and the RL response mask (docs/method.md, "Response mask").
 */
import * as torch from '../torch/index.js';
import type { DType } from '../torch/dtype.js';
import type { ImageSource as ProcessorImage, Qwen2VLImageProcessor } from '../models/qwen2_5_vl/image_processor.js';
import { appendResponsePositions, getRopeIndex, toBigInt64 } from '../models/qwen2_5_vl/rope_index.js';
import type { PreResizeOptions } from '../models/qwen2_5_vl/smart_resize.js';
import type { UserContentPart } from '../prompts/pass1.js';
import type { ChatContentPart, ChatTemplate } from '../tokenizer/chat_template.js';
import { expandImagePadIds } from '../tokenizer/image_pad.js';
import type { QwenTokenizer } from '../tokenizer/tokenizer.js';

/** A user turn: its parts in order; `images` holds one image per image part, in the same order. */
export interface ChatPrompt {
  content: readonly UserContentPart[];
  images: readonly ProcessorImage[];
}

/** A tokenised prompt ready for collation or generation. */
export interface EncodedPrompt {
  /** The rendered prompt text (one pad per image). */
  text: string;
  /** Token ids with image pads expanded (what the forward pass and the generate engine take). */
  ids: number[];
  /** Token ids with one pad per image (vLLM's raw_prompt_ids). */
  rawIds: number[];
  /** Row-major [numPatches, patchDim] pixel values of this prompt's images, or null without images. */
  pixelValues: Float32Array | null;
  numPatches: number;
  imageGridThw: Array<[number, number, number]>;
}

/** What the encoder needs to know about the model. */
export interface PromptEncoderOptions {
  imageTokenId: number;
  mergeSize: number;
  /** Appended to every response (default: the tokenizer's <|im_end|>). */
  responseEndId?: number;
  /** EasyR1's pre-resize (docs/method.md, "Pre-resize") before the processor; null = none. */
  preResize?: PreResizeOptions | null;
}

/** Turns chat prompts and response texts into token ids and pixel values. */
export class PromptEncoder {
  readonly responseEndId: number;

  constructor(
    readonly tokenizer: QwenTokenizer,
    readonly template: ChatTemplate,
    readonly processor: Qwen2VLImageProcessor,
    readonly opts: PromptEncoderOptions,
  ) {
    this.responseEndId = opts.responseEndId ?? tokenizer.specialIds.imEnd;
  }

  /** The chat-template text of one user turn with the generation prompt. */
  render(p: ChatPrompt): string {
    const parts: ChatContentPart[] = p.content.map((c) => (c.type === 'image' ? { type: 'image' } : { type: 'text', text: c.text }));
    return this.template.render([{ role: 'user', content: parts }], { addGenerationPrompt: true });
  }

  /** Renders, tokenises and processes the images of one prompt. */
  async encode(p: ChatPrompt, label = 'prompt'): Promise<EncodedPrompt> {
    const nImageParts = p.content.filter((c) => c.type === 'image').length;
    if (nImageParts !== p.images.length) throw new Error(`${label}: ${nImageParts} image part(s) but ${p.images.length} image(s)`);
    const text = this.render(p);
    const rawIds = this.tokenizer.encode(text);
    if (p.images.length === 0) return { text, ids: rawIds, rawIds, pixelValues: null, numPatches: 0, imageGridThw: [] };
    const processed = await this.processor.process([...p.images], { preResize: this.opts.preResize ?? null });
    const ids = expandImagePadIds(rawIds, processed.imageGridThw, { imagePadId: this.opts.imageTokenId, mergeSize: this.opts.mergeSize });
    return { text, ids, rawIds, pixelValues: processed.pixelValues, numPatches: processed.numPatches, imageGridThw: processed.imageGridThw };
  }

  /** Response token ids: the text's ids followed by the end token (<|im_end|>). */
  encodeResponse(text: string): number[] {
    return [...this.tokenizer.encode(text), this.responseEndId];
  }
}

/** Model inputs for a batch; tensors are owned by the batch (call dispose). */
export interface CollatedBatch {
  inputIds: torch.Tensor;
  attentionMask: torch.Tensor;
  positionIds: torch.Tensor;
  pixelValues?: torch.Tensor;
  imageGridThw: number[][];
  /** Columns of the left-padded prompt block; responses start at this column. */
  promptLength: number;
  /** Columns of the right-padded response block (0 for prompt-only batches). */
  responseLength: number;
  /** [B, R] int64, padded with the pad id. */
  responseIds: torch.Tensor | null;
  /** [B, R] float32, 1 on response tokens (incl. the end token). */
  responseMask: torch.Tensor | null;
  /** Per image occurrence, its distinct image in pixelValues (which then holds each once); undefined = none repeat. */
  imageSources?: number[];
  /** Real (unpadded) tokens per row, prompt and response. */
  promptTokens: number[];
  responseTokens: number[];
  dispose(): void;
}

export interface CollateOptions {
  padId: number;
  imageTokenId: number;
  mergeSize: number;
  /** Device of the tensors (default cpu). */
  device?: string;
  /** dtype of pixel_values (default float32; the model's dtype when it runs in bf16). */
  pixelDtype?: DType;
  /** Responses longer than this are cut (the end token is then lost, as verl truncates). */
  maxResponseLength?: number;
}

/**
 * Collates encoded prompts and (optionally) response ids into one batch. Without responses the
 * batch is the left-padded prompts only (for log-prob passes of prompts or tests).
 */
export function collate(prompts: readonly EncodedPrompt[], responses: readonly (readonly number[])[] | null, o: CollateOptions): CollatedBatch {
  const B = prompts.length;
  if (B === 0) throw new Error('collate: empty batch');
  if (responses && responses.length !== B) throw new Error(`collate: ${B} prompts but ${responses.length} responses`);
  const resp = responses?.map((r) => (o.maxResponseLength !== undefined && r.length > o.maxResponseLength ? r.slice(0, o.maxResponseLength) : r)) ?? null;
  const Lp = Math.max(...prompts.map((p) => p.ids.length));
  const R = resp ? Math.max(1, ...resp.map((r) => r.length)) : 0;
  const L = Lp + R;
  const promptRows: number[][] = [];
  const promptMask: number[][] = [];
  for (const p of prompts) {
    const pad = Lp - p.ids.length;
    promptRows.push([...new Array<number>(pad).fill(o.padId), ...p.ids]);
    promptMask.push([...new Array<number>(pad).fill(0), ...new Array<number>(p.ids.length).fill(1)]);
  }
  const grids = prompts.flatMap((p) => p.imageGridThw.map((g) => [...g]));
  const rope = appendResponsePositions(getRopeIndex(promptRows, promptMask, grids, { imageTokenId: o.imageTokenId, spatialMergeSize: o.mergeSize }), R);
  const ids = new BigInt64Array(B * L);
  const mask = new BigInt64Array(B * L);
  const rIds = new BigInt64Array(B * R);
  const rMask = new Float32Array(B * R);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < Lp; j++) {
      ids[b * L + j] = BigInt(promptRows[b][j]);
      mask[b * L + j] = BigInt(promptMask[b][j]);
    }
    for (let r = 0; r < R; r++) {
      const real = resp !== null && r < resp[b].length;
      const id = real ? resp![b][r] : o.padId;
      ids[b * L + Lp + r] = BigInt(id);
      mask[b * L + Lp + r] = real ? 1n : 0n;
      rIds[b * R + r] = BigInt(id);
      rMask[b * R + r] = real ? 1 : 0;
    }
  }
  const device = o.device ?? 'cpu';
  const owned: torch.Tensor[] = [];
  const keep = <T extends torch.Tensor | undefined>(t: T): T => { if (t) owned.push(t); return t; };
  const images = distinctImages(prompts);
  return {
    imageSources: images.sources,
    inputIds: keep(torch.tensor(ids, { shape: [B, L], device })),
    attentionMask: keep(torch.tensor(mask, { shape: [B, L], device })),
    positionIds: keep(torch.tensor(toBigInt64(rope.positionIds), { shape: [3, B, L], device })),
    pixelValues: keep(concatPixelValues(images.prompts, { device, dtype: o.pixelDtype })),
    imageGridThw: grids,
    promptLength: Lp,
    responseLength: R,
    responseIds: resp ? keep(torch.tensor(rIds, { shape: [B, R], device })) : null,
    responseMask: resp ? keep(torch.tensor(rMask, { shape: [B, R], device })) : null,
    promptTokens: prompts.map((p) => p.ids.length),
    responseTokens: resp ? resp.map((r) => r.length) : prompts.map(() => 0),
    dispose() { for (const t of owned) if (t.alive) t.dispose(); },
  };
}

/**
 * The images a batch's vision tower must see: a prompt's n samples share one EncodedPrompt (and
 * its pixel array), so its images are encoded once. `prompts` are the distinct ones, in order of
 * first use; `sources` gives, per image occurrence of the batch, its distinct image, or is
 * undefined when nothing repeats.
 */
export function distinctImages(prompts: readonly EncodedPrompt[]): { prompts: EncodedPrompt[]; sources: number[] | undefined } {
  const seen = new Map<Float32Array, number>();
  const distinct: EncodedPrompt[] = [];
  const sources: number[] = [];
  let images = 0, repeated = false;
  for (const p of prompts) {
    if (!p.pixelValues || p.imageGridThw.length === 0) continue;
    let first = seen.get(p.pixelValues);
    if (first === undefined) {
      first = images;
      seen.set(p.pixelValues, first);
      distinct.push(p);
      images += p.imageGridThw.length;
    } else {
      repeated = true;
    }
    p.imageGridThw.forEach((_, k) => sources.push(first! + k));
  }
  return { prompts: distinct, sources: repeated ? sources : undefined };
}

/** The pixel values of several prompts as one [N, patchDim] tensor (images in prompt order), or undefined. */
export function concatPixelValues(prompts: readonly EncodedPrompt[], o: { device?: string; dtype?: DType } = {}): torch.Tensor | undefined {
  const withPixels = prompts.filter((p) => p.pixelValues !== null && p.numPatches > 0);
  if (withPixels.length === 0) return undefined;
  const n = withPixels.reduce((a, p) => a + p.numPatches, 0);
  const dim = withPixels[0].pixelValues!.length / withPixels[0].numPatches;
  const all = new Float32Array(n * dim);
  let off = 0;
  for (const p of withPixels) {
    if (p.pixelValues!.length !== p.numPatches * dim) throw new Error(`collate: pixel rows of ${p.pixelValues!.length / p.numPatches} values, expected ${dim}`);
    all.set(p.pixelValues!, off);
    off += p.pixelValues!.length;
  }
  return torch.tensor(all, { shape: [n, dim], dtype: o.dtype ?? 'float32', device: o.device ?? 'cpu' });
}
