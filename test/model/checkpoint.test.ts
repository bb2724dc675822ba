/**
 * Qwen2.5-VL checkpoint I/O: the three key/config layouts, save() read back by transformers,
 * and clear errors for broken checkpoints.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/models/qwen2_5_vl/model.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';
import {
  type ForwardCase,
  imageBlock,
  LOGIT_TOL,
  maxDiff,
  modelLogits,
  oracleForward,
  outDir,
  pixelRows,
  randomPixels,
  SCRIPT,
  textIds,
  tinyCheckpoint,
  VOCAB,
  withPositions,
} from './fixtures.js';

const G1 = [1, 10, 14];
const OPTS = { dtype: 'float32', device: 'cpu' } as const;

function cases(): ForwardCase[] {
  return [
    { inputIds: [textIds(12, 70)] },
    withPositions({ inputIds: [[...textIds(3, 71), ...imageBlock(G1), ...textIds(3, 72)]], pixels: randomPixels(pixelRows([G1]), 73), grids: [G1] }),
  ];
}

async function logitsOf(dir: string, cs: ForwardCase[]): Promise<Float32Array[]> {
  const model = await loadModel(dir, OPTS);
  try {
    return cs.map((c) => modelLogits(model, c).data);
  } finally {
    model.dispose();
  }
}

const dims = (c: ForwardCase) => ({ B: c.inputIds.length, L: c.inputIds[0].length, V: VOCAB });

/** The Error loadModel gives for `dir` (sync throw or rejection). */
async function loadError(dir: string): Promise<Error> {
  try {
    const m = await Promise.resolve().then(() => loadModel(dir, OPTS));
    m.dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error(`loadModel(${dir}) did not throw`);
}

function corrupt(src: string, name: string, flag: string[]): string {
  const dst = join(outDir('qwen-bad'), name);
  runOracle(SCRIPT, null, ['corrupt', src, dst, ...flag]);
  return dst;
}

describe.runIf(oracleAvailable(['torch', 'transformers', 'safetensors']))('Qwen2.5-VL checkpoints', () => {
  it('loads transformers, module-key and hub (flat config, sharded) layouts to the same logits', async () => {
    const ck = tinyCheckpoint('tiny');
    const cs = cases();
    const refs = oracleForward(ck.hf, cs);
    const byLayout = { hf: await logitsOf(ck.hf, cs), moduleKeys: await logitsOf(ck.moduleKeys, cs), hub: await logitsOf(ck.hub, cs) };
    for (const [name, got] of Object.entries(byLayout)) {
      cs.forEach((c, i) => {
        expect(maxDiff(got[i], refs[i].logits, dims(c)), `${name} case ${i} vs transformers`).toBeLessThanOrEqual(LOGIT_TOL);
        expect(maxDiff(got[i], byLayout.hf[i], dims(c)), `${name} case ${i} vs hf layout`).toBeLessThanOrEqual(1e-6);
      });
    }
  });

  for (const preset of ['tiny', 'tiny-untied'] as const) {
    it(`save() round trip (${preset}): transformers loads the saved folder to the same logits`, async () => {
      const ck = tinyCheckpoint(preset);
      const cs = cases();
      const dir = join(outDir('qwen-save'), preset);
      const model = await loadModel(ck.hub, OPTS);
      let before: Float32Array[] = [];
      try {
        before = cs.map((c) => modelLogits(model, c).data);
        await model.save(dir);
      } finally {
        model.dispose();
      }
      // The oracle refuses missing/unexpected keys, so this also checks the saved key set.
      const keys = runOracle<{ layout: string; weights: Array<{ name: string; dtype: string }> }>(SCRIPT, null, ['keys', dir]);
      expect(keys.weights.every((w) => w.dtype === 'F32'), 'saved as float32').toBe(true);
      expect(keys.weights.some((w) => w.name.endsWith('lm_head.weight')), 'lm_head saved iff untied').toBe(preset === 'tiny-untied');
      const refs = oracleForward(dir, cs);
      cs.forEach((c, i) => expect(maxDiff(before[i], refs[i].logits, dims(c)), `case ${i}: transformers on saved`).toBeLessThanOrEqual(LOGIT_TOL));
      const again = await logitsOf(dir, cs);
      cs.forEach((c, i) => expect(maxDiff(again[i], before[i], dims(c)), `case ${i}: reload`).toBeLessThanOrEqual(1e-6));
    });
  }
});

describe.runIf(oracleAvailable(['torch', 'transformers', 'safetensors']))('Qwen2.5-VL loader errors', () => {
  const Q = 'model.layers.1.self_attn.q_proj.weight';

  it('a missing tensor names it (single file and sharded)', async () => {
    const ck = tinyCheckpoint('tiny');
    for (const src of [ck.hf, ck.hub]) {
      const e = await loadError(corrupt(src, 'missing', ['--drop', Q]));
      expect(e.message).toMatch(/missing/i);
      expect(e.message).toMatch(/layers\.1\.self_attn\.q_proj/);
    }
  });

  it('an untied checkpoint without lm_head.weight names it', async () => {
    const e = await loadError(corrupt(tinyCheckpoint('tiny-untied').hf, 'no-head', ['--drop', 'lm_head.weight']));
    expect(e.message).toMatch(/missing/i);
    expect(e.message).toMatch(/lm_head/);
  });

  it('a shape mismatch names the tensor and both shapes', async () => {
    const e = await loadError(corrupt(tinyCheckpoint('tiny').hf, 'shape', ['--reshape', 'model.layers.0.mlp.up_proj.weight']));
    expect(e.message).toMatch(/layers\.0\.mlp\.up_proj/);
    expect(e.message).toMatch(/shape/i);
    expect(e.message).toMatch(/127/);
    expect(e.message).toMatch(/128/);
  });

  it('an unknown model_type names the field and value', async () => {
    const e = await loadError(corrupt(tinyCheckpoint('tiny').hf, 'type', ['--model-type', 'llama_foo']));
    expect(e.message).toMatch(/model_type/);
    expect(e.message).toMatch(/llama_foo/);
  });

  it('a folder without config.json or without weights says which file is missing', async () => {
    const empty = outDir('qwen-empty');
    expect((await loadError(empty)).message).toMatch(/config\.json/);
    const noWeights = join(outDir('qwen-noweights'), 'ck');
    mkdirSync(noWeights, { recursive: true });
    writeFileSync(join(noWeights, 'config.json'), readFileSync(join(tinyCheckpoint('tiny').hf, 'config.json')));
    expect((await loadError(noWeights)).message).toMatch(/safetensors/i);
  });
});
