/**
 * WorldSettings.objectScale: objects drawn larger by that factor, scale 1 exactly the reference
 * world, out-of-range values refused; and the SFT config's world block passes the knobs through.
 */
import { describe, expect, it } from 'vitest';
import { generateItems, resolveWorldSettings } from '../../lib/world/generate.js';
import { loadSftConfig } from '../../lib/config/index.js';

describe('world object scale', () => {
  it('scales every radius, keeps scale 1 identical to the default, and refuses out-of-range values', () => {
    const base = generateItems(resolveWorldSettings({ seed: 3 }), 'val', 40);
    const same = generateItems(resolveWorldSettings({ seed: 3, objectScale: 1 }), 'val', 40);
    expect(same).toEqual(base);
    const big = generateItems(resolveWorldSettings({ seed: 3, objectScale: 1.3, maxObjects: 3 }), 'val', 40);
    const radii = (items: typeof base) => new Set(items.flatMap((it) => it.scene.objects.map((o) => o.r)));
    expect([...radii(base)].sort()).toEqual([14, 9]);
    expect([...radii(big)].sort()).toEqual([11.7, 18.2]);
    for (const it of big) {
      expect(it.scene.objects.length).toBeLessThanOrEqual(3);
      for (const o of it.scene.objects) expect(o.x - o.r >= 0 && o.x + o.r <= 112 && o.y - o.r >= 0 && o.y + o.r <= 112).toBe(true);
    }
    expect(() => resolveWorldSettings({ objectScale: 3 })).toThrow(/objectScale: expected a number in \[0.5, 2\], got 3/);
  });

  it('the SFT config names families, objects per scene and object scale, and rejects unknown families', () => {
    const cfg = loadSftConfig('configs/world_sft.yaml', ['data.world.families=[exists,count_colour]', 'data.world.max_objects=3', 'data.world.object_scale=1.2']);
    expect(cfg.data.world).toMatchObject({ families: ['exists', 'count_colour'], max_objects: 3, object_scale: 1.2 });
    expect(() => loadSftConfig('configs/world_sft.yaml', ['data.world.families=[exists,colour_count]'])).toThrow(/data\.world\.families\[1\]: expected one of .*received string "colour_count"/);
  });
});
