/** The README's 15-line TypeScript example runs and its loss falls. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('README example', () => {
  it('trains and the printed loss falls', () => {
    const readme = readFileSync('README.md', 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(18);
    const dir = mkdtempSync(path.join(process.cwd(), 'test', '.tmp-readme-'));
    const file = path.join(dir, 'example.ts');
    writeFileSync(file, code.replace("from 'vision-sr1'", `from '${path.resolve('lib/index.js')}'`));
    // Inside the repository so the example resolves the project's node_modules.
    let r;
    try {
      r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 120_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(r.stderr).toBe('');
    const losses = r.stdout.trim().split('\n').map((l) => Number(l.split(' ')[1]));
    expect(losses.length).toBe(4);
    expect(losses[3]).toBeLessThan(losses[0] * 0.1);
  });
});
