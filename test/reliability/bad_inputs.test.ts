/**
 * The bad-input suite: every case runs in a subprocess and must end cleanly, meaning an error
 * that names the input (a non-zero exit code for the CLI), never a signal and never a hang.
 * CLI cases run one process each; the in-process corpus and the seeded fuzz (cases.ts, fuzz.ts)
 * run in a child that is restarted after the case that killed or hung it. Prints the table of
 * cases tried, clean, crashes and hangs, then "N cases, N clean".
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeWorld } from '../../lib/world/synth.js';
import { createTinyCheckpoint } from '../../lib/world/tiny_checkpoint.js';
import { cleanup, tempDir } from '../sft/fixtures.js';
import { claimedSize, damagedParquetPage, damagedPixels } from './images.js';

afterAll(cleanup);

type Status = 'clean' | 'unclean' | 'crash' | 'hang';
interface Result { name: string; status: Status; detail: string }

/** Silence for this long after a case started is a hang. */
const HANG_MS = 30_000;

function runChild(fixtures: string, start: number): Promise<{ results: Map<number, Result>; total: number; stoppedAt: number | null; status: Status | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/child.ts', fixtures, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const results = new Map<number, Result>();
    let total = 0, current: { i: number; name: string } | null = null, buf = '', hung = false;
    let timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, HANG_MS * 4); // start-up
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let k;
      while ((k = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, k));
        buf = buf.slice(k + 1);
        if (ev.total !== undefined) total = ev.total;
        if (ev.start !== undefined) current = { i: ev.start, name: ev.name };
        if (ev.end !== undefined && current) {
          results.set(ev.end, { name: current.name, status: ev.clean ? 'clean' : 'unclean', detail: ev.detail });
          current = null;
        }
        clearTimeout(timer);
        timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, HANG_MS);
      }
    });
    child.stderr.on('data', () => {});
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (current) {
        const status: Status = hung ? 'hang' : 'crash';
        results.set(current.i, { name: current.name, status, detail: hung ? `no progress for ${HANG_MS / 1000} s` : `exit ${code} signal ${signal}` });
        resolve({ results, total, stoppedAt: current.i, status });
      } else resolve({ results, total, stoppedAt: null, status: null });
    });
  });
}

interface CliCase { name: string; args: string[]; expect: RegExp }

function cliCases(d: { model: string; badKvModel: string; badTokModel: string; png: string; damaged: string; huge: string; empty: string; allBad: string; badParquet: string; badYaml: string }): CliCase[] {
  const gen = (...a: string[]) => ['generate', '--model', d.model, '--prompt', 'What colour?', ...a];
  return [
    { name: 'train: missing config file', args: ['train', '--config', '/nonexistent/missing.yaml'], expect: /missing\.yaml/ },
    { name: 'sft: config with an unknown key', args: ['sft', '--config', d.badYaml], expect: /max_stepz/ },
    { name: 'generate: config.json num_key_value_heads 0 (was SIGFPE)', args: ['generate', '--model', d.badKvModel, '--prompt', 'x'], expect: /num_key_value_heads/ },
    { name: 'generate: broken tokenizer.json', args: ['generate', '--model', d.badTokModel, '--prompt', 'x'], expect: /tokenizer\.json/ },
    { name: 'generate: --max-new-tokens abc', args: gen('--max-new-tokens', 'abc'), expect: /maxNewTokens/ },
    { name: 'generate: --temperature nan', args: gen('--temperature', 'nan'), expect: /temperature/ },
    { name: 'generate: --temperature -1', args: gen('--temperature', '-1'), expect: /temperature/ },
    { name: 'generate: --top-p 0', args: gen('--temperature', '1', '--top-p', '0'), expect: /topP/ },
    { name: 'generate: damaged image', args: gen('--image', d.damaged), expect: /cannot decode image .*damaged\.png/ },
    { name: 'generate: image header claiming 30000 x 30000', args: gen('--image', d.huge), expect: /huge\.png.*above the limit/ },
    { name: 'generate: missing model folder', args: ['generate', '--model', '/nonexistent/model-dir', '--prompt', 'x'], expect: /model-dir/ },
    { name: 'generate: unknown flag', args: gen('--bogus-flag'), expect: /unknown option/ },
    { name: 'eval: empty data file', args: ['eval', '--model', d.model, '--data', d.empty], expect: /empty\.jsonl has no rows/ },
    { name: 'eval: every row bad', args: ['eval', '--model', d.model, '--data', d.allBad], expect: /allbad\.jsonl: no usable row \(2 bad row/ },
    { name: 'eval: damaged parquet page', args: ['eval', '--model', d.model, '--data', d.badParquet], expect: /bad\.parquet: cannot read row group 0 .*column 'answer'/ },
    { name: 'unknown command', args: ['frobnicate'], expect: /unknown command/ },
    { name: 'report: missing folder', args: ['report', '/nonexistent/run-dir'], expect: /run-dir/ },
    { name: 'data synth: --object-scale 9', args: ['data', 'synth', '--out', '/tmp/vsr1-never', '--object-scale', '9'], expect: /objectScale|object-scale/ },
  ];
}

function runCli(c: CliCase): Result {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...c.args], { encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stderr}${r.stdout}`;
  if (r.signal === 'SIGTERM' && r.error) return { name: c.name, status: 'hang', detail: 'no exit in 120 s' };
  if (r.signal) return { name: c.name, status: 'crash', detail: `signal ${r.signal}` };
  const clean = r.status !== 0 && c.expect.test(out);
  return { name: c.name, status: clean ? 'clean' : 'unclean', detail: clean ? out.trim().split('\n').pop()!.slice(0, 200) : `exit ${r.status}: ${out.slice(-400)}` };
}

async function fixtures() {
  const root = tempDir('vsr1-badin-');
  const world = join(root, 'world');
  await synthesizeWorld({ out: world, sizes: { sft: 1, rl: 1, val: 4, test: 1, 'test-shortcut': 1 }, settings: { seed: 4 } });
  const first = JSON.parse(readFileSync(join(world, 'val.jsonl'), 'utf8').split('\n')[0]) as { images: string[] };
  const png = join(world, first.images[0]);
  const model = createTinyCheckpoint(join(root, 'model'), { seed: 0 });
  const variant = (name: string, edit: (dir: string) => void) => {
    const dir = createTinyCheckpoint(join(root, name), { seed: 0 });
    edit(dir);
    return dir;
  };
  const badKvModel = variant('bad-kv', (dir) => {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    c.num_key_value_heads = 0;
    (c.text_config ?? c).num_key_value_heads = 0;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  });
  const badTokModel = variant('bad-tok', (dir) => writeFileSync(join(dir, 'tokenizer.json'), '{"model": '));
  const files = join(root, 'files');
  mkdirSync(files);
  const bytes = readFileSync(png);
  writeFileSync(join(files, 'damaged.png'), damagedPixels(bytes));
  writeFileSync(join(files, 'huge.png'), claimedSize(bytes, 30000, 30000));
  writeFileSync(join(files, 'empty.jsonl'), '');
  writeFileSync(join(files, 'allbad.jsonl'), `{"problem": \n${JSON.stringify({ problem: 'x', answer: 'a', images: ['nope.png'] })}\n`);
  writeFileSync(join(files, 'bad.parquet'), await damagedParquetPage(join(world, 'val.parquet')));
  writeFileSync(join(files, 'bad.yaml'), 'trainer:\n  max_stepz: 3\n');
  const f = (n: string) => join(files, n);
  return {
    child: JSON.stringify({ png, modelDir: model, parquet: join(world, 'val.parquet') }),
    cli: { model, badKvModel, badTokModel, png, damaged: f('damaged.png'), huge: f('huge.png'), empty: f('empty.jsonl'), allBad: f('allbad.jsonl'), badParquet: f('bad.parquet'), badYaml: f('bad.yaml') },
  };
}

describe('bad-input suite', () => {
  it('every bad input ends cleanly: an error naming it, never a signal or a hang', async () => {
    const fx = await fixtures();
    const results: Result[] = cliCases(fx.cli).map(runCli);
    // In-process corpus + fuzz, restarting the child after a case that killed or hung it (bounded).
    let start = 0, total = Infinity;
    for (let restarts = 0; start < total && restarts < 20; restarts++) {
      const r = await runChild(fx.child, start);
      total = r.total || total;
      for (const [, v] of [...r.results].sort((a, b) => a[0] - b[0])) results.push(v);
      if (r.stoppedAt === null) break;
      start = r.stoppedAt + 1;
    }
    const count = (s: Status) => results.filter((r) => r.status === s).length;
    const table = [
      '| cases tried | clean | unclean | crashes | hangs |', '|---|---|---|---|---|',
      `| ${results.length} | ${count('clean')} | ${count('unclean')} | ${count('crash')} | ${count('hang')} |`,
    ];
    console.log([...table, ...results.filter((r) => r.status !== 'clean').map((r) => `  ${r.status}: ${r.name}: ${r.detail}`), `${results.length} cases, ${count('clean')} clean`].join('\n'));
    expect(results.filter((r) => r.status !== 'clean')).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(18 + 550);
  }, 900_000);
});
