/**
 * Target-size arithmetic for Qwen2.5-VL images (docs/method.md, "Pre-resize" and "Smart resize").
 *
 * Two size rules are chained in the training pipeline: EasyR1's pre-resize (pixel budget
 * with int truncation) and HF's smart_resize (multiples of 28 with Python rounding). Both are
 * plain arithmetic, kept here so that token counts can be predicted without decoding pixels.
 */

/**
 * Python 3 `round(x)` for a finite double: round half to even.
 * JS `Math.round` rounds halves up, which changes smart_resize for sides like 14·(2k+1).
 */
export function pythonRound(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`pythonRound: expected a finite number, got ${x}`);
  const f = Math.floor(x);
  // x - floor(x) is exact for doubles, so the half test is exact too.
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Settings of smart_resize. `factor` = patch_size · merge_size (28 for Qwen2.5-VL). */
export interface SmartResizeOptions {
  factor?: number;
  minPixels?: number;
  maxPixels?: number;
  /** Names the image in error messages (file path, dataset row). */
  label?: string;
}

/** Qwen2.5-VL defaults from preprocessor_config.json. */
export const QWEN_MIN_PIXELS = 3136;
export const QWEN_MAX_PIXELS = 12_845_056;
/** Aspect ratios above this are refused by the HF processor. */
export const MAX_ASPECT_RATIO = 200;

/**
 * HF `smart_resize`: the size the processor resizes to, both sides multiples of `factor`,
 * pixel count within [minPixels, maxPixels], aspect ratio kept as far as possible.
 *
 * Throws for an aspect ratio above 200 or a side shorter than `factor` (the 4.49 rule the
 * released checkpoints were trained with; later transformers dropped the side check).
 */
export function smartResize(height: number, width: number, opts: SmartResizeOptions = {}): { height: number; width: number } {
  const factor = opts.factor ?? 28;
  const minPixels = opts.minPixels ?? QWEN_MIN_PIXELS;
  const maxPixels = opts.maxPixels ?? QWEN_MAX_PIXELS;
  const what = opts.label ? `image ${opts.label}` : 'image';
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new Error(`smart_resize: ${what} has invalid size ${width}x${height} (W x H); expected positive integers`);
  }
  if (height < factor || width < factor) {
    throw new Error(
      `smart_resize: ${what} is ${width}x${height} (W x H); both sides must be >= ${factor} (patch_size * merge_size)`,
    );
  }
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > MAX_ASPECT_RATIO) {
    throw new Error(
      `smart_resize: ${what} is ${width}x${height} (W x H), aspect ratio ${ratio.toFixed(2)} exceeds ${MAX_ASPECT_RATIO}`,
    );
  }
  let hBar = pythonRound(height / factor) * factor;
  let wBar = pythonRound(width / factor) * factor;
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    hBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    hBar = Math.ceil((height * beta) / factor) * factor;
    wBar = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: hBar, width: wBar };
}

/** EasyR1 pixel budget (`data.min_pixels` / `data.max_pixels`); null disables a bound. */
export interface PreResizeOptions {
  minPixels: number | null;
  maxPixels: number | null;
}

/** Vision-SR1 training config: 512² .. 2048². */
export const EASYR1_PRE_RESIZE: PreResizeOptions = { minPixels: 262_144, maxPixels: 4_194_304 };

/**
 * The sizes EasyR1's `process_image` resizes through (docs/method.md, "Pre-resize"), in order: first down to
 * max_pixels, then up to min_pixels, each with int() truncation of `side·sqrt(budget/area)`.
 * Returns [] when the image is left alone. Sizes are {width, height}.
 */
export function easyR1PreResizeSteps(width: number, height: number, opts: PreResizeOptions): Array<{ width: number; height: number }> {
  const steps: Array<{ width: number; height: number }> = [];
  let w = width;
  let h = height;
  if (opts.maxPixels !== null && w * h > opts.maxPixels) {
    const f = Math.sqrt(opts.maxPixels / (w * h));
    [w, h] = [Math.trunc(w * f), Math.trunc(h * f)];
    steps.push({ width: w, height: h });
  }
  if (opts.minPixels !== null && w * h < opts.minPixels) {
    const f = Math.sqrt(opts.minPixels / (w * h));
    [w, h] = [Math.trunc(w * f), Math.trunc(h * f)];
    steps.push({ width: w, height: h });
  }
  for (const s of steps) {
    if (s.width < 1 || s.height < 1) {
      throw new Error(`EasyR1 pre-resize: ${width}x${height} (W x H) would shrink to ${s.width}x${s.height}`);
    }
  }
  return steps;
}

/** Number of `<|image_pad|>` tokens an image of this grid takes in the LLM sequence. */
export function imageTokenCount(gridThw: readonly number[], mergeSize = 2): number {
  const [t, h, w] = gridThw;
  return (t * h * w) / (mergeSize * mergeSize);
}
