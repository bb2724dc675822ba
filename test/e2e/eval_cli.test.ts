/**
 * `vsr1 eval` on a small world with the tiny model: the per-family breakdown adds up to the
 * overall scores of the same samples, and a missing breakdown column is a named error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'eval', ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });

describe('vsr1 eval', () => {
  it('scores a split per family; the groups add up to the whole', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'vsr1-eval-'));
    await synthesizeWorld({ out: path.join(root, 'world'), sizes: splitSizes(80), settings: { seed: 5, prior: 0.8 } });
    const model = createTinyCheckpoint(path.join(root, 'm'), { seed: 1 });
    const data = path.join(root, 'world', 'test.jsonl');
    const out = path.join(root, 'r.json');
    const r = cli(['--model', model, '--data', data, '--by', 'family', '--items', '6', '--out', out, '--config', 'configs/world_train.yaml']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/family\s+n\s+accuracy %/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.n).toBe(6);
    const rows = readFileSync(data, 'utf8').trim().split('\n').slice(0, 6).map((l) => JSON.parse(l));
    const groups = res.groups as Record<string, { n: number; accuracy: number }>;
    for (const fam of new Set(rows.map((x) => x.family))) {
      const idx = rows.map((x, i) => (x.family === fam ? i : -1)).filter((i) => i >= 0);
      expect(groups[fam].n).toBe(idx.length);
      expect(groups[fam].accuracy).toBeCloseTo(idx.reduce((a, i) => a + res.samples[i].accuracy, 0) / idx.length, 12);
    }
    expect(Object.values(groups).reduce((a, g) => a + g.n, 0)).toBe(6);
    // The same split as parquet (the world writes its extra columns there too) breaks down alike.
    const outPq = path.join(root, 'r-pq.json');
    const pq = cli(['--model', model, '--data', path.join(root, 'world', 'test.parquet'), '--by', 'family', '--items', '6', '--out', outPq, '--config', 'configs/world_train.yaml']);
    expect(pq.status, pq.stderr).toBe(0);
    expect(JSON.parse(readFileSync(outPq, 'utf8')).groups).toEqual(groups);
    const bad = cli(['--model', model, '--data', data, '--by', 'colour_of_the_sky', '--items', '2']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/row \S*test\.jsonl:1 has no 'colour_of_the_sky' column/);
  }, 600_000);
});
