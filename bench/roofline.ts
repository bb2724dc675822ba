/**
 * The machine's two ceilings, measured through our own tensors: memory read bandwidth (a sum over
 * a tensor far larger than any cache) and fp32 matmul FLOP/s (square matmuls). A decode step must
 * read every weight and the KV cache it attends to, and do 2 FLOPs per weight per row, so its
 * time is at least max(bytes / bandwidth, flops / peak): the roofline that benches set their
 * measured tokens/s against. Best of several timings, so the figures are the machine's, not noise.
 */
import { torch } from '../lib/index.js';

import type { QwenTextConfig } from '../lib/models/qwen2_5_vl/config.js';

export interface Roofline { bytesPerSec: number; flopsPerSec: number }

function best(repeats: number, fn: () => void): number {
  let t = Infinity;
  for (let r = 0; r < repeats; r++) {
    const s = process.hrtime.bigint();
    fn();
    t = Math.min(t, Number(process.hrtime.bigint() - s) / 1e9);
  }
  return t;
}

/**
 * Read bandwidth over `mb` MiB and matmul FLOP/s at n x n, in `dtype` on `device` (a CUDA device is
 * synchronised inside each timing, so the figures are the kernels' and not their launch).
 */
export function measureRoofline(o: { mb?: number; n?: number; device?: string; dtype?: 'float32' | 'bfloat16' } = {}): Roofline {
  const { mb = 512, n = 1024, device = 'cpu', dtype = 'float32' } = o;
  const sync = () => { if (device !== 'cpu') torch.cuda.synchronize(); };
  const elem = dtype === 'float32' ? 4 : 2;
  return torch.scope(() => {
    const big = torch.ones([(mb * 2 ** 20) / elem], { device, dtype });
    big.sum().dispose(); // first touch
    const readSecs = best(5, () => { big.sum().dispose(); sync(); });
    const a = torch.randn([n, n], { device, dtype }), b = torch.randn([n, n], { device, dtype });
    a.matmul(b).dispose();
    const reps = 8;
    const mmSecs = best(3, () => { for (let i = 0; i < reps; i++) a.matmul(b).dispose(); sync(); });
    return { bytesPerSec: (mb * 2 ** 20) / readSecs, flopsPerSec: (reps * 2 * n ** 3) / mmSecs };
  });
}

/**
 * What one decode step reads per row-independent part: the decoder's weights (attention, MLP,
 * norms, and the output projection, which is the embedding when tied; the embedding lookup itself
 * reads one row) and, per row and context column, its keys and values.
 */
export function decoderWeights(t: QwenTextConfig): { weights: number; kvElementsPerColumn: number } {
  const h = t.hiddenSize, kvDim = t.numKvHeads * (h / t.numHeads);
  const perLayer = 2 * h * h + h + 2 * (h * kvDim + kvDim) + 3 * h * t.intermediateSize + 2 * h;
  return { weights: t.numLayers * perLayer + t.vocabSize * h + h, kvElementsPerColumn: 2 * kvDim * t.numLayers };
}

/**
 * Tokens/s ceiling of a decode step over `rows` rows: the weights read once per step, each row's
 * KV read over `context` columns, 2 FLOPs per weight per row (attention FLOPs are small here).
 */
export function decodeRoofline(r: Roofline, o: { weightBytes: number; weights: number; kvBytesPerColumn: number; rows: number; context: number }): { tokensPerSec: number; bound: 'memory' | 'compute' } {
  const memory = (o.weightBytes + o.rows * o.context * o.kvBytesPerColumn) / r.bytesPerSec;
  const compute = (2 * o.weights * o.rows) / r.flopsPerSec;
  return { tokensPerSec: o.rows / Math.max(memory, compute), bound: memory >= compute ? 'memory' : 'compute' };
}
