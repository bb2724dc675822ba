/**
 * config.json of a Qwen2.5-VL checkpoint -> the architecture numbers the addon needs.
 *
 * Reads both layouts in circulation: the original one (text fields at the top level,
 * rope_scaling.mrope_section) and transformers 5's (text_config, rope_parameters). Writes the
 * original layout back, which every transformers version since 4.49 loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface QwenVisionConfig {
  depth: number; hiddenSize: number; intermediateSize: number; numHeads: number; inChannels: number;
  patchSize: number; temporalPatchSize: number; spatialMergeSize: number; windowSize: number;
  outHiddenSize: number; ropeTheta: number; fullattBlockIndexes: number[];
}
export interface QwenTextConfig {
  vocabSize: number; hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number;
  numKvHeads: number; rmsNormEps: number; ropeTheta: number; mropeSection: number[]; tieWordEmbeddings: boolean;
  maxPositionEmbeddings: number;
}
export interface QwenVLConfig {
  vision: QwenVisionConfig;
  text: QwenTextConfig;
  imageTokenId: number;
  videoTokenId: number;
  visionStartTokenId: number;
  visionEndTokenId: number;
  /** Token ids that end generation (from generation_config.json when present). */
  eosTokenIds: number[];
  padTokenId: number;
}

type Json = Record<string, unknown>;

function field<T>(obj: Json, key: string, where: string, kind: 'number' | 'boolean' | 'array' | 'string', fallback?: T): T {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${where}: missing required field '${key}'`);
  }
  const ok = kind === 'array' ? Array.isArray(v) : typeof v === kind;
  if (!ok) throw new Error(`${where}: field '${key}' must be a ${kind}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Parses a config.json object (see file comment); `where` names the file in errors. */
export function parseQwenConfig(raw: Json, where = 'config.json'): QwenVLConfig {
  const type = raw.model_type;
  if (type !== 'qwen2_5_vl') throw new Error(`${where}: model_type is '${String(type)}', expected 'qwen2_5_vl'`);
  const text = (raw.text_config as Json | undefined) ?? raw;
  const tw = raw.text_config ? `${where} text_config` : where;
  const vision = raw.vision_config as Json | undefined;
  if (!vision) throw new Error(`${where}: missing required field 'vision_config'`);
  const vw = `${where} vision_config`;
  const ropeParams = (text.rope_parameters as Json | undefined) ?? (text.rope_scaling as Json | undefined) ?? (raw.rope_scaling as Json | undefined) ?? {};
  const mropeSection = field<number[]>(ropeParams, 'mrope_section', `${tw} rope_scaling/rope_parameters`, 'array');
  const act = (text.hidden_act ?? 'silu') as string;
  if (act !== 'silu') throw new Error(`${tw}: hidden_act '${act}' is not supported (Qwen2.5-VL uses silu)`);
  const vact = (vision.hidden_act ?? 'silu') as string;
  if (vact !== 'silu') throw new Error(`${vw}: hidden_act '${vact}' is not supported (Qwen2.5-VL uses silu)`);
  const ropeType = (ropeParams.rope_type ?? ropeParams.type ?? 'default') as string;
  if (!['default', 'mrope'].includes(ropeType)) throw new Error(`${tw}: rope type '${ropeType}' is not supported (expected default/mrope)`);
  const visionRope = (vision.rope_parameters as Json | undefined) ?? {};
  const hiddenSize = field<number>(text, 'hidden_size', tw, 'number');
  const numHeads = field<number>(text, 'num_attention_heads', tw, 'number');
  const cfg: QwenVLConfig = {
    text: {
      vocabSize: field(text, 'vocab_size', tw, 'number'),
      hiddenSize,
      intermediateSize: field(text, 'intermediate_size', tw, 'number'),
      numLayers: field(text, 'num_hidden_layers', tw, 'number'),
      numHeads,
      numKvHeads: field(text, 'num_key_value_heads', tw, 'number', numHeads),
      rmsNormEps: field(text, 'rms_norm_eps', tw, 'number', 1e-6),
      ropeTheta: (ropeParams.rope_theta as number | undefined) ?? field(text, 'rope_theta', tw, 'number', 1_000_000),
      mropeSection,
      tieWordEmbeddings: field(raw, 'tie_word_embeddings', where, 'boolean', field(text, 'tie_word_embeddings', tw, 'boolean', false)),
      maxPositionEmbeddings: field(text, 'max_position_embeddings', tw, 'number', 128000),
    },
    vision: {
      depth: field(vision, 'depth', vw, 'number'),
      hiddenSize: field(vision, 'hidden_size', vw, 'number'),
      intermediateSize: field(vision, 'intermediate_size', vw, 'number'),
      numHeads: field(vision, 'num_heads', vw, 'number'),
      inChannels: field(vision, 'in_channels', vw, 'number', field(vision, 'in_chans', vw, 'number', 3)),
      patchSize: field(vision, 'patch_size', vw, 'number', 14),
      temporalPatchSize: field(vision, 'temporal_patch_size', vw, 'number', 2),
      spatialMergeSize: field(vision, 'spatial_merge_size', vw, 'number', 2),
      windowSize: field(vision, 'window_size', vw, 'number', 112),
      outHiddenSize: field(vision, 'out_hidden_size', vw, 'number', hiddenSize),
      ropeTheta: (visionRope.rope_theta as number | undefined) ?? 10000,
      fullattBlockIndexes: field(vision, 'fullatt_block_indexes', vw, 'array', [] as number[]),
    },
    imageTokenId: field(raw, 'image_token_id', where, 'number', 151655),
    videoTokenId: field(raw, 'video_token_id', where, 'number', 151656),
    visionStartTokenId: field(raw, 'vision_start_token_id', where, 'number', 151652),
    visionEndTokenId: field(raw, 'vision_end_token_id', where, 'number', 151653),
    eosTokenIds: [],
    padTokenId: 151643,
  };
  const eos = raw.eos_token_id ?? text.eos_token_id;
  cfg.eosTokenIds = Array.isArray(eos) ? (eos as number[]) : typeof eos === 'number' ? [eos] : [151645];
  // Qwen pads with <|endoftext|> (151643); small test vocabularies fall back to the first eos id.
  const pad = (raw.pad_token_id ?? text.pad_token_id) as number | undefined;
  cfg.padTokenId = typeof pad === 'number' ? pad : cfg.text.vocabSize > 151643 ? 151643 : cfg.eosTokenIds[0];
  validate(cfg, where);
  return cfg;
}

function validate(c: QwenVLConfig, where: string): void {
  const t = c.text, v = c.vision;
  // Every size and divisor a positive integer first: a 0 would reach an integer division in the addon.
  const sizes: Array<[string, number]> = [
    ['vocab_size', t.vocabSize], ['hidden_size', t.hiddenSize], ['intermediate_size', t.intermediateSize], ['num_hidden_layers', t.numLayers],
    ['num_attention_heads', t.numHeads], ['num_key_value_heads', t.numKvHeads], ['vision_config.depth', v.depth], ['vision_config.hidden_size', v.hiddenSize],
    ['vision_config.intermediate_size', v.intermediateSize], ['vision_config.num_heads', v.numHeads], ['vision_config.in_channels', v.inChannels],
    ['vision_config.patch_size', v.patchSize], ['vision_config.temporal_patch_size', v.temporalPatchSize], ['vision_config.spatial_merge_size', v.spatialMergeSize],
    ['vision_config.window_size', v.windowSize], ['vision_config.out_hidden_size', v.outHiddenSize],
  ];
  for (const [k, x] of sizes) if (!(Number.isInteger(x) && x > 0)) throw new Error(`${where}: ${k} must be a positive integer, got ${x}`);
  const unit = v.spatialMergeSize * v.patchSize;
  if (v.windowSize % unit) throw new Error(`${where}: vision window_size ${v.windowSize} must be a multiple of spatial_merge_size x patch_size = ${unit}`);
  if (t.hiddenSize % t.numHeads) throw new Error(`${where}: hidden_size ${t.hiddenSize} is not divisible by num_attention_heads ${t.numHeads}`);
  if (t.numHeads % t.numKvHeads) throw new Error(`${where}: num_attention_heads ${t.numHeads} is not a multiple of num_key_value_heads ${t.numKvHeads}`);
  const hd = t.hiddenSize / t.numHeads;
  const sec = t.mropeSection.reduce((a, b) => a + b, 0);
  if (sec * 2 !== hd) throw new Error(`${where}: mrope_section [${t.mropeSection}] sums to ${sec}, expected head_dim/2 = ${hd / 2}`);
  if (v.hiddenSize % v.numHeads) throw new Error(`${where}: vision hidden_size ${v.hiddenSize} is not divisible by num_heads ${v.numHeads}`);
  if (v.outHiddenSize !== t.hiddenSize) throw new Error(`${where}: vision out_hidden_size ${v.outHiddenSize} must equal the text hidden_size ${t.hiddenSize}`);
  for (const i of v.fullattBlockIndexes) if (i < 0 || i >= v.depth) throw new Error(`${where}: fullatt_block_indexes has ${i}, outside 0..${v.depth - 1}`);
}

/** Reads DIR/config.json (and eos ids from DIR/generation_config.json when present). */
export function readQwenConfig(dir: string): QwenVLConfig {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${dir}: no config.json (expected a Hugging Face checkpoint folder)`);
  let raw: Json;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const cfg = parseQwenConfig(raw, file);
  const gen = path.join(dir, 'generation_config.json');
  if (existsSync(gen)) {
    const g = JSON.parse(readFileSync(gen, 'utf8')) as Json;
    const eos = g.eos_token_id;
    if (Array.isArray(eos)) cfg.eosTokenIds = eos as number[];
    else if (typeof eos === 'number') cfg.eosTokenIds = [eos];
    if (typeof g.pad_token_id === 'number') cfg.padTokenId = g.pad_token_id;
  }
  return cfg;
}

/** config.json in the original Qwen2.5-VL layout. */
export function toConfigJson(c: QwenVLConfig, dtype: string): Json {
  const t = c.text, v = c.vision;
  return {
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    model_type: 'qwen2_5_vl',
    attention_dropout: 0.0,
    hidden_act: 'silu',
    hidden_size: t.hiddenSize,
    intermediate_size: t.intermediateSize,
    num_attention_heads: t.numHeads,
    num_hidden_layers: t.numLayers,
    num_key_value_heads: t.numKvHeads,
    max_position_embeddings: t.maxPositionEmbeddings,
    rms_norm_eps: t.rmsNormEps,
    rope_theta: t.ropeTheta,
    rope_scaling: { type: 'mrope', rope_type: 'default', mrope_section: t.mropeSection },
    vocab_size: t.vocabSize,
    tie_word_embeddings: t.tieWordEmbeddings,
    torch_dtype: dtype,
    use_cache: true,
    use_sliding_window: false,
    // Qwen's bos is <|endoftext|> (151643, never prepended); small vocabularies name their pad token.
    bos_token_id: t.vocabSize > 151643 ? 151643 : c.padTokenId,
    eos_token_id: c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds,
    pad_token_id: c.padTokenId,
    image_token_id: c.imageTokenId,
    video_token_id: c.videoTokenId,
    vision_start_token_id: c.visionStartTokenId,
    vision_end_token_id: c.visionEndTokenId,
    vision_config: {
      depth: v.depth,
      hidden_act: 'silu',
      hidden_size: v.hiddenSize,
      intermediate_size: v.intermediateSize,
      num_heads: v.numHeads,
      in_chans: v.inChannels,
      out_hidden_size: v.outHiddenSize,
      patch_size: v.patchSize,
      spatial_merge_size: v.spatialMergeSize,
      spatial_patch_size: v.patchSize,
      temporal_patch_size: v.temporalPatchSize,
      window_size: v.windowSize,
      fullatt_block_indexes: v.fullattBlockIndexes,
      tokens_per_second: 2,
      model_type: 'qwen2_5_vl',
    },
  };
}
