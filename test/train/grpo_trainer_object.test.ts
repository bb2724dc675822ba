/**
 * The GRPO trainer as an object: its phases run one by one from a script, and a run that throws
 * (here a reward that fails at step 2) frees its models, optimizer and tensors, leaving no live
 * tensor behind; a disposed trainer refuses further use with a clear error.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { GrpoTrainer, runGrpo } from '../../lib/train/grpo/trainer.js';
import { grpoConfig, type GrpoWorld, makeGrpoWorld } from '../helpers/grpo_world.js';

let w: GrpoWorld;
const preset = [{ name: 'accuracy', reward: 'accuracy', weight: 0.9 }, { name: 'format', reward: 'see_think_format', weight: 0.1 }];

describe('GrpoTrainer', () => {
  beforeAll(async () => { w = await makeGrpoWorld('vsr1-grpo-obj-'); }, 120_000);

  it('a reward that throws at step 2 leaves no live tensor', async () => {
    const before = torch.memoryStats().liveTensors;
    let calls = 0;
    const failing = { components: [...preset, { name: 'fails', reward: () => { if (++calls > 8) throw new Error('reward failed on purpose'); return 0; }, weight: 0 }] };
    await expect(runGrpo(grpoConfig(w, path.join(w.root, 'throws'), 3), { log: () => {}, reward: failing })).rejects.toThrow(/reward failed on purpose/);
    expect(calls).toBeGreaterThan(8); // step 1 scored its 8 samples, step 2 threw
    expect(torch.memoryStats().liveTensors).toBe(before);
  });

  it('runs its phases from a script, then refuses use after dispose', async () => {
    const before = torch.memoryStats().liveTensors;
    const trainer = await GrpoTrainer.create(grpoConfig(w, path.join(w.root, 'phases'), 2), { log: () => {} });
    try {
      const { items } = await trainer.s.toItems((await trainer.s.loader.next()).examples);
      const r = await trainer.rolloutPhase(items, 1);
      expect(r.responses.length).toBe(8);
      const results = await trainer.rewardPhase(items, r);
      const adv = trainer.advantagePhase(results, r);
      const exp = await trainer.experiencePhase(r, adv);
      // Two optimizer steps per rollout (global batch 1 of 2 prompts): πold is scored beforehand.
      for (const lp of [exp.oldLogProbs!, exp.refLogProbs!]) expect(lp.map((x) => x.length)).toEqual(r.responses.map((x) => x.length));
      const m = await trainer.updatePhase(r, exp, adv, 1e-3);
      expect(m['actor/optimizer_steps']).toBe(2);
      trainer.s.timer.endStep(1);
      const metrics = await trainer.step();
      expect(metrics['reward/overall']).toBeTypeOf('number');
    } finally {
      trainer.dispose();
    }
    trainer.dispose(); // twice is fine
    await expect(trainer.step()).rejects.toThrow(/used after dispose/);
    expect(torch.memoryStats().liveTensors).toBe(before);
  });
});
