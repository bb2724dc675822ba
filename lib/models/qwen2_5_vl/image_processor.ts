/**
 * Qwen2.5-VL image processor (HF `Qwen2VLImageProcessor`, docs/method.md, "Smart resize"), optionally preceded by
 * EasyR1's pre-resize (docs/method.md, "Pre-resize").
 *
 * Per image: smart_resize size -> PIL-exact bicubic resize -> ×rescale_factor -> (x-mean)/std
 * -> 2 identical frames -> patch rows of 1176 floats. Images of a sample are concatenated in
 * order; `imageGridThw` has one [1, gh, gw] per image.
 */
import { decodeImage, type DecodedImage } from './image_decode.js';
import { patchifyInto } from './patchify.js';
import { decodedToRgb, pilResizeDefault, toRgb } from './pil_modes.js';
import { DEFAULT_PASS_ORDER, resizeBicubicPil, type PillowPassOrder, type RawImage } from './resize_bicubic.js';
import { easyR1PreResizeSteps, smartResize, type PreResizeOptions } from './smart_resize.js';

/** Processor settings (camelCase of preprocessor_config.json fields). */
export interface ImageProcessorSettings {
  minPixels: number;
  maxPixels: number;
  patchSize: number;
  temporalPatchSize: number;
  mergeSize: number;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  rescaleFactor: number;
  doResize: boolean;
  doRescale: boolean;
  doNormalize: boolean;
  /** Which Pillow's bicubic pass order to reproduce (not a preprocessor_config.json field). */
  pillowPassOrder: PillowPassOrder;
}

/** Qwen2.5-VL's shipped preprocessor_config.json values (OpenAI CLIP mean/std). */
export const QWEN2_5_VL_IMAGE_DEFAULTS: Readonly<ImageProcessorSettings> = Object.freeze<ImageProcessorSettings>({
  minPixels: 3136,
  maxPixels: 12_845_056,
  patchSize: 14,
  temporalPatchSize: 2,
  mergeSize: 2,
  imageMean: [0.48145466, 0.4578275, 0.40821073],
  imageStd: [0.26862954, 0.26130258, 0.27577711],
  rescaleFactor: 0.00392156862745098,
  doResize: true,
  doRescale: true,
  doNormalize: true,
  pillowPassOrder: DEFAULT_PASS_ORDER,
});

const PIL_BICUBIC = 3;

function num(obj: Record<string, unknown>, key: string, where: string): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: field "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function bool(obj: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new Error(`${where}: field "${key}" must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function triple(obj: Record<string, unknown>, key: string, where: string): [number, number, number] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return [v, v, v];
  if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number')) {
    throw new Error(`${where}: field "${key}" must be a number or 3 numbers, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]];
}

/**
 * Settings from a preprocessor_config.json object, then `overrides`. Top-level
 * min_pixels/max_pixels win over `size` ({shortest_edge, longest_edge} or {min_pixels,
 * max_pixels}), as in transformers. Only BICUBIC resampling (3) is supported.
 */
export function imageProcessorSettings(
  json: Record<string, unknown> = {},
  overrides: Partial<ImageProcessorSettings> = {},
  where = 'preprocessor_config.json',
): ImageProcessorSettings {
  const s: ImageProcessorSettings = { ...QWEN2_5_VL_IMAGE_DEFAULTS, imageMean: [...QWEN2_5_VL_IMAGE_DEFAULTS.imageMean], imageStd: [...QWEN2_5_VL_IMAGE_DEFAULTS.imageStd] };
  const size = json.size;
  if (size !== undefined && size !== null) {
    if (typeof size !== 'object' || Array.isArray(size)) throw new Error(`${where}: field "size" must be an object`);
    const sz = size as Record<string, unknown>;
    s.minPixels = num(sz, 'shortest_edge', `${where} size`) ?? num(sz, 'min_pixels', `${where} size`) ?? s.minPixels;
    s.maxPixels = num(sz, 'longest_edge', `${where} size`) ?? num(sz, 'max_pixels', `${where} size`) ?? s.maxPixels;
  }
  s.minPixels = num(json, 'min_pixels', where) ?? s.minPixels;
  s.maxPixels = num(json, 'max_pixels', where) ?? s.maxPixels;
  s.patchSize = num(json, 'patch_size', where) ?? s.patchSize;
  s.temporalPatchSize = num(json, 'temporal_patch_size', where) ?? s.temporalPatchSize;
  s.mergeSize = num(json, 'merge_size', where) ?? s.mergeSize;
  s.rescaleFactor = num(json, 'rescale_factor', where) ?? s.rescaleFactor;
  s.imageMean = triple(json, 'image_mean', where) ?? s.imageMean;
  s.imageStd = triple(json, 'image_std', where) ?? s.imageStd;
  s.doResize = bool(json, 'do_resize', where) ?? s.doResize;
  s.doRescale = bool(json, 'do_rescale', where) ?? s.doRescale;
  s.doNormalize = bool(json, 'do_normalize', where) ?? s.doNormalize;
  const resample = num(json, 'resample', where);
  if (resample !== undefined && resample !== PIL_BICUBIC) {
    throw new Error(`${where}: field "resample" is ${resample}; only BICUBIC (3) is implemented`);
  }
  const out = { ...s, ...overrides };
  for (const k of ['minPixels', 'maxPixels', 'patchSize', 'temporalPatchSize', 'mergeSize'] as const) {
    if (!Number.isInteger(out[k]) || out[k] <= 0) throw new Error(`${where}: ${k} must be a positive integer, got ${out[k]}`);
  }
  return out;
}

/** Output of the processor for one sample (all its images). */
export interface ProcessedImages {
  /** Row-major (numPatches, patchDim) float32, the HF `pixel_values`. */
  pixelValues: Float32Array;
  numPatches: number;
  /** C·temporal_patch_size·patch_size² = 1176. */
  patchDim: number;
  /** One [t, h, w] per image, in patch units (the HF `image_grid_thw`). */
  imageGridThw: Array<[number, number, number]>;
}

/** An image source: a file path, encoded bytes, or an already decoded image. */
export type ImageSource = string | Uint8Array | DecodedImage;

/** Options of {@link Qwen2VLImageProcessor.process}. */
export interface ProcessOptions {
  /** EasyR1 pixel budget applied first (EASYR1_PRE_RESIZE for Vision-SR1); null/absent = none. */
  preResize?: PreResizeOptions | null;
  /** Names for buffers in error messages (defaults to "image #i"). */
  labels?: string[];
}

/** HF Qwen2VLImageProcessor (PIL path) re-implemented. */
export class Qwen2VLImageProcessor {
  readonly settings: ImageProcessorSettings;

  constructor(settings: Partial<ImageProcessorSettings> = {}) {
    this.settings = imageProcessorSettings({}, settings);
  }

  /** Builds a processor from a parsed preprocessor_config.json, with overrides on top. */
  static fromConfig(json: Record<string, unknown>, overrides: Partial<ImageProcessorSettings> = {}): Qwen2VLImageProcessor {
    return new Qwen2VLImageProcessor(imageProcessorSettings(json, overrides));
  }

  /** The (height, width) an RGB image of this size is resized to. */
  targetSize(height: number, width: number, label?: string): { height: number; width: number } {
    const s = this.settings;
    if (!s.doResize) return { height, width };
    return smartResize(height, width, { factor: s.patchSize * s.mergeSize, minPixels: s.minPixels, maxPixels: s.maxPixels, label });
  }

  /** Per-channel lookup uint8 -> normalised float32, computed in numpy's float32 order. */
  private lut(): Float32Array[] {
    const s = this.settings;
    const f = Math.fround;
    return [0, 1, 2].map((c) => {
      const t = new Float32Array(256);
      const m = f(s.imageMean[c]);
      const sd = f(s.imageStd[c]);
      for (let v = 0; v < 256; v++) {
        // HF: uint8 -> float64 × factor -> float32, then (x - mean32) / std32 in float32.
        let x = s.doRescale ? f(v * s.rescaleFactor) : v;
        if (s.doNormalize) x = f(f(x - m) / sd);
        t[v] = x;
      }
      return t;
    });
  }

  /** Processes RGB images (3 interleaved channels) that are already decoded. */
  preprocess(images: RawImage[], labels?: string[]): ProcessedImages {
    const s = this.settings;
    const patchDim = 3 * s.temporalPatchSize * s.patchSize * s.patchSize;
    const resized: RawImage[] = [];
    let numPatches = 0;
    images.forEach((img, i) => {
      const label = labels?.[i] ?? `image #${i}`;
      if (img.channels !== 3) throw new Error(`image processor: ${label} has ${img.channels} channels, expected RGB (3)`);
      const { height, width } = this.targetSize(img.height, img.width, label);
      const r = resizeBicubicPil(img, width, height, s.pillowPassOrder);
      resized.push(r);
      numPatches += (height / s.patchSize) * (width / s.patchSize);
    });
    const pixelValues = new Float32Array(numPatches * patchDim);
    const lut = this.lut();
    const grids: Array<[number, number, number]> = [];
    let offset = 0;
    for (const img of resized) {
      const plane = img.width * img.height;
      const chw = new Float32Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        chw[i] = lut[0][img.data[i * 3]];
        chw[plane + i] = lut[1][img.data[i * 3 + 1]];
        chw[2 * plane + i] = lut[2][img.data[i * 3 + 2]];
      }
      const g = patchifyInto(chw, 3, img.height, img.width, s, pixelValues, offset);
      grids.push([g.gridT, g.gridH, g.gridW]);
      offset += g.gridH * g.gridW * patchDim;
    }
    return { pixelValues, numPatches, patchDim, imageGridThw: grids };
  }

  /**
   * Decodes (if needed), applies the optional EasyR1 pre-resize in the image's own PIL mode,
   * converts to RGB, then runs {@link preprocess}. Several images give one concatenated output.
   */
  async process(sources: ImageSource[], opts: ProcessOptions = {}): Promise<ProcessedImages> {
    const rgb: RawImage[] = [];
    const labels: string[] = [];
    for (let i = 0; i < sources.length; i++) {
      const src = sources[i];
      const label = opts.labels?.[i] ?? (typeof src === 'string' ? src : isDecoded(src) ? src.label : `image #${i}`);
      const dec = isDecoded(src) ? src : await decodeImage(src, label);
      rgb.push(opts.preResize ? easyR1PreResize(dec, opts.preResize, this.settings.pillowPassOrder) : decodedToRgb(dec));
      labels.push(label);
    }
    return this.preprocess(rgb, labels);
  }
}

function isDecoded(x: ImageSource): x is DecodedImage {
  return typeof x === 'object' && !(x instanceof Uint8Array) && 'mode' in x;
}

/**
 * EasyR1 `process_image` on a decoded image (docs/method.md, "Pre-resize"): resize to the pixel budget with
 * PIL's default filter in the image's own mode, then convert to RGB.
 */
export function easyR1PreResize(img: DecodedImage, opts: PreResizeOptions, order: PillowPassOrder = DEFAULT_PASS_ORDER): RawImage {
  let cur: RawImage = { width: img.width, height: img.height, channels: img.channels, data: img.data };
  for (const step of easyR1PreResizeSteps(img.width, img.height, opts)) {
    cur = pilResizeDefault(cur, img.mode, step.width, step.height, order);
  }
  return toRgb(cur);
}
