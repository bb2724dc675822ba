/**
 * The inference matmuls: fused q/k/v and gate/up weights and oneDNN weight packing change no
 * result beyond fp32 rounding, follow every in-place update of the weights (an optimizer step,
 * loading a checkpoint), and stay out of the way when gradients are wanted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { engineTestConfig } from './engine_config.js';
import { expectClose } from '../helpers/tensors.js';

const cfg = engineTestConfig({}, 2);
const ids = [[5, 6, 7, 8, 9, 10, 11, 12], [1, 2, 3, 4, 40, 41, 42, 43]];

/** Logits of `ids` with no gradient recorded, packing on or off. */
function logits(m: QwenVLModel, packed: boolean): number[] {
  torch.setWeightPacking(packed);
  try {
    return torch.scope(() => torch.noGrad(() => m.forward({ inputIds: torch.tensor(ids) }).toFlatArray()));
  } finally {
    torch.setWeightPacking(true);
  }
}

describe('inference matmuls (fused projections, packed weights)', () => {
  afterEach(() => torch.setWeightPacking(true));

  it('are in use where this libtorch has oneDNN, and every layer starts fused', () => {
    const m = QwenVLModel.fromConfig(cfg, { seed: 1, initStd: 0.1 });
    // The pip wheels for x86-64 ship oneDNN; elsewhere packing may be unavailable and everything
    // runs through at::linear (the other tests still hold then).
    if (process.arch === 'x64') expect(torch.weightPacking()).toEqual({ enabled: true, available: true });
    expect(m.fusedLayers()).toBe(cfg.text.numLayers);
    m.dispose();
  });

  it('give the unpacked logits and greedy tokens (fp32)', async () => {
    const m = QwenVLModel.fromConfig(cfg, { seed: 2, initStd: 0.1 });
    const a = logits(m, true), b = logits(m, false);
    expectClose(a, b, 1e-4, 1e-5, 'packed vs unpacked logits');
    const req = { inputIds: ids, maxNewTokens: 16, greedy: true, stopTokenIds: [] };
    const on = await m.generate(req);
    torch.setWeightPacking(false);
    const off = await m.generate(req);
    torch.setWeightPacking(true);
    expect(on.sequences).toEqual(off.sequences);
    for (let r = 0; r < ids.length; r++) expectClose(on.logProbs[r], off.logProbs[r], 1e-4, 1e-5, `row ${r} log-probs`);
    m.dispose();
  });

  it('follow an optimizer step and a checkpoint load (the packed copies are rebuilt, the layers stay fused)', async () => {
    const m = QwenVLModel.fromConfig(cfg, { seed: 3, initStd: 0.1 });
    const before = logits(m, true);  // packs every matrix
    const params = m.setTrainable(() => true);
    const opt = new torch.AdamW(params, { lr: 0.05 });
    torch.scope(() => {
      const out = m.forward({ inputIds: torch.tensor(ids) });
      out.pow(2).mean().backward();
    });
    opt.step();
    expect(m.fusedLayers()).toBe(cfg.text.numLayers);
    const after = logits(m, true);
    expectClose(after, logits(m, false), 1e-4, 1e-5, 'packed logits after the step');
    expect(Math.max(...after.map((x, i) => Math.abs(x - before[i])))).toBeGreaterThan(1e-2);

    const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-packed-'));
    try {
      m.save(dir);
      const loaded = await QwenVLModel.load(dir);
      expect(loaded.fusedLayers()).toBe(cfg.text.numLayers);
      expectClose(logits(loaded, true), after, 1e-4, 1e-5, 'loaded model');
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    opt.dispose?.();
    m.dispose();
  });

  it('leave training alone: with gradients wanted every weight gets its gradient', () => {
    const m = QwenVLModel.fromConfig(cfg, { seed: 4, initStd: 0.1 });
    const packed = logits(m, true);
    const params = m.setTrainable(() => true);
    const names = [...m.params.keys()];
    torch.scope(() => {
      const out = m.forward({ inputIds: torch.tensor(ids) });
      expectClose(out.toFlatArray(), packed, 1e-4, 1e-5, 'training forward vs packed inference');
      out.pow(2).mean().backward();
    });
    for (const proj of ['q_proj.weight', 'k_proj.weight', 'v_proj.bias', 'gate_proj.weight', 'up_proj.weight', 'down_proj.weight']) {
      const i = names.findIndex((n) => n.endsWith(`layers.0.mlp.${proj}`) || n.endsWith(`layers.0.self_attn.${proj}`));
      expect(i, proj).toBeGreaterThanOrEqual(0);
      const g = params[i].grad;
      expect(g, `${proj} gradient`).not.toBeNull();
      expect(Math.max(...g!.abs().toFlatArray()), `${proj} gradient`).toBeGreaterThan(0);
    }
    m.dispose();
  });
});
