/** Profiler: a trace file that parses and holds the ops and named ranges that ran. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';

describe('profiler', () => {
  it('writes a Chrome trace with ops, shapes and named ranges', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-prof-')), 'trace.json');
    const a = torch.randn([16, 32]);
    const b = torch.randn([32, 8]);
    await torch.profile({ tracePath: file, recordShapes: true }, () => {
      torch.range('vsr1.test_block', () => {
        torch.scope(() => a.matmul(b).softmax(-1).sum());
      });
    });
    const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Array<{ name: string; ph?: string; dur?: number; args?: Record<string, unknown> }> };
    const names = trace.traceEvents.map((e) => e.name);
    expect(names).toContain('vsr1.test_block');
    const mm = trace.traceEvents.find((e) => e.name === 'aten::matmul' || e.name === 'aten::mm');
    expect(mm, 'a matmul op in the trace').toBeDefined();
    expect(mm!.dur).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(mm!.args)).toMatch(/\[\s*16,\s*32\s*\]/);
    expect(names).toContain('aten::_softmax');
    // Ops outside the session are not recorded.
    expect(names.filter((n) => n === 'vsr1.test_block').length).toBe(1);
  });

  it('ranges close in order and errors do not leave the profiler running', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-prof-')), 't.json');
    await expect(torch.profile({ tracePath: file }, () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await torch.profile({ tracePath: file }, async () => {
      await torch.range('outer', async () => { torch.range('inner', () => torch.ones([2]).add(1)); });
    });
    const names = (JSON.parse(readFileSync(file, 'utf8')).traceEvents as Array<{ name: string }>).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['outer', 'inner']));
  });
});
