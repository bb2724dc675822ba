/** Unit tests of the Qwen2.5-VL image pipeline that need no Python. */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../lib/models/qwen2_5_vl/image_decode.js';
import { imageProcessorSettings, Qwen2VLImageProcessor } from '../../lib/models/qwen2_5_vl/image_processor.js';
import { patchifyInto } from '../../lib/models/qwen2_5_vl/patchify.js';
import { premultiplyAlpha, unpremultiplyAlpha } from '../../lib/models/qwen2_5_vl/pil_modes.js';
import { resizeBicubicPil } from '../../lib/models/qwen2_5_vl/resize_bicubic.js';
import {
  EASYR1_PRE_RESIZE,
  easyR1PreResizeSteps,
  imageTokenCount,
  pythonRound,
  smartResize,
} from '../../lib/models/qwen2_5_vl/smart_resize.js';
import { syntheticPixels, tempDir, writeBytes, writePng } from './fixtures.js';

describe('pythonRound', () => {
  it('rounds halves to even and everything else to nearest', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5].map(pythonRound)).toEqual([0, 2, 2, 4, 0, -2, -2]);
    expect([1.4999999, 1.5000001, 2.49, 2.51, 7].map(pythonRound)).toEqual([1, 2, 2, 3, 7]);
  });
});

describe('smartResize', () => {
  it('reproduces docs/method.md, "Worked examples" (EasyR1 pre-resize, then smart_resize)', () => {
    const chain = (w: number, h: number) => {
      const steps = easyR1PreResizeSteps(w, h, EASYR1_PRE_RESIZE);
      const last = steps.at(-1) ?? { width: w, height: h };
      const s = smartResize(last.height, last.width);
      return { pre: last, s, tokens: imageTokenCount([1, s.height / 14, s.width / 14]) };
    };
    expect(chain(640, 480)).toEqual({ pre: { width: 640, height: 480 }, s: { height: 476, width: 644 }, tokens: 391 });
    expect(chain(300, 200)).toEqual({ pre: { width: 627, height: 418 }, s: { height: 420, width: 616 }, tokens: 330 });
    expect(chain(4000, 3000)).toEqual({ pre: { width: 2364, height: 1773 }, s: { height: 1764, width: 2352 }, tokens: 5292 });
    expect(chain(1024, 1024).s).toEqual({ height: 1036, width: 1036 });
    expect(chain(1024, 1024).tokens).toBe(1369);
  });

  it('uses banker rounding where Math.round would differ', () => {
    // 70/28 = 2.5 -> 2 (Math.round gives 3); 42/28 = 1.5 -> 2; 126/28 = 4.5 -> 4.
    expect(smartResize(70, 126, { minPixels: 1 })).toEqual({ height: 56, width: 112 });
    expect(smartResize(42, 42, { minPixels: 1 })).toEqual({ height: 56, width: 56 });
  });

  it('applies the min and max pixel budgets', () => {
    expect(smartResize(40, 50)).toEqual({ height: 56, width: 84 }); // 2000 px < 3136
    const big = smartResize(1200, 1600, { maxPixels: 200_000 });
    expect(big.height * big.width).toBeLessThanOrEqual(200_000);
    expect(big).toEqual({ height: 364, width: 504 });
  });

  it('refuses extreme aspect ratios and sides under 28 with a message naming the image', () => {
    expect(() => smartResize(28, 28 * 201, { label: 'row 7' })).toThrow(/row 7.*aspect ratio 201\.00 exceeds 200/);
    expect(() => smartResize(20, 400, { label: 'a.png' })).toThrow(/a\.png is 400x20.*>= 28/);
  });
});

describe('easyR1PreResizeSteps', () => {
  it('truncates with int() and can end just below min_pixels', () => {
    const [s] = easyR1PreResizeSteps(333, 517, EASYR1_PRE_RESIZE);
    expect(s).toEqual({ width: 410, height: 637 });
    expect(s.width * s.height).toBeLessThan(EASYR1_PRE_RESIZE.minPixels!);
    expect(easyR1PreResizeSteps(800, 600, EASYR1_PRE_RESIZE)).toEqual([]);
  });
});

describe('resizeBicubicPil', () => {
  it('keeps a constant image constant and returns a copy for the same size', () => {
    const img = { width: 37, height: 23, channels: 3, data: new Uint8Array(37 * 23 * 3).fill(77) };
    for (const [w, h] of [[100, 9], [5, 60], [37, 23]]) {
      const r = resizeBicubicPil(img, w, h);
      expect(r.data.every((v) => v === 77)).toBe(true);
    }
    expect(resizeBicubicPil(img, 37, 23).data).not.toBe(img.data);
  });

  it('differs between Pillow pass orders only when height shrinks >2x more than width', () => {
    const img = { width: 640, height: 480, channels: 3, data: syntheticPixels(640, 480, 3, 5) };
    const same = (w: number, h: number) =>
      Buffer.from(resizeBicubicPil(img, w, h, 'pillow12').data).equals(Buffer.from(resizeBicubicPil(img, w, h, 'pillow13').data));
    expect(same(644, 476)).toBe(false); // 4 > 2·(-4)
    expect(same(300, 200)).toBe(true); // 280 <= 2·340
  });
});

describe('premultiplied alpha helpers', () => {
  it('follow Pillow rounding (MULDIV255 then integer division)', () => {
    const img = { width: 2, height: 1, channels: 4, data: new Uint8Array([200, 100, 3, 128, 9, 9, 9, 0]) };
    const p = premultiplyAlpha(img);
    expect(Array.from(p.data)).toEqual([100, 50, 2, 128, 0, 0, 0, 0]);
    expect(Array.from(unpremultiplyAlpha(p).data)).toEqual([199, 99, 3, 128, 0, 0, 0, 0]);
  });
});

describe('patchifyInto', () => {
  it('matches the reshape/permute definition element by element', () => {
    const C = 3, H = 56, W = 84, p = 14, m = 2, tp = 2;
    const chw = new Float32Array(C * H * W).map((_, i) => i);
    const gh = H / p, gw = W / p, D = C * tp * p * p;
    const out = new Float32Array(gh * gw * D);
    expect(patchifyInto(chw, C, H, W, { patchSize: p, mergeSize: m, temporalPatchSize: tp }, out, 0)).toEqual({ gridT: 1, gridH: gh, gridW: gw });
    // Row index = ((bh·(gw/m) + bw)·m + mh)·m + mw; column = ((c·tp + t)·p + py)·p + px.
    for (let bh = 0; bh < gh / m; bh++) for (let bw = 0; bw < gw / m; bw++) for (let mh = 0; mh < m; mh++) for (let mw = 0; mw < m; mw++) {
      const row = ((bh * (gw / m) + bw) * m + mh) * m + mw;
      for (let c = 0; c < C; c++) for (let t = 0; t < tp; t++) for (let py = 0; py < p; py += 5) for (let px = 0; px < p; px += 3) {
        const col = ((c * tp + t) * p + py) * p + px;
        const y = (bh * m + mh) * p + py;
        const x = (bw * m + mw) * p + px;
        expect(out[row * D + col]).toBe(chw[(c * H + y) * W + x]);
      }
    }
  });
});

describe('imageProcessorSettings', () => {
  it('reads preprocessor_config.json with min/max_pixels winning over size, and overrides', () => {
    const s = imageProcessorSettings(
      { min_pixels: 100, max_pixels: 1000, size: { shortest_edge: 5, longest_edge: 6 }, image_mean: 0.5, patch_size: 14, resample: 3 },
      { maxPixels: 2000 },
    );
    expect([s.minPixels, s.maxPixels, s.imageMean]).toEqual([100, 2000, [0.5, 0.5, 0.5]]);
    expect(imageProcessorSettings({ size: { shortest_edge: 5, longest_edge: 6 } }).maxPixels).toBe(6);
  });

  it('names the bad field', () => {
    expect(() => imageProcessorSettings({ image_std: [1, 2] })).toThrow(/"image_std" must be a number or 3 numbers/);
    expect(() => imageProcessorSettings({ resample: 2 })).toThrow(/"resample" is 2; only BICUBIC/);
    expect(() => imageProcessorSettings({ max_pixels: 'x' })).toThrow(/"max_pixels" must be a number/);
  });
});

describe('Qwen2VLImageProcessor.process', () => {
  it('concatenates several images of a sample in order', async () => {
    const dir = tempDir('vsr1-unit-');
    const a = await writePng(dir, 'a.png', 120, 90, 3, 1);
    const b = await writePng(dir, 'b.png', 60, 200, 3, 2);
    const proc = new Qwen2VLImageProcessor();
    const both = await proc.process([a, b]);
    const pa = await proc.process([a]);
    const pb = await proc.process([b]);
    expect(both.imageGridThw).toEqual([...pa.imageGridThw, ...pb.imageGridThw]);
    expect(both.numPatches).toBe(pa.numPatches + pb.numPatches);
    expect(both.patchDim).toBe(1176);
    expect(Buffer.from(both.pixelValues.buffer).equals(Buffer.concat([Buffer.from(pa.pixelValues.buffer), Buffer.from(pb.pixelValues.buffer)]))).toBe(true);
  });

  it('gives a clear error for corrupt, truncated, empty or missing files', async () => {
    const dir = tempDir('vsr1-bad-');
    const good = await writePng(dir, 'g.png', 64, 64, 3, 3);
    const bytes = new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(good)));
    const cut = writeBytes(dir, 'cut.png', bytes.subarray(0, 80));
    const junk = writeBytes(dir, 'junk.jpg', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const empty = writeBytes(dir, 'empty.png', new Uint8Array(0));
    await expect(decodeImage(cut)).rejects.toThrow(/cannot decode image .*cut\.png/);
    await expect(decodeImage(junk)).rejects.toThrow(/cannot decode image .*junk\.jpg/);
    await expect(decodeImage(empty)).rejects.toThrow(/empty\.png: it is empty/);
    await expect(decodeImage(`${dir}/missing.png`)).rejects.toThrow(/cannot read image file .*missing\.png/);
    await expect(new Qwen2VLImageProcessor().process([bytes.subarray(0, 80)], { labels: ['dataset row 12'] })).rejects.toThrow(/dataset row 12/);
  });
});
