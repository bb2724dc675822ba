/**
 * `vsr1 report` on a real GRPO run: a 1-step run of the tiny random model on a small built-in
 * world logs every sample (with image, parsed parts, pass-2 answer, rewards) to samples.jsonl
 * and TensorBoard; the report page is then opened in headless Chromium (Debian's package) and
 * checked after its script ran: gallery cards with decoded images, the curves, the evaluation
 * table, the shortcut filter (from the URL hash) showing only shortcut cards, and model output
 * with `<script>` shown as text. Chromium is required: without it the test fails, it does not skip.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainConfig } from '../../lib/config/index.js';
import { writeReport } from '../../lib/report/index.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { PNG_MAGIC, readEvents } from './tb_read.js';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const root = mkdtempSync(path.join(tmpdir(), 'vsr1-report-'));
const world = path.join(root, 'world');
const init = path.join(root, 'init');
const run = path.join(root, 'run');
const PROMPTS = 2, N = 4;
const INJECTED = '<script>document.body.setAttribute("data-pwned","1")</script>';

/** Extra samples.jsonl lines: a shortcut case carrying a script in its response, a right description, an old-format line. */
const crafted = [
  { step: 1, split: 'train', index: 90, prompt: 'which shape is red?<image>', response: `<description> a blue square </description> <think> guess </think> \\boxed{circle} ${INJECTED}`,
    ground_truth: 'circle', pass2: '<think> square </think> \\boxed{square}', reward: { overall: 1, accuracy: 1, format: 0, description_accuracy: 0, description_format: 0 },
    images: [] as string[], description: 'a blue square', think: 'guess', answer: 'circle', pass2_answer: 'square' },
  { step: 1, split: 'train', index: 91, prompt: 'how many?<image>', response: '<description> two dots </description> <think> count </think> \\boxed{2}', ground_truth: '2',
    pass2: '\\boxed{2}', reward: { overall: 2, accuracy: 1, format: 1, description_accuracy: 1 }, description: 'two dots', think: 'count', answer: '2', pass2_answer: '2' },
  { step: 1, split: 'train', index: 92, prompt: 'old line', response: 'no parts \\boxed{x}', ground_truth: 'y', pass2: '', reward: { overall: 0, accuracy: 0, format: 0, description_accuracy: 0 } },
];

function chromiumDom(file: string, hash = ''): string {
  const r = spawnSync(CHROMIUM, ['--headless', '--disable-gpu', '--no-sandbox', '--no-first-run', '--virtual-time-budget=5000', '--dump-dom', `${pathToFileURL(file).href}${hash}`],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28, killSignal: 'SIGKILL' });
  if (r.error) throw new Error(`${CHROMIUM} could not run (${r.error.message}); install Debian's chromium (apt-get install chromium, see scripts/setup.sh) or set CHROMIUM`);
  if (r.status !== 0) throw new Error(`${CHROMIUM} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

const isShortcut = (r: Record<string, number>) => r.accuracy === 1 && r.description_accuracy === 0;

/** The opening tags of the gallery cards in a DOM dump. */
const cardTags = (dom: string) => [...dom.matchAll(/<article class="card"[^>]*>/g)].map((m) => m[0]);
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const visible = (dom: string) => cardTags(dom).filter((t) => !/\shidden(=""|\s|>)/.test(t));

describe('vsr1 report', () => {
  let html = '';
  let samples: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    await synthesizeWorld({ out: world, sizes: splitSizes(60), settings: { seed: 5, prior: 0.8 } });
    createTinyCheckpoint(init, { seed: 0 });
    const cfg = loadTrainConfig({
      data: { train_files: path.join(world, 'rl.jsonl'), val_files: path.join(world, 'val.jsonl'), format_prompt: 'world_see_think',
        max_response_length: 24, rollout_batch_size: PROMPTS, min_pixels: 12544, max_pixels: 12544 },
      worker: { actor: { global_batch_size: PROMPTS, micro_batch_size_per_device_for_update: 8, micro_batch_size_per_device_for_experience: 8,
        model: { model_path: init, dtype: 'fp32', compute_dtype: 'fp32' } }, rollout: { n: N }, ref: { dtype: 'fp32' } },
      trainer: { max_steps: 1, device: 'cpu', save_checkpoint_path: run, logger: ['jsonl', 'tensorboard'], log_samples: -1, val_freq: 1, val_before_train: true, save_freq: -1 },
    });
    await runGrpo(cfg, { log: () => {} });
    samples = readFileSync(path.join(run, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const c of crafted) appendFileSync(path.join(run, 'samples.jsonl'), `${JSON.stringify(c)}\n`);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'report', run, '--max-samples', '50'], { encoding: 'utf8', timeout: 120_000 });
    expect(cli.status, cli.stderr).toBe(0);
    const shortcut = [...samples, ...crafted].filter((s) => isShortcut(s.reward as Record<string, number>)).length;
    expect(shortcut).toBeGreaterThanOrEqual(1);
    expect(cli.stdout).toContain(`: 1 plot(s), 1 table(s), ${samples.length + crafted.length} of ${samples.length + crafted.length} samples (${shortcut} right answers from a wrong description)`);
    html = readFileSync(path.join(run, 'report.html'), 'utf8');
  }, 600_000);

  it('the run logs what the gallery needs for every sample', () => {
    expect(samples).toHaveLength(PROMPTS * N);
    for (const s of samples) {
      for (const k of ['prompt', 'response', 'ground_truth', 'pass2', 'id']) expect(typeof s[k], k).toBe('string');
      for (const k of ['description', 'think', 'answer', 'pass2_answer']) expect(k in s, k).toBe(true);
      expect(Object.keys(s.reward as object).sort()).toEqual(['accuracy', 'description_accuracy', 'description_format', 'format', 'overall']);
      const images = s.images as string[];
      expect(images).toHaveLength(1);
      expect(Array.from(readFileSync(images[0]).subarray(0, 8))).toEqual(PNG_MAGIC);
    }
  });

  it('the run logs its samples to TensorBoard as text and PNG image summaries', () => {
    const dir = path.join(run, 'tensorboard');
    const values = readdirSync(dir).flatMap((f) => readEvents(path.join(dir, f))).flatMap((e) => e.values.map((v) => ({ step: e.step, ...v })));
    const texts = values.filter((v) => v.plugin === 'text');
    expect(texts.map((v) => v.tag).sort()).toEqual(Array.from({ length: PROMPTS * N }, (_, k) => `samples/train/${k}`).sort());
    expect(texts[0].strings![0]).toContain(samples[0].prompt as string);
    const images = values.filter((v) => v.image);
    expect(images).toHaveLength(PROMPTS * N);
    for (const v of images) expect(Array.from(v.image!.encoded.subarray(0, 8))).toEqual(PNG_MAGIC);
  });

  it('is self-contained and escapes model output', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b|<iframe\b|\s(src|href)="(https?:)?\/\//);
    expect(html).not.toContain(INJECTED);
    expect(html).toContain('&lt;script&gt;document.body.setAttribute(&quot;data-pwned&quot;,&quot;1&quot;)&lt;/script&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('renders in headless Chromium: cards with images, curves, the evaluation table', () => {
    expect(existsSync(path.join(run, 'report.html'))).toBe(true);
    const dom = chromiumDom(path.join(run, 'report.html'));
    const body = /<body[^>]*>/.exec(dom)![0];
    expect(body).toContain('data-filter="all"'); // the inline script ran (it sets the body's filter)
    expect(body).not.toContain('data-pwned'); // the response's script did not
    const cards = cardTags(dom);
    expect(cards).toHaveLength(PROMPTS * N + crafted.length);
    expect(visible(dom)).toHaveLength(cards.length);
    const imgs = dom.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g) ?? [];
    expect(imgs).toHaveLength(PROMPTS * N);
    expect(/data-images-loaded="(\d+)"/.exec(dom)?.[1]).toBe(String(PROMPTS * N)); // Chromium decoded every image
    const plots = [...dom.matchAll(/<div class="plot"[^>]*>([\s\S]*?)<\/svg>/g)];
    expect(plots).toHaveLength(1);
    expect(plots[0][1]).toContain('<svg');
    expect((plots[0][1].match(/<path[^>]+d="M/g) ?? []).length).toBeGreaterThan(4);
    for (const m of ['reward/overall', 'reward/description_accuracy', 'val/accuracy', 'samples/shortcut_share']) expect(plots[0][1]).toContain(`>${m}<`);
    expect(dom).toMatch(/<caption>run: validation<\/caption>/);
    expect(dom).toMatch(/<td>before RL<\/td>/);
    expect(dom).toContain(INJECTED.replace(/</g, '&lt;').replace(/>/g, '&gt;')); // shown as text in the card
    expect(dom).toMatch(/<a href="#filter=shortcut" data-filter="shortcut"[^>]*>right answer from a wrong description \(\d+\)<\/a>/);
  });

  it('the shortcut filter, read from the URL hash, shows only the shortcut cards', () => {
    const dom = chromiumDom(path.join(run, 'report.html'), '#filter=shortcut');
    expect(dom).toContain('data-filter="shortcut"');
    const shown = visible(dom);
    const expected = [...samples, ...crafted].filter((s) => isShortcut(s.reward as Record<string, number>)).length;
    expect(shown).toHaveLength(expected);
    for (const t of shown) expect(attr(t, 'data-shortcut')).toBe('1');
    expect(dom).toMatch(new RegExp(`<span id="shown-count">${expected}</span>`));
    expect(dom).toMatch(/<a href="#filter=shortcut" data-filter="shortcut" class="active">/);
    const wrong = chromiumDom(path.join(run, 'report.html'), '#filter=wrong');
    const expectedWrong = [...samples, ...crafted].filter((s) => (s.reward as { accuracy: number }).accuracy < 1).length;
    expect(visible(wrong)).toHaveLength(expectedWrong);
    for (const t of visible(wrong)) expect(attr(t, 'data-wrong')).toBe('1');
    const right = visible(chromiumDom(path.join(run, 'report.html'), '#filter=right-description'));
    expect(right.length).toBeGreaterThanOrEqual(1);
    for (const t of right) expect(attr(t, 'data-right-description')).toBe('1');
  });

  it('reads a pipeline folder (summary.json, an SFT run and seed runs) and evaluation files', async () => {
    const out = path.join(root, 'pipeline');
    for (const d of ['sft', 'grpo-seed0']) mkdirSync(path.join(out, d), { recursive: true });
    copyFileSync(path.join(run, 'metrics.jsonl'), path.join(out, 'grpo-seed0', 'metrics.jsonl'));
    copyFileSync(path.join(run, 'samples.jsonl'), path.join(out, 'grpo-seed0', 'samples.jsonl'));
    writeFileSync(path.join(out, 'sft', 'metrics.jsonl'), [1, 2, 3].map((step) => JSON.stringify({ step, loss: 3 - step / 2, grad_norm: 1 })).join('\n'));
    writeFileSync(path.join(out, 'sft', 'samples.jsonl'), `${JSON.stringify({ step: 3, split: 'val', index: 0, id: 'val.jsonl:1', prompt: 'q', response: 'r', ground_truth: 'a', reward: { format: 1, accuracy: 0 } })}\n`);
    const result = (acc: number) => ({ n: 10, accuracy: acc, format: 0.9, descriptionAccuracy: 0.5, languageShortcutRate: 0.125, descriptionRate: 1, responseLength: 20 });
    writeFileSync(path.join(out, 'summary.json'), JSON.stringify({
      seeds: [0], scores: [{ split: 'test', stage: 'sft', seed: null, result: result(0.4) }, { split: 'test', stage: 'grpo', seed: 0, result: result(0.55) }],
      gains: [], textOnlyBaseline: { test: 0.3 }, seconds: { sft: 10, grpo: 20, eval: 5, total: 35 },
    }));
    writeFileSync(path.join(root, 'by-family.json'), JSON.stringify({ ...result(0.7), groups: { count: { n: 4, accuracy: 0.25 } }, samples: [] }));
    const r = await writeReport(out, { evalFiles: [path.join(root, 'by-family.json')], maxSamples: 5 });
    expect(r).toMatchObject({ path: path.join(out, 'report.html'), plots: 2, tables: 3, samples: 5, totalSamples: samples.length + crafted.length + 1 });
    const page = readFileSync(r.path, 'utf8');
    expect(page).toContain('pipeline folder · runs: grpo-seed0 (grpo), sft (sft)');
    expect(page).toMatch(/<tr><td>test<\/td><td>SFT \+ GRPO seed 0<\/td><td>10<\/td><td>55\.0<\/td><td>90\.0<\/td><td>50\.0<\/td><td>12\.5<\/td><td>100\.0<\/td><td>20<\/td><td>30\.0<\/td><\/tr>/);
    expect(page).toMatch(/<caption>evaluation: by-family\.json<\/caption>[\s\S]*<td>count<\/td><td>4<\/td><td>25\.0<\/td>/);
    expect(page).toContain('<caption>grpo-seed0: validation by step</caption>'); // no summary.json there: from metrics.jsonl
    expect(page).toContain('>loss<'); // the SFT curve
    expect((page.match(/<article class="card"/g) ?? []).length).toBe(5);
  });

  it('names the folder when it is not a run or pipeline folder, and a bad samples line', async () => {
    const empty = mkdtempSync(path.join(root, 'empty-'));
    await expect(writeReport(empty)).rejects.toThrow(/is neither a run folder \(metrics\.jsonl or samples\.jsonl\) nor a pipeline folder/);
    writeFileSync(path.join(empty, 'samples.jsonl'), '{"step": 1, "prompt": "q"}\n');
    await expect(writeReport(empty)).rejects.toThrow(/samples\.jsonl:1: sample has no "response" string/);
  });
});
