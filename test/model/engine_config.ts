/**
 * The small text model of the engine and input-guard tests (vocab 300, 2 layers x 64, GQA 4/2;
 * special ids 290-299): as config.json fields with `over` merged in, or parsed.
 */
import { parseQwenConfig, type QwenVLConfig } from '../../lib/models/qwen2_5_vl/config.js';

export function engineTestConfigJson(over: Record<string, unknown> = {}, visionDepth = 2): Record<string, unknown> {
  return {
    model_type: 'qwen2_5_vl', vocab_size: 300, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: false,
    rope_scaling: { type: 'mrope', mrope_section: [2, 3, 3] }, image_token_id: 290, video_token_id: 291,
    vision_start_token_id: 292, vision_end_token_id: 293, eos_token_id: 299, pad_token_id: 298,
    vision_config: { depth: visionDepth, hidden_size: 32, intermediate_size: 64, num_heads: 2, out_hidden_size: 64, window_size: 56, fullatt_block_indexes: [visionDepth - 1] },
    ...over,
  };
}

export function engineTestConfig(over: Record<string, unknown> = {}, visionDepth = 2): QwenVLConfig {
  return parseQwenConfig(engineTestConfigJson(over, visionDepth), 'engine test config');
}
