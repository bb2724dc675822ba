/**
 * Child process of the bad-input suite: runs the in-process cases from a given index, one
 * line of JSON per event on stdout ({"start": i} before a case, {"end": i, ...} after), so the
 * parent can name the case that ended the process with a signal or hung.
 *   node --import tsx test/reliability/child.ts '<fixtures JSON>' <start index>
 */
import { writeSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCases, type Fixtures } from './cases.js';
import { readFileSync } from 'node:fs';

const emit = (o: unknown) => writeSync(1, `${JSON.stringify(o)}\n`);

const fx = JSON.parse(process.argv[2]) as { png: string; modelDir: string; parquet: string };
const fixtures: Fixtures = { png: readFileSync(fx.png), modelDir: fx.modelDir, parquet: fx.parquet };
const cases = allCases(fixtures);
const start = Number(process.argv[3] ?? 0);
emit({ total: cases.length });
for (let i = start; i < cases.length; i++) {
  const c = cases[i];
  const dir = mkdtempSync(join(tmpdir(), 'vsr1-bad-'));
  emit({ start: i, name: c.name });
  let outcome: { clean: boolean; detail: string };
  try {
    await c.run(dir);
    outcome = c.expect === 'accept' ? { clean: true, detail: 'accepted' } : { clean: false, detail: 'succeeded; expected an error' };
  } catch (e) {
    if (!(e instanceof Error) || !e.message) outcome = { clean: false, detail: `threw a non-Error: ${String(e)}` };
    else if (c.expect === 'accept' || c.expect.test(e.message)) outcome = { clean: true, detail: e.message.slice(0, 200) };
    else outcome = { clean: false, detail: `message ${JSON.stringify(e.message.slice(0, 300))} does not match ${c.expect}` };
  }
  rmSync(dir, { recursive: true, force: true });
  emit({ end: i, ...outcome });
}
