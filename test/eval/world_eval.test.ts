/**
 * evaluateFile on world rows with a random tiny model, end to end: the per-family scores and
 * the hallucination metrics against the scene are present, finite, per family, and add up to
 * the overall ones; a data set without scenes leaves them null.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainConfig, type TrainConfig } from '../../lib/config/index.js';
import { evaluateFile, type FileEvalResult } from '../../lib/eval/evaluate_file.js';
import type { HallucinationSummary } from '../../lib/eval/family_breakdown.js';
import { familyTable } from '../../lib/eval/family_table.js';
import { scoreResponse } from '../../lib/eval/hallucination.js';
import { loadStack, type ModelStack } from '../../lib/rollout/model_stack.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';

const ITEMS = 12;
const RATES = ['objectPrecision', 'objectRecall', 'hallucinationRate', 'colourPrecision', 'colourRecall', 'shapePrecision', 'shapeRecall', 'countAccuracy'] as const;

function checkSummary(h: HallucinationSummary, n: number): void {
  expect(h.n).toBe(n);
  expect(h.missing).toBeGreaterThanOrEqual(0);
  expect(h.missing).toBeLessThanOrEqual(n);
  for (const k of RATES) if (h[k] !== null) expect(Number.isFinite(h[k]) && h[k]! >= 0 && h[k]! <= 1, k).toBe(true);
  if (h.objectPrecision !== null) expect(h.hallucinationRate).toBeCloseTo(1 - h.objectPrecision, 12);
}

describe('world evaluation with hallucination per family', () => {
  let root: string, stack: ModelStack, cfg: TrainConfig, data: string, r: FileEvalResult;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'vsr1-halluc-'));
    await synthesizeWorld({ out: path.join(root, 'world'), sizes: splitSizes(200), settings: { seed: 9, prior: 0.8 } });
    const model = createTinyCheckpoint(path.join(root, 'm'), { seed: 2 });
    // A short response budget keeps the random model's generation to a few seconds.
    cfg = loadTrainConfig('configs/world_train.yaml', [`worker.actor.model.model_path=${model}`, 'data.max_response_length=32']);
    stack = await loadStack({ weightsDir: model, dtype: 'float32', device: 'cpu', minPixels: cfg.data.min_pixels, maxPixels: cfg.data.max_pixels });
    data = path.join(root, 'world', 'test.jsonl');
    r = await evaluateFile(stack, data, cfg, { limit: ITEMS, groupBy: 'family' });
  });
  afterAll(() => stack?.model.dispose());

  it('reports the new fields overall and per family, consistent with the samples', () => {
    const rows = readFileSync(data, 'utf8').trim().split('\n').slice(0, ITEMS).map((l) => JSON.parse(l));
    expect(r.n).toBe(ITEMS);
    checkSummary(r.hallucination!, ITEMS);
    const fams = r.families!;
    expect(Object.keys(fams).sort()).toEqual([...new Set(rows.map((x) => x.family as string))].sort());
    expect(Object.values(fams).reduce((a, f) => a + f.n, 0)).toBe(ITEMS);
    expect(Object.values(fams).reduce((a, f) => a + f.hallucination!.missing, 0)).toBe(r.hallucination!.missing);
    expect(Object.values(fams).reduce((a, f) => a + f.n * f.accuracy, 0) / ITEMS).toBeCloseTo(r.accuracy, 12);
    expect(Object.values(fams).reduce((a, f) => a + f.n * f.languageShortcutRate!, 0) / ITEMS).toBeCloseTo(r.languageShortcutRate!, 12);
    expect(Object.values(fams).reduce((a, f) => a + f.n * f.descriptionAccuracy!, 0) / ITEMS).toBeCloseTo(r.descriptionAccuracy!, 12);
    for (const [k, f] of Object.entries(fams)) {
      checkSummary(f.hallucination!, f.n);
      expect(f.accuracy).toBeCloseTo(r.groups![k]!.accuracy, 12); // the old --by breakdown agrees
    }
    r.samples.forEach((s, i) => {
      expect(s.family).toBe(rows[i].family);
      expect(s.hallucination).toEqual(scoreResponse(s.response, rows[i].scene));
    });
    // The missing count is the share of responses without a description block.
    expect(r.hallucination!.missing).toBe(Math.round((1 - r.descriptionRate) * ITEMS));
    // Responses without a description are 'missing', never perfect precision.
    for (const s of r.samples) if (s.hallucination!.missing) expect(s.hallucination!.objectPrecision).toBeNull();
    const table = familyTable(r);
    expect(table.split('\n')).toHaveLength(3 + Object.keys(fams).length);
    expect(table).toMatch(/^family\s+n\s+acc %/);
  });

  it('reads the scene from parquet (JSON text) as from JSONL (an object)', async () => {
    const pq = await evaluateFile(stack, path.join(root, 'world', 'test.parquet'), cfg, { limit: ITEMS });
    expect(pq.families).toEqual(r.families);
    expect(pq.hallucination).toEqual(r.hallucination);
    expect(pq.samples.map((s) => s.hallucination)).toEqual(r.samples.map((s) => s.hallucination));
  });

  it('leaves the world fields null on data without scene or family columns', async () => {
    const rows = readFileSync(data, 'utf8').trim().split('\n').slice(0, 2).map((l) => {
      const { problem, answer, images } = JSON.parse(l);
      return JSON.stringify({ problem, answer, images: images.map((p: string) => path.join(root, 'world', p)) });
    });
    const plain = path.join(root, 'plain.jsonl');
    writeFileSync(plain, `${rows.join('\n')}\n`);
    const p = await evaluateFile(stack, plain, cfg);
    expect(p.n).toBe(2);
    expect(p.hallucination).toBeNull();
    expect(p.families).toBeNull();
    expect(p.groups).toBeNull();
  });
});
