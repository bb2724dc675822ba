/**
 * Bicubic resampling with Pillow's semantics for 8-bit images (`Image.resize(size, BICUBIC)`).
 *
 * The Qwen processor resizes with PIL, so matching its integer arithmetic bit for bit keeps
 * pixel_values identical to the reference. Pillow's algorithm, re-derived here:
 * - separable: two passes through an 8-bit intermediate, each rounding and clamping to
 *   uint8. Pillow <= 12 always runs horizontal first (over only the rows the vertical pass
 *   reads). Pillow 13 runs vertical first when the height shrinks by more than twice as many
 *   pixels as the width (`H - h > 2·(W - w)`); the two orders differ by a few levels;
 * - Keys cubic kernel with a = -0.5, support 2, widened by the scale when downscaling
 *   (antialiasing), sampled at pixel centres and normalised to sum 1 per output pixel;
 * - weights quantised to 22-bit fixed point (round half away from zero), sums started at
 *   half a unit, then an arithmetic shift and a clamp.
 */

/**
 * Which Pillow's pass order to reproduce: 'pillow12' (horizontal first, every Pillow up to
 * 12.x, the versions of the Vision-SR1 / EasyR1 era) or 'pillow13' (see the file comment).
 */
export type PillowPassOrder = 'pillow12' | 'pillow13';

/** The pass order of the Pillow that produced the released checkpoints' training data. */
export const DEFAULT_PASS_ORDER: PillowPassOrder = 'pillow12';

/** An interleaved 8-bit image: `data[(y·width + x)·channels + c]`. */
export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2.0;

function bicubicFilter(x: number): number {
  const a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

/** Per output index: first input index, tap count, and `ksize` fixed-point weights. */
interface Coeffs {
  ksize: number;
  bounds: Int32Array; // [xmin, count] pairs
  weights: Int32Array; // outSize * ksize
}

function precomputeCoeffs(inSize: number, outSize: number): Coeffs {
  // The box is the whole image, so in0 = 0 and in1 = inSize.
  const scale = inSize / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = BICUBIC_SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const invFilterscale = 1.0 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C casts with (int), i.e. truncation toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubicFilter((x + xmin - center + 0.5) * invFilterscale);
      k[x] = w;
      ww += w;
    }
    if (ww !== 0.0) for (let x = 0; x < xmax; x++) k[x] /= ww;
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const v = k[x];
      weights[base + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

function clip8(ss: number): number {
  // ss fits in int32 (Pillow accumulates in int); >> is the same arithmetic shift.
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function resampleHorizontal(src: RawImage, outW: number, rowFirst: number, rowCount: number, c: Coeffs): RawImage {
  const ch = src.channels;
  const out = new Uint8Array(outW * rowCount * ch);
  const { ksize, bounds, weights } = c;
  const acc = new Float64Array(ch);
  for (let yy = 0; yy < rowCount; yy++) {
    const rowIn = (yy + rowFirst) * src.width * ch;
    const rowOut = yy * outW * ch;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2];
      const n = bounds[xx * 2 + 1];
      const kb = xx * ksize;
      acc.fill(HALF);
      for (let x = 0; x < n; x++) {
        const w = weights[kb + x];
        const p = rowIn + (x + xmin) * ch;
        for (let cc = 0; cc < ch; cc++) acc[cc] += src.data[p + cc] * w;
      }
      const o = rowOut + xx * ch;
      for (let cc = 0; cc < ch; cc++) out[o + cc] = clip8(acc[cc]);
    }
  }
  return { width: outW, height: rowCount, channels: ch, data: out };
}

function resampleVertical(src: RawImage, outH: number, c: Coeffs, rowShift: number): RawImage {
  const ch = src.channels;
  const rowLen = src.width * ch;
  const out = new Uint8Array(rowLen * outH);
  const { ksize, bounds, weights } = c;
  const acc = new Float64Array(rowLen);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2] - rowShift;
    const n = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    acc.fill(HALF);
    // Row-major accumulation gives the same integer sums as Pillow's column loop.
    for (let y = 0; y < n; y++) {
      const w = weights[kb + y];
      const p = (y + ymin) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += src.data[p + i] * w;
    }
    const o = yy * rowLen;
    for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]);
  }
  return { width: src.width, height: outH, channels: ch, data: out };
}

/**
 * Resizes an 8-bit interleaved image to `outWidth`×`outHeight` exactly as Pillow's
 * `Image.resize((outWidth, outHeight), Image.BICUBIC)` does for modes L, LA/La, RGB, RGBA/RGBa
 * (bands are resampled independently). A same-size request returns a copy, as PIL does.
 * `order` selects the Pillow generation whose pass order is reproduced.
 */
export function resizeBicubicPil(img: RawImage, outWidth: number, outHeight: number, order: PillowPassOrder = DEFAULT_PASS_ORDER): RawImage {
  checkImage(img, 'resizeBicubicPil');
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth < 1 || outHeight < 1) {
    throw new Error(`resizeBicubicPil: target size ${outWidth}x${outHeight} must be positive integers`);
  }
  if (outWidth === img.width && outHeight === img.height) {
    return { ...img, data: img.data.slice() };
  }
  const needH = outWidth !== img.width;
  const needV = outHeight !== img.height;
  const shrinkH = img.height - outHeight;
  const verticalFirst = order === 'pillow13' && shrinkH > 0 && shrinkH > (img.width - outWidth) * 2;
  const vert = precomputeCoeffs(img.height, outHeight);
  if (verticalFirst) {
    let cur = resampleVertical(img, outHeight, vert, 0);
    if (needH) cur = resampleHorizontal(cur, outWidth, 0, outHeight, precomputeCoeffs(img.width, outWidth));
    return cur;
  }
  // Only rows the vertical pass reads go through the horizontal pass.
  const rowFirst = vert.bounds[0];
  const rowLast = vert.bounds[(outHeight - 1) * 2] + vert.bounds[(outHeight - 1) * 2 + 1];
  let cur = img;
  let rowShift = 0;
  if (needH) {
    cur = resampleHorizontal(img, outWidth, rowFirst, rowLast - rowFirst, precomputeCoeffs(img.width, outWidth));
    rowShift = rowFirst;
  }
  if (needV) cur = resampleVertical(cur, outHeight, vert, rowShift);
  return cur;
}

/**
 * Pillow's NEAREST resize (`Image.resize` on modes "P" and "1" always uses it): source index
 * = int(x0 + step/2 + i·step) with the offset accumulated by repeated addition, as Pillow does.
 */
export function resizeNearestPil(img: RawImage, outWidth: number, outHeight: number): RawImage {
  checkImage(img, 'resizeNearestPil');
  if (outWidth === img.width && outHeight === img.height) return { ...img, data: img.data.slice() };
  const ch = img.channels;
  const xin = new Int32Array(outWidth);
  const ax = img.width / outWidth;
  let xo = ax * 0.5;
  for (let x = 0; x < outWidth; x++) {
    xin[x] = Math.min(Math.trunc(xo), img.width - 1);
    xo += ax;
  }
  const ay = img.height / outHeight;
  let yo = ay * 0.5;
  const out = new Uint8Array(outWidth * outHeight * ch);
  for (let y = 0; y < outHeight; y++) {
    const yi = Math.min(Math.trunc(yo), img.height - 1);
    const rowIn = yi * img.width * ch;
    for (let x = 0; x < outWidth; x++) {
      const p = rowIn + xin[x] * ch;
      const o = (y * outWidth + x) * ch;
      for (let c = 0; c < ch; c++) out[o + c] = img.data[p + c];
    }
    yo += ay;
  }
  return { width: outWidth, height: outHeight, channels: ch, data: out };
}

function checkImage(img: RawImage, fn: string): void {
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new Error(
      `${fn}: pixel buffer has ${img.data.length} bytes, expected ${img.width}x${img.height}x${img.channels}`,
    );
  }
}
