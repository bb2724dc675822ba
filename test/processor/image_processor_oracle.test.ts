/**
 * Compares the TypeScript Qwen2.5-VL image processor with transformers' PIL-backend
 * Qwen2VLImageProcessor (scripts/oracle/qwen_processor.py) on synthetic PNGs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../lib/models/qwen2_5_vl/image_decode.js';
import { easyR1PreResize, Qwen2VLImageProcessor } from '../../lib/models/qwen2_5_vl/image_processor.js';
import { decodedToRgb } from '../../lib/models/qwen2_5_vl/pil_modes.js';
import { resizeBicubicPil, type PillowPassOrder } from '../../lib/models/qwen2_5_vl/resize_bicubic.js';
import { EASYR1_PRE_RESIZE, type PreResizeOptions } from '../../lib/models/qwen2_5_vl/smart_resize.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import { diffStats, f32FromB64, tempDir, u8FromB64, writeJpeg, writePng } from './fixtures.js';

interface Case {
  name: string;
  path: string;
  min_pixels: number;
  max_pixels: number;
  pre_resize: { min_pixels: number | null; max_pixels: number | null } | null;
}
interface OracleResult {
  mode: string;
  rgb_size: [number, number];
  rgb_b64: string;
  resized_size: [number, number];
  resized_b64: string;
  resized_hv_b64: string;
  grid_thw: number[][];
  pixel_values_shape: [number, number];
  pixel_values_b64: string;
}

const QWEN = { min_pixels: 3136, max_pixels: 12_845_056 };
const EASY = { min_pixels: EASYR1_PRE_RESIZE.minPixels, max_pixels: EASYR1_PRE_RESIZE.maxPixels };

describe.runIf(oracleAvailable(['transformers', 'PIL', 'numpy']))('Qwen2VLImageProcessor vs transformers (PIL path)', () => {
  const cases: Case[] = [];
  let results: OracleResult[] = [];
  // The oracle's Pillow decides the bicubic pass order we must reproduce.
  let order: PillowPassOrder = 'pillow12';

  beforeAll(async () => {
    const dir = tempDir('vsr1-proc-');
    const add = async (name: string, p: Promise<string>, pixels: { min_pixels: number; max_pixels: number }, pre: Case['pre_resize']) =>
      cases.push({ name, path: await p, ...pixels, pre_resize: pre });
    await add('tiny 50x40 (< min_pixels)', writePng(dir, 'tiny.png', 50, 40, 3, 1), QWEN, null);
    await add('640x480', writePng(dir, 'a.png', 640, 480, 3, 2), QWEN, null);
    await add('non-multiple 333x517', writePng(dir, 'b.png', 333, 517, 3, 3), QWEN, null);
    await add('wide 3:1 900x300', writePng(dir, 'wide.png', 900, 300, 3, 4), QWEN, null);
    await add('large downscale 1600x1200 -> max 200k', writePng(dir, 'big.png', 1600, 1200, 3, 5), { min_pixels: 3136, max_pixels: 200_000 }, null);
    await add('upscale 61x97 -> min 100k', writePng(dir, 'up.png', 61, 97, 3, 6), { min_pixels: 100_000, max_pixels: 12_845_056 }, null);
    await add('EasyR1 300x200 RGB (up to 512^2)', writePng(dir, 'e1.png', 300, 200, 3, 7), QWEN, EASY);
    await add('EasyR1 2600x1800 RGB (down to 2048^2)', writePng(dir, 'e2.png', 2600, 1800, 3, 8), QWEN, EASY);
    await add('EasyR1 palette 300x250', writePng(dir, 'p.png', 300, 250, 3, 9, { palette: true }), QWEN, EASY);
    await add('EasyR1 RGBA 420x260', writePng(dir, 'rgba.png', 420, 260, 4, 10), QWEN, EASY);
    await add('EasyR1 grey 350x330', writePng(dir, 'l.png', 350, 330, 1, 11), QWEN, EASY);
    await add('EasyR1 grey+alpha 260x300', writePng(dir, 'la.png', 260, 300, 2, 12), QWEN, EASY);
    await add('JPEG 500x375', writeJpeg(dir, 'j.jpg', 500, 375, 13), QWEN, null);
    const out = runOracle<{ pillow_version: string; results: OracleResult[] }>('scripts/oracle/qwen_processor.py', { cases });
    results = out.results;
    order = Number(out.pillow_version.split('.')[0]) >= 13 ? 'pillow13' : 'pillow12';
  });

  it('matches grid_thw exactly and pixel_values bit-exactly on every case', async () => {
    const report: string[] = [];
    const checks: Array<() => void> = [];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const r = results[i];
      const proc = new Qwen2VLImageProcessor({ minPixels: c.min_pixels, maxPixels: c.max_pixels, pillowPassOrder: order });
      const pre: PreResizeOptions | null = c.pre_resize ? { minPixels: c.pre_resize.min_pixels, maxPixels: c.pre_resize.max_pixels } : null;
      const dec = await decodeImage(c.path);
      expect(dec.mode, c.name).toBe(r.mode);

      // Stage 1: EasyR1 pre-resize + RGB conversion (or plain decode).
      const rgb = pre ? easyR1PreResize(dec, pre, order) : decodedToRgb(dec);
      expect([rgb.width, rgb.height], c.name).toEqual(r.rgb_size);
      const s1 = diffStats(rgb.data, u8FromB64(r.rgb_b64));

      // Stage 2: the processor's bicubic resize on uint8, from our RGB and from PIL's RGB.
      const tgt = proc.targetSize(rgb.height, rgb.width);
      expect([tgt.width, tgt.height], c.name).toEqual(r.resized_size);
      const s2 = diffStats(resizeBicubicPil(rgb, tgt.width, tgt.height, order).data, u8FromB64(r.resized_b64));
      const pilRgb = { ...rgb, data: u8FromB64(r.rgb_b64) };
      const s2Input = diffStats(resizeBicubicPil(pilRgb, tgt.width, tgt.height, order).data, u8FromB64(r.resized_b64));
      // The Pillow <= 12 order (horizontal first) against PIL's two single-axis passes.
      const legacy = resizeBicubicPil(pilRgb, tgt.width, tgt.height, 'pillow12');
      const s2Legacy = diffStats(legacy.data, u8FromB64(r.resized_hv_b64));
      // How far the two Pillow generations are apart on this image (reported only).
      const gen = diffStats(legacy.data, resizeBicubicPil(pilRgb, tgt.width, tgt.height, 'pillow13').data);

      // Stage 3: full processor output.
      const out = await proc.process([c.path], { preResize: pre });
      expect(out.imageGridThw, c.name).toEqual(r.grid_thw);
      expect([out.numPatches, out.patchDim], c.name).toEqual(r.pixel_values_shape);
      const s3 = diffStats(out.pixelValues, f32FromB64(r.pixel_values_b64));
      report.push(
        `${c.name.padEnd(38)} ${r.mode.padEnd(4)} grid=${JSON.stringify(out.imageGridThw[0]).padEnd(10)} ` +
          `decode+pre max=${s1.maxAbs} frac=${s1.fracDiff.toExponential(1)} | bicubic max=${s2.maxAbs} frac=${s2.fracDiff.toExponential(1)} ` +
          `(same input: ${s2Input.maxAbs}, pillow12 order: ${s2Legacy.maxAbs}) | pixel_values max=${s3.maxAbs.toExponential(2)} ` +
          `frac=${s3.fracDiff.toExponential(1)} | pillow12 vs 13: max=${gen.maxAbs} frac=${gen.fracDiff.toExponential(1)}`,
      );
      checks.push(() => {
        if (c.name.startsWith('JPEG')) {
          // Different JPEG decoders (sharp's mozjpeg, PIL's libjpeg-turbo) may differ slightly.
          expect(s1.maxAbs, c.name).toBeLessThanOrEqual(3);
          expect(s1.fracDiff, c.name).toBeLessThan(0.02);
        } else {
          expect(s1.maxAbs, c.name).toBe(0);
        }
        expect(s2Input.maxAbs, c.name).toBe(0);
        expect(s2Legacy.maxAbs, c.name).toBe(0);
        if (s1.maxAbs === 0) {
          expect(s2.maxAbs, c.name).toBe(0);
          expect(s3.maxAbs, c.name).toBe(0);
        } else {
          expect(s3.maxAbs, c.name).toBeLessThan(0.1);
        }
      });
    }
    console.log(`image processor vs transformers (Pillow order ${order}):\n${report.join('\n')}`);
    for (const check of checks) check();
  });
});
