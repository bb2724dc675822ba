/**
 * The README's TypeScript examples run: the 15-line runtime example (its loss falls) and the
 * scripted GRPO run with a reward of one's own (its reward is logged and a final policy is written).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The README's ```ts blocks, in order. */
function readmeBlocks(): string[] {
  return [...readFileSync('README.md', 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Runs a README block with tsx, its `vision-sr1` import pointed at lib/. */
function runExample(code: string, timeout: number) {
  // Inside the repository so the example resolves the project's node_modules.
  const dir = mkdtempSync(path.join(process.cwd(), 'test', '.tmp-readme-'));
  const file = path.join(dir, 'example.ts');
  writeFileSync(file, code.replace("from 'vision-sr1'", `from '${path.resolve('lib/index.js')}'`));
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README example', () => {
  it('trains and the printed loss falls', () => {
    const code = readmeBlocks()[0];
    expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(18);
    const r = runExample(code, 120_000);
    expect(r.stderr).toBe('');
    const losses = r.stdout.trim().split('\n').map((l) => Number(l.split(' ')[1]));
    expect(losses.length).toBe(4);
    expect(losses[3]).toBeLessThan(losses[0] * 0.1);
  });

  it('the scripted training run uses the package entry point and logs the user reward', () => {
    const code = readmeBlocks().find((b) => b.includes('runGrpo'));
    expect(code, 'README block with runGrpo').toBeDefined();
    const out = mkdtempSync(path.join(tmpdir(), 'vsr1-readme-run-'));
    const r = runExample(code!.replace("'runs/scripted'", JSON.stringify(out)), 240_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toBe(`2 ${out}/grpo/final_model`);
    expect(existsSync(path.join(out, 'grpo', 'final_model', 'model.safetensors'))).toBe(true);
    const rows = readFileSync(path.join(out, 'grpo', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const step = rows.filter((x) => 'reward/short' in x);
    expect(step).toHaveLength(2);
    for (const x of step) {
      // overall = 0.9 acc + 0.1 format + description accuracy + 0.2 short, per sample, so also in the mean
      const expected = 0.9 * x['reward/accuracy'] + 0.1 * x['reward/format'] + x['reward/description_accuracy'] + 0.2 * x['reward/short'];
      expect(x['reward/overall']).toBeCloseTo(expected, 9);
    }
    rmSync(out, { recursive: true, force: true });
  }, 300_000);
});
