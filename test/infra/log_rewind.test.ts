import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { truncateJsonlAfterStep } from '../../lib/logging/truncate.js';

describe('rewinding a run log to the resumed step', () => {
  it('drops lines after the step and a torn last line, keeps lines it cannot read', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'vsr1-rewind-')), 'metrics.jsonl');
    writeFileSync(f, ['{"step":1,"loss":1}', '{"step":2,"loss":2}', 'not json', '{"note":"no step"}', '{"step":3,"loss":3}', '{"step":4,"lo'].join('\n'));
    expect(truncateJsonlAfterStep(f, 2)).toBe(2); // step 3 and the torn step-4 line
    expect(readFileSync(f, 'utf8')).toBe('{"step":1,"loss":1}\n{"step":2,"loss":2}\nnot json\n{"note":"no step"}\n');
    expect(truncateJsonlAfterStep(f, 2)).toBe(0);
    expect(truncateJsonlAfterStep(f, -1)).toBe(2); // a run starting over drops every step
    expect(readFileSync(f, 'utf8')).toBe('not json\n{"note":"no step"}\n');
    expect(truncateJsonlAfterStep(join(f, '..', 'missing.jsonl'), 3)).toBe(0);
  });
});
