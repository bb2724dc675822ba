/**
 * Native work off the JS thread: while scoring and backward run on the addon's task thread the
 * event loop keeps turning, and the gradients equal the synchronous ones; a checkpoint written
 * there equals the synchronous one byte for byte.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { parseQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import type { EncodedPrompt } from '../../lib/rollout/collate.js';
import { packBatch } from '../../lib/rollout/pack.js';
import { scoreResponses, scoreResponsesAsync } from '../../lib/rollout/score_responses.js';
import { applyOpenMpDefaults, OPENMP_DEFAULTS } from '../../lib/addon/openmp.js';
import { expectClose } from '../helpers/tensors.js';

const cfg = parseQwenConfig({
  model_type: 'qwen2_5_vl', vocab_size: 512, hidden_size: 128, intermediate_size: 256, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2,
  rope_scaling: { type: 'mrope', mrope_section: [4, 6, 6] }, pad_token_id: 511, eos_token_id: 510,
  vision_config: { depth: 1, hidden_size: 16, intermediate_size: 32, num_heads: 2, out_hidden_size: 128 },
}, 'async test config');
const prompt = (n: number, s: number): EncodedPrompt => { const ids = Array.from({ length: n }, (_, j) => (j * 7 + s) % 500); return { text: '', ids, rawIds: ids, pixelValues: null, numPatches: 0, imageGridThw: [] }; };
const prompts = Array.from({ length: 8 }, (_, i) => prompt(120 + i * 10, i));
const responses = prompts.map((_, i) => Array.from({ length: 80 + i * 5 }, (_, j) => (j * 3 + i) % 500));

/** Runs `work` while counting event-loop turns (a 1 ms interval). */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

describe('training work off the JS thread', () => {
  it('scoring and backward on the worker thread leave the event loop free and give the synchronous gradients', async () => {
    const model = QwenVLModel.fromConfig(cfg, { seed: 2, initStd: 0.05 });
    const params = model.setTrainable(() => true);
    const packed = packBatch(prompts, responses, { padId: 511, imageTokenId: 500, mergeSize: 2 });
    const weights = torch.randn([8, packed.responseLength], { generator: new torch.Generator(3) });
    const grads = () => params.map((p) => p.grad?.toFlatArray() ?? null);
    const ticks = await ticksDuring(async () => {
      const { logProbs } = await scoreResponsesAsync(model, packed);
      const loss = torch.scope(() => logProbs.mul(weights).mul(packed.responseMask).sum());
      await loss.backwardAsync();
      loss.dispose();
      logProbs.dispose();
    });
    expect(ticks).toBeGreaterThan(2);
    const viaWorker = grads();
    expect(viaWorker.filter((g) => g !== null).length).toBeGreaterThan(10);
    for (const p of params) p.grad = null;
    torch.scope(() => scoreResponses(model, packed).logProbs.mul(weights).mul(packed.responseMask).sum().backward());
    // The same ops in the same order on another thread: the same gradients, bit for bit.
    expect(grads()).toEqual(viaWorker);
    packed.dispose();
    weights.dispose();
    model.dispose();
  });

  it('noGradTask scores without autograd on the task thread and restores the JS thread\'s grad mode', async () => {
    const model = QwenVLModel.fromConfig(cfg, { seed: 4, initStd: 0.05 });
    model.setTrainable(() => true);
    const packed = packBatch(prompts.slice(0, 2), responses.slice(0, 2), { padId: 511, imageTokenId: 500, mergeSize: 2 });
    const pending = torch.noGradTask(() => scoreResponsesAsync(model, packed));
    expect(torch.isGradEnabled()).toBe(true);
    const { logProbs } = await pending;
    expect(logProbs.requiresGrad).toBe(false);
    const withGrad = await scoreResponsesAsync(model, packed);
    expect(withGrad.logProbs.requiresGrad).toBe(true);
    // Without autograd the matmuls run on oneDNN's packed weights (native/core/packed_linear.h),
    // with it on libtorch's default matmul: equal to fp32 rounding, not bit for bit.
    expectClose(withGrad.logProbs.toFlatArray(), logProbs.toFlatArray(), 1e-5, 1e-6, 'no-grad vs autograd log-probs');
    for (const t of [logProbs, withGrad.logProbs]) t.dispose();
    packed.dispose();
    model.dispose();
  });

  it('the addon loader sets the OpenMP wait defaults only where the user set nothing', () => {
    const env: NodeJS.ProcessEnv = { OMP_WAIT_POLICY: 'PASSIVE', GOMP_SPINCOUNT: '' };
    expect(applyOpenMpDefaults(env)).toEqual(['GOMP_SPINCOUNT']);
    expect(env).toEqual({ OMP_WAIT_POLICY: 'PASSIVE', GOMP_SPINCOUNT: OPENMP_DEFAULTS.GOMP_SPINCOUNT });
    // This process loaded the addon through lib/native.ts, so libgomp read them at load.
    for (const k of Object.keys(OPENMP_DEFAULTS)) expect(process.env[k], k).toBeTruthy();
  });

  it('saveAsync (weights written on a worker thread) writes the same checkpoint as save', async () => {
    const model = QwenVLModel.fromConfig(cfg, { seed: 3 });
    const root = mkdtempSync(path.join(tmpdir(), 'vsr1-async-'));
    model.save(path.join(root, 'sync'));
    await model.saveAsync(path.join(root, 'async'));
    const bytes = (d: string) => readFileSync(path.join(root, d, 'model.safetensors'));
    expect(bytes('async').equals(bytes('sync'))).toBe(true);
    const back = await QwenVLModel.load(path.join(root, 'async'));
    for (const [k, t] of model.params) expect(back.params.get(k)!.toFlatArray(), k).toEqual(t.toFlatArray());
    back.dispose();
    model.dispose();
  });
});
