/**
 * A model config whose sizes or divisors are zero (or do not divide) is refused with a message
 * naming the key, both by the TypeScript parser and by the addon itself when the parser is
 * bypassed; before, num_key_value_heads: 0 reached an integer division and killed the process
 * with SIGFPE at the first forward.
 */
import { describe, expect, it } from 'vitest';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { native } from '../../lib/native.js';
import { tinyWorldConfig } from '../../lib/world/presets.js';

const raw = (text: Record<string, unknown> = {}, vision: Record<string, unknown> = {}) => ({
  model_type: 'qwen2_5_vl', vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1,
  rope_scaling: { type: 'mrope', mrope_section: [2, 3, 3] }, ...text,
  vision_config: { depth: 1, hidden_size: 16, intermediate_size: 32, num_heads: 2, out_hidden_size: 32, ...vision },
});

describe('model config validation', () => {
  it('the parser names each zero or non-dividing size', () => {
    expect(() => parseQwenConfig(raw(), 'ok')).not.toThrow();
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      [{ num_key_value_heads: 0 }, {}, /num_key_value_heads must be a positive integer, got 0/],
      [{ num_attention_heads: 0 }, {}, /num_attention_heads must be a positive integer, got 0/],
      [{}, { num_heads: 0 }, /vision_config\.num_heads must be a positive integer, got 0/],
      [{}, { patch_size: 0 }, /vision_config\.patch_size must be a positive integer, got 0/],
      [{}, { spatial_merge_size: 0 }, /vision_config\.spatial_merge_size must be a positive integer, got 0/],
      [{}, { window_size: 20 }, /window_size 20 must be a multiple of spatial_merge_size x patch_size = 28/],
      [{ num_key_value_heads: 1.5 }, {}, /num_key_value_heads must be a positive integer, got 1.5/],
    ];
    for (const [t, v, re] of cases) expect(() => parseQwenConfig(raw(t, v), 'bad config'), String(re)).toThrow(re);
  });

  it('the addon refuses the same configs with an Error, not a signal', () => {
    const good = tinyWorldConfig();
    const idx = native.qwenNew({ ...good }, 0, 'cpu');
    expect(typeof idx).toBe('number');
    native.qwenFree(idx);
    const bad: Array<[(c: ReturnType<typeof tinyWorldConfig>) => void, RegExp]> = [
      [(c) => { c.text.numKvHeads = 0; }, /num_key_value_heads must be a positive integer, got 0/],
      [(c) => { c.vision.numHeads = 0; }, /vision_config\.num_heads must be a positive integer/],
      [(c) => { c.vision.patchSize = 0; }, /vision_config\.patch_size must be a positive integer/],
      [(c) => { c.vision.spatialMergeSize = 0; }, /spatial_merge_size must be a positive integer/],
      [(c) => { c.vision.windowSize = 20; }, /window_size 20 must be a positive multiple/],
      [(c) => { c.text.numHeads = 3; }, /not divisible by num_attention_heads 3/],
    ];
    for (const [mutate, re] of bad) {
      const c = structuredClone(good);
      mutate(c);
      expect(() => native.qwenNew({ ...c }, 0, 'cpu'), String(re)).toThrow(re);
    }
  });
});
