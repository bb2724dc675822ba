/**
 * Model presets. `tinyWorldConfig()` is a Qwen2.5-VL-architecture model sized for the built-in
 * world on 2 CPU cores (docs/world.md, "Tiny model": about 1.2M parameters): a vision tower of 2 blocks of width 96
 * (the second with full attention), a 2x2 merger into width 128, and a decoder of 4 blocks of
 * width 128 with 4 query heads (2 key/value heads, grouped as in Qwen) and mRoPE. Images of
 * 112x112 pixels give 8x8 patches of 14 px and 16 merged tokens.
 */
import type { ImageProcessorSettings } from '../models/qwen2_5_vl/image_processor.js';
import { QWEN2_5_VL_IMAGE_DEFAULTS } from '../models/qwen2_5_vl/image_processor.js';
import type { QwenVLConfig } from '../models/qwen2_5_vl/config.js';
import { tinyTokenIds } from './tiny_tokenizer.js';

/**
 * Std of the normal init of the tiny preset's weights. With Qwen's 0.02 the tiny model never
 * learns to read the image (measured: a one-object colour question stays at chance for 400
 * steps, in transformers too, while the same model copies a colour word from the text in 40):
 * every layer then scales its input down about 4x, and the image-dependent part of the output
 * is too small for the optimizer to find. 0.1 learns it within 100 steps.
 */
export const TINY_WORLD_INIT_STD = 0.1;

/** Side of the world's square images in pixels. */
export const TINY_WORLD_IMAGE_SIZE = 112;

/** Architecture knobs of the tiny preset that a caller may change (tests use smaller ones). */
export interface TinyWorldOptions {
  textHidden?: number;
  textIntermediate?: number;
  textLayers?: number;
  textHeads?: number;
  textKvHeads?: number;
  visionHidden?: number;
  visionIntermediate?: number;
  visionDepth?: number;
  visionHeads?: number;
  /** Base of the decoder's mRoPE frequencies. */
  ropeTheta?: number;
}

/**
 * The tiny world model's config; token ids and vocabulary size come from the tiny tokenizer, so
 * the two always agree.
 */
export function tinyWorldConfig(o: TinyWorldOptions = {}): QwenVLConfig {
  const ids = tinyTokenIds();
  const hidden = o.textHidden ?? 128;
  const heads = o.textHeads ?? 4;
  const headDim = hidden / heads;
  if (!Number.isInteger(headDim) || headDim % 8 !== 0) throw new Error(`tinyWorldConfig: text hidden ${hidden} / heads ${heads} must give a head size divisible by 8`);
  // Qwen's mrope_section [16, 24, 24] for head size 128, scaled to this head size (t, h, w).
  const half = headDim / 2;
  const t = Math.round(half / 4);
  const h = Math.floor((half - t) / 2);
  const mropeSection = [t, h, half - t - h];
  const depth = o.visionDepth ?? 2;
  return {
    text: {
      vocabSize: ids.vocabSize,
      hiddenSize: hidden,
      intermediateSize: o.textIntermediate ?? 256,
      numLayers: o.textLayers ?? 4,
      numHeads: heads,
      numKvHeads: o.textKvHeads ?? 2,
      rmsNormEps: 1e-6,
      ropeTheta: o.ropeTheta ?? 10_000,
      mropeSection,
      tieWordEmbeddings: true,
      maxPositionEmbeddings: 2048,
    },
    vision: {
      depth,
      hiddenSize: o.visionHidden ?? 96,
      intermediateSize: o.visionIntermediate ?? 192,
      numHeads: o.visionHeads ?? 4,
      inChannels: 3,
      patchSize: 14,
      temporalPatchSize: 2,
      spatialMergeSize: 2,
      // One window covers a whole 112x112 image, so window and full attention coincide here.
      windowSize: TINY_WORLD_IMAGE_SIZE,
      outHiddenSize: hidden,
      ropeTheta: 10_000,
      fullattBlockIndexes: [depth - 1],
    },
    imageTokenId: ids.imagePad,
    videoTokenId: ids.videoPad,
    visionStartTokenId: ids.visionStart,
    visionEndTokenId: ids.visionEnd,
    eosTokenIds: [ids.imEnd, ids.endOfText],
    padTokenId: ids.endOfText,
  };
}

/**
 * The processor settings of the tiny preset: Qwen's defaults (CLIP mean/std normalisation,
 * which the world needs to be learnable, docs/world.md, "Tiny model") with min = max = 112² pixels, so a 112x112
 * image stays 112x112 (8x8 patches, 16 merged tokens).
 */
export function tinyWorldProcessorSettings(): ImageProcessorSettings {
  const px = TINY_WORLD_IMAGE_SIZE * TINY_WORLD_IMAGE_SIZE;
  return {
    ...QWEN2_5_VL_IMAGE_DEFAULTS,
    imageMean: [...QWEN2_5_VL_IMAGE_DEFAULTS.imageMean],
    imageStd: [...QWEN2_5_VL_IMAGE_DEFAULTS.imageStd],
    minPixels: px,
    maxPixels: px,
  };
}

/** preprocessor_config.json of the tiny preset (the fields transformers' Qwen2VLImageProcessor reads). */
export function tinyWorldPreprocessorConfig(): Record<string, unknown> {
  const s = tinyWorldProcessorSettings();
  return {
    image_processor_type: 'Qwen2VLImageProcessor',
    processor_class: 'Qwen2_5_VLProcessor',
    do_resize: true,
    do_rescale: true,
    do_normalize: true,
    do_convert_rgb: true,
    resample: 3,
    rescale_factor: s.rescaleFactor,
    image_mean: s.imageMean,
    image_std: s.imageStd,
    min_pixels: s.minPixels,
    max_pixels: s.maxPixels,
    size: { shortest_edge: s.minPixels, longest_edge: s.maxPixels },
    patch_size: s.patchSize,
    temporal_patch_size: s.temporalPatchSize,
    merge_size: s.mergeSize,
  };
}
