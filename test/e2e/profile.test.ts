/**
 * `vsr1 profile`: a few GRPO steps timed by phase, nothing saved; the trace of the last step (or
 * of one phase) holds the decoder ops that run inside generate on the engine's worker thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { profileGrpo, profileTable } from '../../lib/jobs/profile.js';
import { torch } from '../../lib/index.js';
import { grpoConfig, makeGrpoWorld, type GrpoWorld } from '../helpers/grpo_world.js';

let w: GrpoWorld;
beforeAll(async () => { w = await makeGrpoWorld('vsr1-profile-'); }, 120_000);

const opNames = (file: string) => new Set((JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Array<{ name?: string }> }).traceEvents.map((e) => e.name ?? ''));

describe('vsr1 profile', () => {
  it('prints every phase with its share of the step and writes a trace of the whole last step', async () => {
    const r = await profileGrpo(grpoConfig(w, path.join(w.root, 'run'), 50), { steps: 2, phase: null, log: () => {} });
    expect(r.steps).toHaveLength(2);
    expect(r.rows.map((x) => x.phase)).toEqual(['rollout', 'pass2', 'rewards', 'logprobs', 'update']);
    for (const x of r.rows) expect(x.seconds, x.phase).toBeGreaterThanOrEqual(0);
    expect(r.rows.find((x) => x.phase === 'rollout')!.tokensPerSecond).toBeGreaterThan(0);
    const shares = r.rows.reduce((a, x) => a + x.share, 0);
    expect(shares).toBeGreaterThan(0.5);
    expect(shares).toBeLessThanOrEqual(1.01);
    expect(profileTable(r)).toMatch(/rollout .*%/);
    const ops = opNames(r.tracePath!);
    expect([...ops].some((n) => /aten::(linear|mm|addmm|matmul)/.test(n))).toBe(true);
    // Each phase is a named range in the trace (and an NVTX range under --nvtx).
    // (pass 2 only generates when some response had a description.)
    const asked2 = (r.steps.at(-1)!['tokens/pass2'] ?? 0) > 0;
    for (const phase of ['rollout', 'logprobs', 'update', ...(asked2 ? ['pass2'] : [])]) expect(ops.has(`vsr1.${phase}`), phase).toBe(true);
    // Nothing but the trace and the metrics: no checkpoint, no final model.
    expect(existsSync(path.join(r.runDir, 'final_model'))).toBe(false);
    expect(existsSync(path.join(r.runDir, 'global_step_2'))).toBe(false);
  }, 180_000);

  it('--phase rollout traces only the generation, and it holds the decoder ops run on the worker thread', async () => {
    const r = await profileGrpo(grpoConfig(w, path.join(w.root, 'run2'), 50), { steps: 1, phase: 'rollout', log: () => {} });
    expect(path.basename(r.tracePath!)).toBe('trace-rollout.json');
    const ops = opNames(r.tracePath!);
    expect([...ops].some((n) => /aten::embedding/.test(n)), [...ops].slice(0, 30).join(', ')).toBe(true);
    expect([...ops].some((n) => /aten::(linear|mm|addmm|matmul)/.test(n))).toBe(true);
    // The update's backward is not in a rollout trace.
    expect([...ops].some((n) => /Backward/.test(n))).toBe(false);
  }, 180_000);

  it('--nvtx without a GPU stops before any step and says what it needs', async () => {
    const lines: string[] = [];
    await expect(profileGrpo(grpoConfig(w, path.join(w.root, 'run3'), 50), { steps: 1, phase: null, nvtx: true, log: (l) => lines.push(l) }))
      .rejects.toThrow(/NVTX ranges need libtorch with CUDA and a visible GPU/);
    expect(lines.some((l) => /step 1/.test(l))).toBe(false);
    await expect(profileGrpo(grpoConfig(w, path.join(w.root, 'run4'), 50), { steps: 1, phase: 'rollout', nvtx: true, log: () => {} }))
      .rejects.toThrow(/--nvtx writes no trace/);
    // The runtime call itself refuses too, before running its function.
    let ran = false;
    await expect(torch.emitNvtx(() => { ran = true; })).rejects.toThrow(/NVTX ranges need libtorch with CUDA/);
    expect(ran).toBe(false);
  }, 60_000);
});
