/**
 * The bench model and micro-batch of bench/train_step.ts, shared with its Python peer through
 * JSON: an 8-layer, 512-wide Qwen2.5-VL-architecture decoder (GQA 8/2 heads, vocab 8192), and B
 * samples whose lengths spread from L/2 to L (the longest is exactly L), a quarter of each being
 * prompt and the rest response: the unequal lengths GRPO and SFT batches have.
 */
export const BENCH_MODEL = {
  model_type: 'qwen2_5_vl', vocab_size: 8192, hidden_size: 512, intermediate_size: 1376, num_hidden_layers: 8,
  num_attention_heads: 8, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: false,
  rope_scaling: { type: 'mrope', mrope_section: [8, 12, 12] }, image_token_id: 8180, video_token_id: 8181,
  vision_start_token_id: 8182, vision_end_token_id: 8183, eos_token_id: 8184, pad_token_id: 8185,
  vision_config: { depth: 1, hidden_size: 64, intermediate_size: 128, num_heads: 2, out_hidden_size: 512, fullatt_block_indexes: [0] },
};

/** Deterministic token ids (an LCG) below `vocab`. */
function ids(n: number, seed: number, vocab: number): number[] {
  let x = seed >>> 0;
  return Array.from({ length: n }, () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % vocab; });
}

export function benchLengths(L: number, B: number, vocab: number): { prompts: number[][]; responses: number[][] } {
  const lens = Array.from({ length: B }, (_, b) => (B === 1 ? L : Math.round(L / 2 + (L / 2) * (b / (B - 1)))));
  const prompts = lens.map((n, b) => ids(Math.floor(n / 4), 2 * b + 1, vocab));
  const responses = lens.map((n, b) => ids(n - Math.floor(n / 4), 2 * b + 2, vocab));
  return { prompts, responses };
}
