import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';
import { renderScenePng, sceneToSvg } from '../../lib/world/render.js';
import { blobsOf, decodeRgb } from './pixels.js';
import { parseDescription } from './solver.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('world rendering', () => {
  it('is byte-deterministic per seed', async () => {
    const s = resolveWorldSettings({ seed: 99 });
    const a = generateItems(s, 'rl', 40);
    const b = generateItems(s, 'rl', 40);
    const ha = await Promise.all(a.map(async (it) => sha(await renderScenePng(it.scene))));
    const hb = await Promise.all(b.map(async (it) => sha(await renderScenePng(it.scene))));
    expect(ha).toEqual(hb);
    expect(new Set(ha).size).toBe(40);
    const other = generateItems(resolveWorldSettings({ seed: 100 }), 'rl', 40);
    const hc = await Promise.all(other.map(async (it) => sha(await renderScenePng(it.scene))));
    expect(hc).not.toEqual(ha);
  });

  it('writes an RGB PNG of the configured size', async () => {
    for (const size of [112, 64, 160]) {
      const [it] = generateItems(resolveWorldSettings({ seed: 1, imageSize: size }), 'val', 1);
      const png = await renderScenePng(it!.scene);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const img = await decodeRgb(png);
      expect([img.width, img.height, img.channels]).toEqual([size, size, 3]);
      expect(sceneToSvg(it!.scene)).toContain(`width="${size}"`);
    }
  });

  it('draws each object in its colour at its centre', async () => {
    const PAL: Record<string, number[]> = { red: [220, 40, 40], blue: [40, 80, 220], green: [30, 160, 60], yellow: [235, 190, 20], purple: [150, 50, 190] };
    for (const it of generateItems(resolveWorldSettings({ seed: 4 }), 'test', 60)) {
      const { data, width, channels } = await decodeRgb(await renderScenePng(it.scene));
      for (const o of it.scene.objects) {
        const p = (Math.floor(o.y) * width + Math.floor(o.x)) * channels;
        expect([data[p], data[p + 1], data[p + 2]], `${it.id} ${o.colour} ${o.shape}`).toEqual(PAL[o.colour]);
      }
      // Corners are background.
      expect([data[0], data[1], data[2]]).toEqual([245, 245, 240]);
    }
  });

  it('pixels show exactly the described objects, left to right, with their colour, size, shape and band', async () => {
    for (const size of [112, 96]) {
      const items = generateItems(resolveWorldSettings({ seed: 8, imageSize: size }), 'rl', 250);
      const bad: string[] = [];
      for (const it of items) {
        const blobs = await blobsOf(await renderScenePng(it.scene));
        const seen = blobs.map((b) => `${b.size} ${b.colour} ${b.shape} ${b.row}`);
        const described = parseDescription(it.description).map((o) => `${o.size} ${o.colour} ${o.shape} ${o.row}`);
        if (seen.join(', ') !== described.join(', ')) bad.push(`${it.id} (${size}px): pixels [${seen.join(', ')}] vs description [${described.join(', ')}]`);
      }
      expect(bad).toEqual([]);
    }
  });
});
