import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { clippedStep } from '../../lib/train/optim_step.js';
import { runSft } from '../../lib/train/sft/sft.js';
import { cleanup, sftConfig, smallWorld, tempDir, tinyModel } from './fixtures.js';

let world: string;
let model: string;

/** Tensors of a checkpoint folder's model.safetensors by name. */
function weights(dir: string): Map<string, torch.Tensor> {
  return torch.loadSafetensors(join(dir, 'model.safetensors'));
}

beforeAll(async () => {
  const root = tempDir();
  world = await smallWorld(join(root, 'world'), 64, 6);
  model = tinyModel(join(root, 'model'));
});
afterAll(cleanup);

describe('SFT training', () => {
  it('a 60-step run lowers the loss and changes every trainable parameter', async () => {
    const out = join(tempDir(), 'run');
    const cfg = sftConfig(world, model, out, ['trainer.max_steps=60', 'trainer.val_freq=30', 'trainer.val_max_new_tokens=8', 'trainer.val_batch_size=6']);
    const r = await runSft(cfg, { log: () => {}, quietProgress: true });
    expect(r.step).toBe(60);
    expect(r.stopped).toBe(false);
    const first = r.losses.slice(0, 5).reduce((a, x) => a + x.loss, 0) / 5;
    const last = r.losses.slice(-5).reduce((a, x) => a + x.loss, 0) / 5;
    expect(last).toBeLessThan(0.6 * first);
    const before = weights(model), after = weights(r.modelDir!);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, w] of before) {
      const d = w.sub(after.get(name)!).abs().max().item();
      expect(d, `${name} did not change`).toBeGreaterThan(0);
    }
    // metrics: one line per step (and the validation lines), loss and throughput recorded
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const steps = lines.filter((l) => 'loss' in l);
    expect(steps.map((l) => l.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(steps.every((l) => l.tokens_per_s > 0 && Number.isFinite(l.grad_norm))).toBe(true);
    const val = lines.filter((l) => 'val/format' in l);
    expect(val.map((l) => l.step)).toEqual([30, 60]);
    expect(r.validation!.n).toBe(6);
  }, 60_000);

  it('freezing the vision tower keeps its weights and still trains the merger and the language model', async () => {
    const out = join(tempDir(), 'run');
    const cfg = sftConfig(world, model, out, ['trainer.max_steps=3', 'model.freeze_vision_tower=true']);
    const r = await runSft(cfg, { log: () => {}, quietProgress: true });
    const before = weights(model), after = weights(r.modelDir!);
    for (const [name, w] of before) {
      const d = w.sub(after.get(name)!).abs().max().item();
      if (name.startsWith('visual.') && !name.startsWith('visual.merger.')) expect(d, name).toBe(0);
      else expect(d, name).toBeGreaterThan(0);
    }
  }, 60_000);

  it('skips the optimizer step when the gradient norm is not finite', () => {
    const a = torch.tensor([1, 2, 3], { dtype: 'float32' }).requiresGrad_(true);
    const b = torch.tensor([4, 5], { dtype: 'float32' }).requiresGrad_(true);
    const opt = new torch.AdamW([a, b], { lr: 0.1 });
    try {
      a.grad = torch.tensor([0.5, Number.NaN, 0.5], { dtype: 'float32' });
      b.grad = torch.tensor([1, 1], { dtype: 'float32' });
      const bad = clippedStep(opt, 1.0);
      expect(bad.applied).toBe(false);
      expect(Number.isFinite(bad.norm)).toBe(false);
      expect(a.toFlatArray()).toEqual([1, 2, 3]);
      expect(b.toFlatArray()).toEqual([4, 5]);
      expect(a.grad).toBeNull(); // cleared for the next batch
      a.grad = torch.tensor([3, 0, 4], { dtype: 'float32' });
      b.grad = torch.tensor([0, 0], { dtype: 'float32' });
      const good = clippedStep(opt, 1.0);
      expect(good.applied).toBe(true);
      expect(good.norm).toBeCloseTo(5, 5);
      expect(a.toFlatArray()[0]).toBeLessThan(1);
    } finally {
      opt.dispose();
    }
  });
});
