/**
 * Rollout waves (lib/rollout/waves.ts): a batch cut into waves by the memory budget or
 * worker.rollout.max_num_seqs samples exactly what one engine call samples (sequence-keyed
 * noise), pass 2 included, and so does continuous batching (decode slots refilled from pending
 * sequences); a budget that cannot hold what a call needs is an error before any work; the GRPO
 * config keys reach the rollout.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VisionDataset } from '../../lib/data/dataset.js';
import { resolveFormatPrompt } from '../../lib/rollout/format_prompt.js';
import { DecodedImageCache } from '../../lib/rollout/image_cache.js';
import { loadStack, type ModelStack } from '../../lib/rollout/model_stack.js';
import { rollout, type RolloutItem, type RolloutSettings } from '../../lib/rollout/rollout.js';
import { planContinuous, planWaves, rowBytes } from '../../lib/rollout/waves.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { grpoConfig, makeGrpoWorld, type GrpoWorld } from '../helpers/grpo_world.js';

let w: GrpoWorld, stack: ModelStack, items: RolloutItem[];

beforeAll(async () => {
  w = await makeGrpoWorld('vsr1-waves-');
  stack = await loadStack({ weightsDir: w.init, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
  const ds = await VisionDataset.load({ files: path.join(w.world, 'rl.jsonl') });
  const images = new DecodedImageCache();
  items = await Promise.all((await ds.getBatch([...Array(Math.min(6, ds.size)).keys()])).map(async (e) => ({ problem: e.problem, answer: e.answer, images: await images.getAll(e.images), id: e.id })));
}, 120_000);

const fp = resolveFormatPrompt('world_see_think', 'vision-sr1');
const settings = (waves?: RolloutSettings['waves']): RolloutSettings => ({
  sampling: { n: 3, maxNewTokens: 24, temperature: 1, topP: 1, topK: -1, logitBias: {}, stopTokenIds: stack.model.config.eosTokenIds, seed: 4 },
  template: fp.template, pass2: true, captionReasoner: fp.captionReasoner, onMissingDescription: 'whole-response', ...(waves ? { waves } : {}),
});

describe('rollout waves', () => {
  it('plans whole prompts per wave and refuses a budget below one prompt', () => {
    expect(planWaves(5, 2, 100, { bytes: 450, maxNumSeqs: null })).toEqual([[0, 2], [2, 4], [4, 5]]);
    expect(planWaves(5, 2, 100, { bytes: 1e9, maxNumSeqs: 6 })).toEqual([[0, 3], [3, 5]]);
    expect(() => planWaves(5, 8, 100, { bytes: 500, maxNumSeqs: null })).toThrow(/holds 5 sequence\(s\) of this length but one prompt's n = 8 samples need/);
    expect(() => planWaves(5, 8, 100, { bytes: 1e9, maxNumSeqs: 4 })).toThrow(/max_num_seqs 4 is below n = 8/);
    expect(rowBytes(stack.model.config, 'float32', 10)).toBeGreaterThan(rowBytes(stack.model.config, 'bfloat16', 10));
  });

  it('plans continuous batching only when the rows do not fit at once: slots, then prompts per call', () => {
    expect(planContinuous(5, 2, 100, 10, { bytes: 1000, maxNumSeqs: null })).toBeNull(); // 10 rows fit one static call
    // 3/4 of 450 B gives 3 slots of 100 B; the other 150 B hold 15 prompt prefills of 10 B: one call.
    expect(planContinuous(5, 2, 100, 10, { bytes: 450, maxNumSeqs: null })).toEqual({ calls: [[0, 5]], maxRows: 3 });
    expect(planContinuous(5, 8, 100, 10, { bytes: 1e9, maxNumSeqs: 4 })).toEqual({ calls: [[0, 5]], maxRows: 4 }); // fewer slots than n is fine
    expect(planContinuous(5, 2, 100, 60, { bytes: 450, maxNumSeqs: null })).toEqual({ calls: [[0, 2], [2, 4], [4, 5]], maxRows: 3 });
    expect(() => planContinuous(5, 2, 100, 10, { bytes: 50, maxNumSeqs: null })).toThrow(/holds no decode slot/);
  });

  it('continuous batching (fewer slots than one prompt has samples) samples what one call samples, pass 2 included', async () => {
    const whole = await rollout(stack.model, stack.encoder, items, settings());
    for (const maxNumSeqs of [2, 5]) {
      const cont = await rollout(stack.model, stack.encoder, items, settings(() => ({ bytes: Infinity, maxNumSeqs, continuousBatching: true })));
      expect(cont.responses, `max_num_seqs ${maxNumSeqs}`).toEqual(whole.responses);
      expect(cont.pass2Texts, `max_num_seqs ${maxNumSeqs}`).toEqual(whole.pass2Texts);
    }
  }, 120_000);

  it('a batch cut into one-prompt waves samples what one call samples, pass 2 included', async () => {
    const whole = await rollout(stack.model, stack.encoder, items, settings());
    const waves = await rollout(stack.model, stack.encoder, items, settings(() => ({ bytes: Infinity, maxNumSeqs: 3 })));
    expect(waves.responses).toEqual(whole.responses);
    expect(waves.pass2Texts).toEqual(whole.pass2Texts);
    expect(new Set(whole.responses.map((r) => r.join(','))).size).toBeGreaterThan(3); // sampled, not all alike
  }, 120_000);

  it('GRPO: without continuous batching, max_num_seqs below n stops the first step with the reason; a budget too small stops either way', async () => {
    const off = 'worker.rollout.continuous_batching=false';
    await expect(runGrpo(grpoConfig(w, path.join(w.root, 'seqs'), 1, ['worker.rollout.max_num_seqs=2', 'trainer.save_freq=-1', off]), { log: () => {} }))
      .rejects.toThrow(/max_num_seqs 2 is below n = 4/);
    await expect(runGrpo(grpoConfig(w, path.join(w.root, 'gib'), 1, ['worker.rollout.kv_cache_gib=0.000001', 'trainer.save_freq=-1', off]), { log: () => {} }))
      .rejects.toThrow(/the KV-cache budget of 0\.00 GiB holds \d+ sequence\(s\)/);
    await expect(runGrpo(grpoConfig(w, path.join(w.root, 'gib2'), 1, ['worker.rollout.kv_cache_gib=0.000001', 'trainer.save_freq=-1']), { log: () => {} }))
      .rejects.toThrow(/the KV-cache budget of 0\.00 GiB holds no decode slot/);
    // With continuous batching (the default) 2 slots serve n = 4 samples per prompt.
    const ok = await runGrpo(grpoConfig(w, path.join(w.root, 'ok'), 1, ['worker.rollout.max_num_seqs=2', 'trainer.save_freq=-1']), { log: () => {} });
    expect(ok.steps).toBe(1);
  }, 180_000);
});
