/** The model and prompts of the rollout benchmarks (bench/rollout.ts, bench/sampling.ts): Qwen2.5-VL architecture, 4 x 256, vocab 4096. */
import { torch } from '../lib/index.js';
import { parseQwenConfig } from '../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';

export const EOS = 4094, PAD = 4095, IMAGE_PAD = 4090;

export function rolloutBenchModel(): QwenVLModel {
  const cfg = parseQwenConfig({
    model_type: 'qwen2_5_vl', vocab_size: 4096, hidden_size: 256, intermediate_size: 704, num_hidden_layers: 4,
    num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true,
    rope_scaling: { type: 'mrope', mrope_section: [8, 12, 12] }, image_token_id: IMAGE_PAD, video_token_id: 4091,
    vision_start_token_id: 4092, vision_end_token_id: 4093, eos_token_id: EOS, pad_token_id: PAD,
    vision_config: { depth: 1, hidden_size: 64, intermediate_size: 128, num_heads: 2, out_hidden_size: 256, fullatt_block_indexes: [0] },
  }, 'rollout bench config');
  return QwenVLModel.fromConfig(cfg, { seed: 1, initStd: 0.05 });
}

/** `count` random text prompts of `length` tokens (below the special ids). */
export function benchPrompts(count: number, length: number): number[][] {
  return torch.randint(0, 4000, [count, length], { generator: new torch.Generator(0) }).toArray() as number[][];
}
