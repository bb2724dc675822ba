/**
 * GRPO config keys that used to be accepted and ignored now act (the config is a contract):
 * data.max_prompt_length with data.filter_overlong_prompts, worker.rollout.max_model_len,
 * worker.rollout.val_override_config, worker.ref.micro_batch_size_per_device_for_experience,
 * trainer.val_generations_to_log and trainer.load_checkpoint_path (with the config check on resume).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VisionDataset } from '../../lib/data/dataset.js';
import { resolveFormatPrompt } from '../../lib/rollout/format_prompt.js';
import { grpoPlan } from '../../lib/train/grpo/plan.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { DecodedImageCache } from '../../lib/rollout/image_cache.js';
import { loadStack, type ModelStack } from '../../lib/rollout/model_stack.js';
import { encodePass1, rollout, type RolloutItem } from '../../lib/rollout/rollout.js';
import { grpoConfig, makeGrpoWorld, type GrpoWorld } from '../helpers/grpo_world.js';

let w: GrpoWorld;
let stack: ModelStack;
let items: RolloutItem[];
/** Pass-1 prompt lengths (world_see_think, image pads expanded) of the rl split, in row order. */
let lengths: number[];

async function loadItems(file: string): Promise<RolloutItem[]> {
  const ds = await VisionDataset.load({ files: file });
  const cache = new DecodedImageCache();
  return Promise.all((await ds.getBatch([...Array(ds.size).keys()])).map(async (e) => ({ problem: e.problem, answer: e.answer, images: await cache.getAll(e.images), id: e.id })));
}

const collect = () => {
  const lines: string[] = [];
  return { lines, log: (l: string) => { lines.push(l); } };
};
const run = (name: string) => path.join(w.root, name);

beforeAll(async () => {
  w = await makeGrpoWorld();
  stack = await loadStack({ weightsDir: w.init, dtype: 'float32', device: 'cpu', minPixels: 12544, maxPixels: 12544 });
  items = await loadItems(path.join(w.world, 'rl.jsonl'));
  lengths = (await encodePass1(stack.encoder, items, resolveFormatPrompt('world_see_think', 'vision-sr1').template)).map((e) => e.ids.length);
  expect(Math.max(...lengths)).toBeGreaterThan(Math.min(...lengths)); // otherwise no threshold splits the rows
}, 120_000);

describe('prompt length limits', () => {
  it('data.max_prompt_length with filter_overlong_prompts drops the longer rows at load and logs how many', async () => {
    const sorted = [...lengths].sort((a, b) => a - b);
    const limit = sorted[Math.floor(sorted.length / 2)];
    const over = lengths.filter((l) => l > limit).length;
    const c = collect();
    const r = await runGrpo(grpoConfig(w, run('filter'), 1, [`data.max_prompt_length=${limit}`, 'data.val_files=null']), { log: c.log });
    expect(r.steps).toBe(1);
    expect(c.lines.find((l) => l.startsWith('data: dropped'))).toContain(`dropped ${over} of ${lengths.length} training prompt(s)`);
  }, 120_000);

  it('without the filter, an overlong prompt is an error naming the row and both lengths', async () => {
    const limit = Math.min(...lengths) - 1;
    await expect(runGrpo(grpoConfig(w, run('nofilter'), 1, [`data.max_prompt_length=${limit}`, 'data.filter_overlong_prompts=false']), { log: () => {} }))
      .rejects.toThrow(new RegExp(`rl\\.jsonl:\\d+: the prompt has \\d+ tokens \\(image pads expanded\\), more than data\\.max_prompt_length ${limit}`));
  }, 120_000);

  it('a prompt that leaves no room within worker.rollout.max_model_len is an error, or dropped with the filter', async () => {
    const shortest = Math.min(...lengths);
    await expect(runGrpo(grpoConfig(w, run('nomodel'), 1, [`worker.rollout.max_model_len=${shortest}`, 'data.filter_overlong_prompts=false']), { log: () => {} }))
      .rejects.toThrow(new RegExp(`rl\\.jsonl:\\d+: the prompt has ${shortest} tokens .*leaves no room for a response within worker\\.rollout\\.max_model_len ${shortest}`));
    const c = collect();
    await runGrpo(grpoConfig(w, run('nomodel-f'), 1, [`worker.rollout.max_model_len=${shortest + 1}`, 'data.val_files=null']), { log: c.log });
    const kept = lengths.filter((l) => l < shortest + 1).length;
    expect(c.lines.find((l) => l.startsWith('data: dropped'))).toContain(`dropped ${lengths.length - kept} of ${lengths.length} training`);
  }, 120_000);

  it('max_model_len caps every sample at min(max_response_length, max_model_len − prompt length), pass 2 included', async () => {
    const some = items.slice(0, 6);
    const maxModelLen = Math.max(...lengths.slice(0, 6)) + 5;
    const fp = resolveFormatPrompt('world_see_think', 'vision-sr1');
    const r = await rollout(stack.model, stack.encoder, some, {
      sampling: { n: 2, maxNewTokens: 24, temperature: 1, topP: 1, topK: -1, logitBias: {}, stopTokenIds: [], seed: 1 },
      template: fp.template, pass2: true, captionReasoner: fp.captionReasoner, onMissingDescription: 'whole-response',
      promptLimits: { maxPromptLength: 10_000, maxModelLen },
    });
    // No stop tokens, so each sample runs to its budget exactly.
    r.responses.forEach((resp, i) => expect(resp.length, `sample ${i}`).toBe(Math.min(24, maxModelLen - r.prompts[i].ids.length)));
    // Pass-2 prompts (description + question) are longer than maxModelLen here: none leaves room.
    for (const s of r.pass2Sequences!) if (s) expect(s.prompt.ids.length + s.response.length).toBeLessThanOrEqual(maxModelLen);
    const unbounded = await rollout(stack.model, stack.encoder, some.slice(0, 1), {
      sampling: { n: 1, maxNewTokens: 24, temperature: 1, topP: 1, topK: -1, logitBias: {}, stopTokenIds: [], seed: 1 },
      template: fp.template, pass2: false, captionReasoner: fp.captionReasoner, onMissingDescription: 'empty', promptLimits: { maxPromptLength: 10_000, maxModelLen: null },
    });
    expect(unbounded.responses[0]).toHaveLength(24);
  }, 120_000);
});

describe('format prompt file', () => {
  it('a data.format_prompt .jinja path that does not exist stops the run at start-up, naming it', async () => {
    const missing = path.join(w.root, 'no_such_prompt.jinja');
    await expect(runGrpo(grpoConfig(w, run('jinja'), 1, [`data.format_prompt=${missing}`]), { log: () => {} }))
      .rejects.toThrow(`data.format_prompt: the template file '${missing}' does not exist`);
  });
});

describe('validation keys', () => {
  it('val_override_config sets validation sampling (n, temperature, top_p, top_k); val_generations_to_log echoes that many', async () => {
    const valSize = (await VisionDataset.load({ files: path.join(w.world, 'val.jsonl') })).size;
    const greedy = collect();
    const a = await runGrpo(grpoConfig(w, run('val-greedy'), 1, ['trainer.val_before_train=true', 'trainer.val_generations_to_log=2']), { log: greedy.log });
    expect(a.valBefore!.n).toBe(valSize); // the default override: temperature 0, n 1
    const shown = greedy.lines.filter((l) => l.startsWith('val generation '));
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatch(/^val generation 1\/2 @ step 0 \(.*val\.jsonl:\d+\)$/);
    const i = greedy.lines.indexOf(shown[0]);
    expect(greedy.lines[i + 1]).toMatch(/^ {2}prompt: "/);
    expect(greedy.lines[i + 2]).toMatch(/^ {2}response: "/);
    expect(greedy.lines.slice(i + 3, i + 5).some((l) => l.startsWith('  ground truth: '))).toBe(true);
    const a2 = await runGrpo(grpoConfig(w, run('val-greedy-2'), 1, ['trainer.val_before_train=true']), { log: () => {} });
    expect(a2.valBefore!.samples.map((s) => s.response)).toEqual(a.valBefore!.samples.map((s) => s.response)); // greedy: reproducible

    const sampled = collect();
    const b = await runGrpo(grpoConfig(w, run('val-sampled'), 1, [
      'trainer.val_before_train=true', 'trainer.val_generations_to_log=0',
      'worker.rollout.val_override_config={n: 3, temperature: 1.0, top_p: 0.9, top_k: 50}',
    ]), { log: sampled.log });
    expect(b.valBefore!.n).toBe(3 * valSize);
    expect(sampled.lines.some((l) => l.startsWith('val generation '))).toBe(false);
    const firstItem = b.valBefore!.samples.slice(0, 3).map((s) => s.response);
    expect(new Set(firstItem).size).toBeGreaterThan(1); // sampled, not greedy
  }, 240_000);
});

describe('reference pass', () => {
  it('worker.ref.micro_batch_size_per_device_for_experience sizes the reference log-prob pass (null = the actor value)', () => {
    // The trainer scores the reference with plan.refExp and the old log-probs with plan.exp.
    expect(grpoPlan(grpoConfig(w, run('ref'), 1, ['worker.ref.micro_batch_size_per_device_for_experience=3']))).toEqual({ mini: 4, micro: 4, exp: 8, refExp: 3 });
    expect(grpoPlan(grpoConfig(w, run('ref'), 1)).refExp).toBe(8);
  });
});

describe('starting from a checkpoint', () => {
  it('trainer.load_checkpoint_path starts from that checkpoint; a changed config stops the run naming the keys', async () => {
    const first = run('ck-first');
    await runGrpo(grpoConfig(w, first, 2), { log: () => {} });
    const ck = path.join(first, 'global_step_2');
    const second = run('ck-second');
    const c = collect();
    const r = await runGrpo(grpoConfig(w, second, 3, [`trainer.load_checkpoint_path=${ck}`, 'trainer.logger=[jsonl, tensorboard]']), { log: c.log });
    expect(r.steps).toBe(3);
    expect(c.lines).toContain(`resumed from ${ck} at step 2`);
    const steps = readFileSync(path.join(second, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect([...new Set(steps)]).toEqual([3]);
    await expect(runGrpo(grpoConfig(w, run('ck-third'), 3, [`trainer.load_checkpoint_path=${ck}`, 'worker.actor.optim.lr=0.01', 'worker.rollout.top_p=0.5']), { log: () => {} }))
      .rejects.toThrow(/checkpoint .*global_step_2 was saved with another config; these keys differ from the saved run: worker\.actor\.optim\.lr, worker\.rollout\.top_p\./);
    await expect(runGrpo(grpoConfig(w, first, 3, ['algorithm.kl_coef=0.5']), { log: () => {} })).rejects.toThrow(/these keys differ from the saved run: algorithm\.kl_coef/);
  }, 240_000);
});
