/**
 * A bad image never ends a run: SFT and GRPO refuse an image whose header claims more pixels than
 * the limit at load (a bad row), and skip a sample whose pixel data fails to decode at first use,
 * counting it in the step metrics (data/skipped_samples) and the log, while the run completes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeWorld } from '../../lib/world/synth.js';
import { runSft } from '../../lib/train/sft/sft.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { grpoConfig } from '../helpers/grpo_world.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { cleanup, sftConfig, tempDir, tinyModel } from '../sft/fixtures.js';
import { claimedSize, damagedPixels, spoil } from './images.js';

afterAll(cleanup);

const rowsOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { images: string[] });
const metricRows = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
const skippedIn = (dir: string) => metricRows(dir).reduce((a, r) => a + (r['data/skipped_samples'] ?? 0), 0);

/** A world whose `split` has its first image damaged and its second claiming 30000 x 30000. */
async function spoiledWorld(split: 'sft' | 'rl', sizes: Record<string, number>): Promise<string> {
  const world = join(tempDir('vsr1-badimg-'), 'world');
  await synthesizeWorld({ out: world, sizes: sizes as never, settings: { seed: 7 } });
  const rows = rowsOf(join(world, `${split}.jsonl`));
  spoil(join(world, rows[0].images[0]), damagedPixels);
  spoil(join(world, rows[1].images[0]), (png) => claimedSize(png, 30000, 30000));
  return world;
}

describe('bad images in training runs', () => {
  it('SFT: the too-large image is a bad row at load, the damaged one is skipped when used, and the run completes', async () => {
    const world = await spoiledWorld('sft', { sft: 8, rl: 1, val: 2, test: 1, 'test-shortcut': 1 });
    const out = join(tempDir(), 'run');
    const logs: string[] = [];
    // 8 rows in 3 styles (14 records a pass): 4 steps of 8 cover every record at least once.
    const r = await runSft(sftConfig(world, tinyModel(join(tempDir(), 'm')), out, ['trainer.max_steps=4', 'trainer.micro_batch_size_per_device=8', 'trainer.gradient_accumulation_steps=1']), { log: (l) => logs.push(l), quietProgress: true });
    expect(r.step).toBe(4);
    expect(logs.some((l) => /30000 x 30000 = 900000000 pixels is above the limit of 178956970/.test(l)), logs.join('\n')).toBe(true);
    expect(logs.some((l) => /data: skipped .*sft\.jsonl:1 at step \d: image does not decode/.test(l)), logs.join('\n')).toBe(true);
    expect(skippedIn(out)).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('GRPO: the same two images; the run completes and counts the skipped sample', async () => {
    // 7 rows, one refused at load: 3 batches of 2, the first with the damaged image.
    const world = await spoiledWorld('rl', { sft: 1, rl: 7, val: 2, test: 1, 'test-shortcut': 1 });
    const init = createTinyCheckpoint(join(tempDir(), 'init'), { seed: 0 });
    const run = join(tempDir(), 'run');
    const logs: string[] = [];
    // filter_overlong_prompts off: no encoding pass at load, so the damaged image is first decoded in a step.
    const cfg = grpoConfig({ root: '', world, init }, run, 3, ['data.filter_overlong_prompts=false', 'data.shuffle=false', 'trainer.save_freq=-1']);
    const r = await runGrpo(cfg, { log: (l) => logs.push(l) });
    expect(r.steps).toBe(3);
    expect(logs.some((l) => /rl\.jsonl:2: .*30000 x 30000/.test(l)), logs.join('\n')).toBe(true);
    expect(logs.some((l) => /data: skipped .*rl\.jsonl:1: image does not decode/.test(l)), logs.join('\n')).toBe(true);
    expect(skippedIn(run)).toBe(1);
  }, 180_000);

  it('GRPO with filter_overlong_prompts: the damaged image is dropped at load, not fatal', async () => {
    const world = await spoiledWorld('rl', { sft: 1, rl: 6, val: 2, test: 1, 'test-shortcut': 1 });
    const init = createTinyCheckpoint(join(tempDir(), 'init'), { seed: 0 });
    const logs: string[] = [];
    const r = await runGrpo(grpoConfig({ root: '', world, init }, join(tempDir(), 'run'), 1, ['trainer.save_freq=-1']), { log: (l) => logs.push(l) });
    expect(r.steps).toBe(1);
    expect(logs.some((l) => /data: skipped training row .*rl\.jsonl:1: image does not decode/.test(l)), logs.join('\n')).toBe(true);
  }, 180_000);
});

describe('data.image_pixel_limit', () => {
  it('defaults to the decoder guard in both configs (the schema repeats the number)', async () => {
    const { DEFAULT_IMAGE_PIXEL_LIMIT } = await import('../../lib/data/image_limit.js');
    const { loadSftConfig, loadTrainConfig } = await import('../../lib/config/load.js');
    const tr = loadTrainConfig({ data: { train_files: 'x.jsonl' }, worker: { actor: { model: { model_path: 'm' } } } });
    const sf = loadSftConfig({ data: { train_files: [{ path: 'x.jsonl', style: 'see-think' }] }, model: { model_path: 'm' } });
    expect(tr.data.image_pixel_limit).toBe(DEFAULT_IMAGE_PIXEL_LIMIT);
    expect(sf.data.image_pixel_limit).toBe(DEFAULT_IMAGE_PIXEL_LIMIT);
  });
});
