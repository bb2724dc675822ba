/**
 * Part 6 of the GPU check: decode tokens/s of the engine at batch 1, 64 and 256 on the 3B shapes in
 * bf16 (random weights, 64-token text prompts, 64 greedy new tokens, no stops), against the
 * device's roofline: a decode step reads every weight once and each row's keys/values, so it
 * cannot beat (weight bytes + KV bytes) / bandwidth (bench/roofline.ts, measured on the device).
 * The engine runs eagerly: the decode step is not captured as a CUDA graph, so the gap to the
 * roofline at small batches is mostly kernel launches. Preset 'tiny' runs it on a CPU.
 */
import { torch } from '../lib/index.js';
import { QwenVLModel } from '../lib/models/qwen2_5_vl/model.js';
import { gpuCheckModel } from './gpu_trainers.js';
import { decodeRoofline, decoderWeights, measureRoofline } from './roofline.js';

const PROMPT = 64, NEW = 64;

export async function decodeVsRoofline(device: string, preset: string, batches = preset === '3b' ? [1, 64, 256] : [1, 4]): Promise<Record<string, unknown>> {
  const { cfg, dtype } = gpuCheckModel(preset);
  const roof = measureRoofline({ device, dtype, mb: preset === '3b' ? 2048 : 256, n: preset === '3b' ? 4096 : 512 });
  const { weights, kvElementsPerColumn } = decoderWeights(cfg.text);
  const elem = dtype === 'bfloat16' ? 2 : 4;
  const model = QwenVLModel.fromConfig(cfg, { dtype, device, seed: 0, initStd: 0.02 });
  const rows: Record<string, unknown>[] = [];
  try {
    for (const b of batches) {
      const ids = Array.from({ length: b }, (_, i) => Array.from({ length: PROMPT }, (_, j) => 1 + ((i * 31 + j * 7) % 900)));
      const request = { inputIds: ids, maxNewTokens: NEW, greedy: true, stopTokenIds: [] as number[] };
      await model.generate({ ...request, maxNewTokens: 4 }); // warm-up: kernels, allocator
      let best = Infinity;
      for (let r = 0; r < 2; r++) {
        const t = performance.now();
        await model.generate(request);
        best = Math.min(best, (performance.now() - t) / 1000);
      }
      const line = decodeRoofline(roof, { weightBytes: elem * weights, weights, kvBytesPerColumn: elem * kvElementsPerColumn, rows: b, context: PROMPT + NEW / 2 });
      // The call includes the prefill of the prompts; at 64 prompt tokens it is small next to 64 decode steps.
      const tokensPerS = (b * NEW) / best;
      rows.push({ batch: b, seconds: best, tokensPerS, rooflineTokensPerS: line.tokensPerSec, bound: line.bound, shareOfRoofline: tokensPerS / line.tokensPerSec, cudaGraph: 'not built: eager only' });
    }
  } finally {
    model.dispose();
  }
  return { preset, dtype, weights, bandwidthGBs: roof.bytesPerSec / 1e9, matmulTflops: roof.flopsPerSec / 1e12, promptTokens: PROMPT, newTokens: NEW, rows };
}
