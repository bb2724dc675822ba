/**
 * A Qwen2.5-VL model in the addon: load a Hugging Face checkpoint folder, run forward passes
 * (logits, hidden states, memory-lean token log-probs with autograd), generate with the C++
 * engine, and save back to the same layout.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { native } from '../../native.js';
import type { QwenGenerateResult, QwenInputs } from '../../native_api.js';
import * as torch from '../../torch/index.js';
import { dtypeBytes, dtypeCode, type DType } from '../../torch/dtype.js';
import { wrap } from '../../torch/tensor.js';
import { type QwenVLConfig, readQwenConfig, toConfigJson } from './config.js';
import { getRopeIndex } from './rope_index.js';
import { loadWeightsInto, saveWeights, saveWeightsAsync } from './weights.js';
import { checkGenerateRequest } from './generate_request.js';
import { assertFitsInMemory } from './model_size.js';
import { assertUnlocked, lockTensors } from '../../torch/param_lock.js';

export interface ModelOptions {
  dtype?: DType;
  device?: string;
}
/** Inputs of a forward pass. */
export interface ForwardInputs {
  inputIds: torch.Tensor;          // [B, L] int64
  attentionMask?: torch.Tensor;    // [B, L], 1 = real token
  positionIds?: torch.Tensor;      // [3, B, L] int64 (mRoPE); default: computed by get_rope_index
  pixelValues?: torch.Tensor;      // [N, 1176] from the image processor
  imageGridThw?: number[][];       // one [t, h, w] per image, in order of appearance
  /** Per image occurrence, its distinct image: pixelValues then hold each distinct image once. */
  imageSources?: number[];
}
/** A packed (padding-free) forward: sequences back to back in one row. */
export interface PackedInputs {
  inputIds: torch.Tensor;          // [1, T] int64
  positionIds: torch.Tensor;       // [3, 1, T] int64, each sequence's own mRoPE positions
  cuSeqlens: readonly number[];    // 0, len0, len0 + len1, ..., T
  /**
   * Per sequence, an earlier sequence it reads in full before its own tokens (its shared prefix),
   * -1 for none: how a prompt's n responses train on one copy of the prompt. A prefix has no
   * prefix itself. The first token of such a sequence is predicted from the prefix's last token.
   */
  segmentPrefix?: readonly number[];
  pixelValues?: torch.Tensor;
  imageGridThw?: number[][];
  imageSources?: number[];
}
export interface GenerateRequest {
  /** Unpadded prompt token ids (image pads already expanded). */
  inputIds: number[][];
  pixelValues?: torch.Tensor;
  imageGridThw?: number[][];
  /** Samples per prompt; they share one prefill. */
  n?: number;
  maxNewTokens: number;
  temperature?: number;
  topP?: number;
  /** <= 0 disables top-k. */
  topK?: number;
  greedy?: boolean;
  /** token id -> added logit (the method bans <|image_pad|> with -100). */
  logitBias?: Record<number, number>;
  /** Defaults to the checkpoint's eos ids. */
  stopTokenIds?: number[];
  seed?: number;
  /**
   * Id of this call's first sequence (prompt i, sample j is firstSequenceId + i * n + j). Sampling
   * noise is keyed by (seed, sequence id, step), so a batch split into calls with the right
   * offsets samples what one call would. Default 0.
   */
  firstSequenceId?: number;
  /** Drop stopped rows from the batch as they accumulate (default true; the results do not change, only the work). */
  compactFinished?: boolean;
  /**
   * Continuous batching: at most this many rows decode at once, and a row that stops takes the
   * next pending sequence (prompt prefills are computed once and copied in). 0 or >= rows: all
   * rows at once. The results do not depend on it. Not with onToken.
   */
  maxRows?: number;
  /** Called after every decode step with the new token of each row (streaming). */
  onToken?: (step: number, tokens: number[]) => void;
}
export interface GenerateResult {
  /** New tokens per row (prompt-major: prompt i, sample j at i * n + j), the stop token included. */
  sequences: number[][];
  /** log p(token) under softmax(logits / temperature), per new token. */
  logProbs: number[][];
  /**
   * Rows run through the decoder, summed over decode steps. Every generated token but each row's
   * last costs one; the rest is work on rows that had stopped (less with compactFinished).
   */
  decodedRows: number;
  /**
   * With `maxRows` (continuous batching), each sequence's slot gets its own copy of its prompt's
   * keys/values instead of sharing one: the bytes copied, and the seconds it took on a CPU (null
   * on other devices, where the copy is only queued). 0 and 0 without continuous batching.
   */
  promptCopy: { bytes: number; seconds: number | null };
}

const CHECKPOINT_SIDE_FILES = [
  'tokenizer.json', 'tokenizer_config.json', 'chat_template.json', 'chat_template.jinja', 'preprocessor_config.json',
  'generation_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt', 'added_tokens.json',
];

export class QwenVLModel {
  /** Parameters by name (transformers 5 names); handles share the model's memory. */
  readonly params = new Map<string, torch.Tensor>();
  private index: number;
  private sourceDir?: string;
  private currentDevice: string;

  private constructor(readonly config: QwenVLConfig, readonly dtype: DType, device: string) {
    this.currentDevice = device;
    assertFitsInMemory(config, dtypeBytes(dtype), device);
    this.index = native.qwenNew({ ...config }, dtypeCode(dtype), device);
    const { names, handles } = native.qwenParams(this.index) as { names: string[]; handles: number[] };
    names.forEach((n, i) => this.params.set(n, wrap(handles[i])));
  }

  /** A model with random weights (normal(0, initStd) matrices, unit norms, zero biases). */
  static fromConfig(config: QwenVLConfig, o: ModelOptions & { seed?: number; initStd?: number } = {}): QwenVLModel {
    const m = new QwenVLModel(config, o.dtype ?? 'float32', o.device ?? 'cpu');
    native.qwenInitRandom(m.index, o.initStd ?? 0.02, o.seed ?? 0);
    return m;
  }

  /** Loads a Hugging Face checkpoint folder (config.json + safetensors). */
  static async load(dir: string, o: ModelOptions = {}): Promise<QwenVLModel> {
    const cfg = readQwenConfig(dir);
    const m = new QwenVLModel(cfg, o.dtype ?? 'float32', o.device ?? 'cpu');
    try {
      await loadWeightsInto(dir, m.params, cfg.text.tieWordEmbeddings);
    } catch (e) {
      m.dispose();
      throw e;
    }
    m.sourceDir = dir;
    return m;
  }

  /** Parameters (optionally filtered by name), e.g. for an optimizer. */
  parameters(filter?: (name: string) => boolean): torch.Tensor[] {
    return [...this.params.entries()].filter(([n]) => !filter || filter(n)).map(([, t]) => t);
  }
  /** Sets requires_grad on each parameter by name; returns the trainable ones. */
  setTrainable(trainable: (name: string) => boolean): torch.Tensor[] {
    assertUnlocked(this.params.values(), 'setTrainable');
    const out: torch.Tensor[] = [];
    for (const [n, t] of this.params) {
      const on = trainable(n);
      t.requiresGrad_(on);
      if (on) out.push(t);
    }
    return out;
  }

  /**
   * The addon's input object. Without explicit position ids, mRoPE positions are computed from
   * the ids, mask and image grids (get_rope_index), as transformers does; `run` gets the object
   * and any tensor made here is freed after it returns.
   */
  private withInputs<T>(i: ForwardInputs, run: (o: QwenInputs) => T): T {
    let positions: torch.Tensor | undefined;
    if (!i.positionIds) {
      const [B, L] = i.inputIds.shape;
      const rows = i.inputIds.toArray() as number[][];
      const mask = i.attentionMask ? (i.attentionMask.to('int64').toArray() as number[][]) : null;
      const rope = getRopeIndex(rows, mask, i.imageGridThw ?? [], { imageTokenId: this.config.imageTokenId, spatialMergeSize: this.config.vision.spatialMergeSize });
      positions = torch.tensor(rope.positionIds, { shape: [3, B, L], dtype: 'int64' });
    }
    try {
      return run({
        inputIds: i.inputIds.handle,
        attentionMask: i.attentionMask?.handle ?? null,
        positionIds: (i.positionIds ?? positions)!.handle,
        pixelValues: i.pixelValues?.handle ?? null,
        grids: i.imageGridThw ?? null,
        imageSources: i.imageSources ?? null,
      });
    } finally {
      positions?.dispose();
    }
  }
  /** Logits [B, L, V]. */
  forward(i: ForwardInputs): torch.Tensor { return this.withInputs(i, (o) => wrap(native.qwenForward(this.index, o, 'logits'))); }
  /** Final hidden states [B, L, hidden]. */
  hidden(i: ForwardInputs): torch.Tensor { return this.withInputs(i, (o) => wrap(native.qwenForward(this.index, o, 'hidden'))); }
  /**
   * log p(targets[b, r]) for the tokens at positions start + r (from the logits at start + r - 1),
   * with autograd, without a full-vocabulary fp32 softmax of the batch; entropy optional.
   */
  logProbs(i: ForwardInputs, targets: torch.Tensor, start: number, o: { temperature?: number; entropy?: boolean; chunk?: number } = {}): { logProbs: torch.Tensor; entropy: torch.Tensor | null } {
    const hs = this.withInputs(i, (inp) => native.qwenLogProbs(this.index, inp, targets.handle, start, o.temperature ?? 1, o.entropy ?? false, o.chunk ?? null) as number[]);
    return scored(hs);
  }

  /**
   * The responses' log p (and entropy) of a packed batch: one row [1, T] holding the sequences
   * back to back with their boundaries `cuSeqlens` and their own mRoPE `positionIds` [3, 1, T];
   * response b is the tokens starts[b] .. starts[b] + lengths[b] - 1. Returns [B, columns] rows,
   * 0 past each response (what `logProbs` gives for the same samples left-padded).
   */
  packedLogProbs(
    i: PackedInputs, r: { starts: readonly number[]; lengths: readonly number[]; columns: number },
    o: { temperature?: number; entropy?: boolean; chunk?: number } = {},
  ): { logProbs: torch.Tensor; entropy: torch.Tensor | null } {
    const inputs = this.packedInputs(i, r);
    const hs = native.qwenLogProbsPacked(this.index, inputs, [...r.starts], [...r.lengths], r.columns, o.temperature ?? 1, o.entropy ?? false, o.chunk ?? null) as number[];
    return scored(hs);
  }

  /** logProbs on a worker thread (the autograd graph is the same; call backwardAsync on the loss). */
  async logProbsAsync(i: ForwardInputs, targets: torch.Tensor, start: number, o: { temperature?: number; entropy?: boolean; chunk?: number } = {}): Promise<{ logProbs: torch.Tensor; entropy: torch.Tensor | null }> {
    const pending = this.withInputs(i, (inp) => native.qwenLogProbsAsync(this.index, inp, targets.handle, start, o.temperature ?? 1, o.entropy ?? false, o.chunk ?? null) as Promise<number[]>);
    const hs = await pending;
    return scored(hs);
  }

  /** packedLogProbs on a worker thread. */
  async packedLogProbsAsync(
    i: PackedInputs, r: { starts: readonly number[]; lengths: readonly number[]; columns: number },
    o: { temperature?: number; entropy?: boolean; chunk?: number } = {},
  ): Promise<{ logProbs: torch.Tensor; entropy: torch.Tensor | null }> {
    const hs = (await native.qwenLogProbsPackedAsync(this.index, this.packedInputs(i, r), [...r.starts], [...r.lengths], r.columns, o.temperature ?? 1, o.entropy ?? false, o.chunk ?? null)) as number[];
    return scored(hs);
  }

  /** The addon's input object of a packed batch, after checking its boundaries. */
  private packedInputs(i: PackedInputs, r: { starts: readonly number[]; lengths: readonly number[] }): QwenInputs {
    const [rows, T] = i.inputIds.shape;
    if (i.inputIds.ndim !== 2 || rows !== 1) throw new Error(`packedLogProbs: inputIds must be one packed row [1, T], got [${i.inputIds.shape.join(', ')}]`);
    if (i.cuSeqlens[0] !== 0 || i.cuSeqlens[i.cuSeqlens.length - 1] !== T) throw new Error(`packedLogProbs: cuSeqlens must run from 0 to the packed length ${T}, got [${i.cuSeqlens.join(', ')}]`);
    if (r.starts.length !== r.lengths.length) throw new Error(`packedLogProbs: ${r.starts.length} response starts but ${r.lengths.length} lengths`);
    const sequences = i.cuSeqlens.length - 1;
    if (i.segmentPrefix && i.segmentPrefix.length !== sequences) throw new Error(`packedLogProbs: ${i.segmentPrefix.length} segmentPrefix entries for ${sequences} sequences`);
    return {
      segmentPrefix: i.segmentPrefix ? [...i.segmentPrefix] : null,
      inputIds: i.inputIds.handle, attentionMask: null, positionIds: i.positionIds.handle,
      pixelValues: i.pixelValues?.handle ?? null, grids: i.imageGridThw ?? null, cuSeqlens: [...i.cuSeqlens], imageSources: i.imageSources ?? null,
    };
  }

  /**
   * Activation checkpointing: while gradients are recorded, decoder layers and vision blocks keep
   * only their inputs and recompute the rest in backward (less memory, one more forward).
   */
  setGradientCheckpointing(on: boolean): void {
    native.qwenSetGradientCheckpointing(this.index, on);
  }
  /** The device the weights are on (inputs are moved there). */
  get device(): string { return this.currentDevice; }
  /**
   * Moves every weight to `device` in place: parameter handles (and an optimizer over them) keep
   * working. Used to keep a frozen reference model on the CPU between the phases that need it.
   */
  moveTo(device: string): void {
    assertUnlocked(this.params.values(), 'moveTo');
    native.qwenMoveTo(this.index, device);
    this.currentDevice = device;
  }

  /**
   * How many decoder layers run inference with fused projections (one matmul for q/k/v, one for
   * gate/up). The parameters are row ranges of the fused weights, so updates in place (loading,
   * AdamW, moveTo) keep them fused; a layer whose parameter was rebound elsewhere falls back to
   * the separate matmuls, with the same results.
   */
  fusedLayers(): number {
    return native.qwenFusedLayers(this.index);
  }

  /** Batched generation in the C++ engine (off the JS thread). Prompts are left-padded here. */
  async generate(r: GenerateRequest): Promise<GenerateResult> {
    const B = r.inputIds.length;
    if (B === 0) return { sequences: [], logProbs: [], decodedRows: 0, promptCopy: { bytes: 0, seconds: 0 } };
    // Values checked here, and again in the engine; the engine also stops at the context length.
    const { maxNewTokens } = checkGenerateRequest(r, this.config);
    const L = Math.max(...r.inputIds.map((p) => p.length));
    const pad = this.config.padTokenId;
    const rows = r.inputIds.map((p) => [...Array(L - p.length).fill(pad), ...p]);
    const mask = r.inputIds.map((p) => [...Array(L - p.length).fill(0), ...Array(p.length).fill(1)]);
    const rope = getRopeIndex(rows, mask, r.imageGridThw ?? [], { imageTokenId: this.config.imageTokenId, spatialMergeSize: this.config.vision.spatialMergeSize });
    const next = r.inputIds.map((p, b) => p.length + rope.ropeDeltas[b]);
    const params = {
      n: r.n ?? 1,
      maxNewTokens,
      temperature: r.temperature ?? 1,
      topP: r.topP ?? 1,
      topK: r.topK ?? -1,
      greedy: r.greedy ?? false,
      logitBias: Object.entries(r.logitBias ?? {}).map(([k, v]): [number, number] => [Number(k), v]),
      stopTokenIds: r.stopTokenIds ?? this.config.eosTokenIds,
      padTokenId: pad,
      seed: r.seed ?? 0,
      firstSequenceId: r.firstSequenceId ?? 0,
      compactFinished: r.compactFinished ?? true,
      maxRows: r.maxRows ?? 0,
    };
    const ids = torch.tensor(new BigInt64Array(rows.flat().map(BigInt)), { shape: [B, L] });
    const am = torch.tensor(new BigInt64Array(mask.flat().map(BigInt)), { shape: [B, L] });
    const pos = torch.tensor(rope.positionIds, { shape: [3, B, L], dtype: 'int64' });
    const np = torch.tensor(new BigInt64Array(next.map(BigInt)), { shape: [B] });
    let pending: Promise<QwenGenerateResult>;
    try {
      const inputs = { inputIds: ids.handle, attentionMask: am.handle, positionIds: pos.handle, pixelValues: r.pixelValues?.handle ?? null, grids: r.imageGridThw ?? null };
      pending = native.qwenGenerate(this.index, inputs, np.handle, params, r.onToken ?? undefined);
    } finally {
      // The worker took its own references to these tensors when it was queued.
      for (const t of [ids, am, pos, np]) t.dispose();
    }
    // The worker reads the weights until the promise settles: nothing may write them meanwhile.
    const unlock = lockTensors(this.params.values(), 'model is generating');
    const out = await pending.finally(unlock);
    const tokens = wrap(out.tokens), lps = wrap(out.logProbs), lens = wrap(out.lengths);
    try {
      const T = tokens.shape[1];
      const tk = tokens.toFlatArray(), lp = lps.toFlatArray(), ln = lens.toFlatArray();
      const sequences: number[][] = [], logProbs: number[][] = [];
      for (let i = 0; i < ln.length; i++) {
        sequences.push(tk.slice(i * T, i * T + ln[i]));
        logProbs.push(lp.slice(i * T, i * T + ln[i]));
      }
      const promptCopy = { bytes: out.promptCopyBytes, seconds: out.promptCopySeconds < 0 ? null : out.promptCopySeconds };
      return { sequences, logProbs, decodedRows: out.decodedRows, promptCopy };
    } finally {
      tokens.dispose(); lps.dispose(); lens.dispose();
    }
  }

  /** Writes config.json, safetensors and the side files (tokenizer, templates, processor). */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    saveWeights(dir, this.params, this.config.text.tieWordEmbeddings);
    this.saveSideFiles(dir);
  }

  /** save() with the weights written off the JS thread; the weights must not change until it settles. */
  async saveAsync(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    await saveWeightsAsync(dir, this.params, this.config.text.tieWordEmbeddings);
    this.saveSideFiles(dir);
  }

  private saveSideFiles(dir: string): void {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(toConfigJson(this.config, this.dtype), null, 2));
    if (this.sourceDir && path.resolve(this.sourceDir) !== path.resolve(dir)) {
      for (const f of CHECKPOINT_SIDE_FILES) {
        const src = path.join(this.sourceDir, f);
        if (existsSync(src)) copyFileSync(src, path.join(dir, f));
      }
    }
    if (!existsSync(path.join(dir, 'generation_config.json'))) {
      writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: this.config.eosTokenIds, pad_token_id: this.config.padTokenId }, null, 2));
    }
  }

  dispose(): void {
    assertUnlocked(this.params.values(), 'dispose');
    for (const t of this.params.values()) t.dispose();
    this.params.clear();
    native.qwenFree(this.index);
  }
}

/** Loads a Hugging Face Qwen2.5-VL checkpoint folder. */
export function loadModel(dir: string, o: ModelOptions = {}): Promise<QwenVLModel> {
  return QwenVLModel.load(dir, o);
}

/** The [logProbs, entropy?] handles of the scoring bindings as tensors. */
function scored(hs: number[]): { logProbs: torch.Tensor; entropy: torch.Tensor | null } {
  return { logProbs: wrap(hs[0]), entropy: hs.length > 1 ? wrap(hs[1]) : null };
}
