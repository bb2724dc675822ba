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

describe('profiler and the generation engine', () => {
  it('records the ops that generate runs on its worker thread', async () => {
    const { parseQwenConfig } = await import('../../lib/models/qwen2_5_vl/config.js');
    const { QwenVLModel } = await import('../../lib/models/qwen2_5_vl/model.js');
    const m = QwenVLModel.fromConfig(parseQwenConfig({
      model_type: 'qwen2_5_vl', vocab_size: 64, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1,
      rope_scaling: { type: 'mrope', mrope_section: [1, 1, 2] }, vision_config: { depth: 1, hidden_size: 8, intermediate_size: 16, num_heads: 1, out_hidden_size: 16 },
    }, 'profile model'), { seed: 0 });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vsr1-prof-')), 'gen.json');
    await torch.profile({ tracePath: file }, () => m.generate({ inputIds: [[1, 2, 3]], maxNewTokens: 4, greedy: true, stopTokenIds: [] }));
    const names = (JSON.parse(readFileSync(file, 'utf8')).traceEvents as Array<{ name: string }>).map((e) => e.name);
    // One prefill and three decode steps through one decoder layer: attention and MLP ops on the worker thread.
    expect(names.filter((n) => n === 'aten::scaled_dot_product_attention').length).toBeGreaterThanOrEqual(4);
    expect(names.filter((n) => n.startsWith('aten::')).length).toBeGreaterThan(100);
    m.dispose();
  });
});
