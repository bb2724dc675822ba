/**
 * lib/native_api.ts against the addon it declares (docs/layout.md, "The native surface"):
 * - the addon exports exactly the functions the `NativeApi` interface declares;
 * - each member's JSDoc tag ([sync] / [async: ...]) agrees with its return type;
 * - the members declared to return a Promise are the ones whose C++ body starts a TensorTask or
 *   an AsyncWorker, i.e. those named `...Async` plus qwenGenerate;
 * - called with valid arguments, every declared-async member really returns a Promise (and it
 *   resolves with what the declaration says), and their sync twins return plain values.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import type { Handle, QwenInputs, QwenModelSpec } from '../../lib/native_api.js';

const API_FILE = path.resolve('lib/native_api.ts');
const BINDING_DIR = path.resolve('native/binding');
/** Async functions whose name does not end in Async (generation predates the naming rule). */
const ASYNC_EXCEPTIONS = new Set(['qwenGenerate']);

interface Member { name: string; returns: string; tag: string }

/** The members of `interface NativeApi` (one signature per line, JSDoc line above each). */
export function declaredMembers(text: string): Member[] {
  const start = text.indexOf('export interface NativeApi {');
  if (start < 0) throw new Error(`${API_FILE}: no 'export interface NativeApi {'`);
  const body = text.slice(start, text.indexOf('\n}', start)).split('\n').slice(1);
  const out: Member[] = [];
  body.forEach((line, i) => {
    const m = /^ {2}(\w+)\(.*\): (.+);$/.exec(line);
    if (!m) return;
    const doc = /\/\*\*.*\*\//.exec(body[i - 1] ?? '');
    out.push({ name: m[1]!, returns: m[2]!, tag: /\[(sync|async)[^\]]*\]/.exec(doc?.[0] ?? '')?.[1] ?? 'none' });
  });
  return out;
}

/** JS names of the bound functions whose C++ body returns a Promise (TensorTask::run or an AsyncWorker). */
function asyncInCpp(): Set<string> {
  const asyncFns = new Set<string>();
  const jsName = new Map<string, string>();
  for (const f of readdirSync(BINDING_DIR).filter((x) => x.endsWith('.cpp'))) {
    const src = readFileSync(path.join(BINDING_DIR, f), 'utf8');
    for (const m of src.matchAll(/define\(env, e, "(\w+)", (\w+)\)/g)) jsName.set(m[2]!, m[1]!);
    for (const m of src.matchAll(/\bD\((\w+)\)/g)) if (m[1] !== 'n') jsName.set(m[1]!, m[1]!);
    for (const m of src.matchAll(/^Napi::Value (\w+)\(const Napi::CallbackInfo& info\) \{/gm)) {
      let depth = 0;
      let k = m.index! + m[0].length - 1;
      do {
        if (src[k] === '{') depth++;
        else if (src[k] === '}') depth--;
        k++;
      } while (depth > 0 && k < src.length);
      if (/TensorTask::run|Promise::Deferred|->promise\(\)/.test(src.slice(m.index!, k))) asyncFns.add(m[1]!);
    }
  }
  return new Set([...asyncFns].map((c) => jsName.get(c) ?? `unregistered C++ function ${c}`));
}

const members = declaredMembers(readFileSync(API_FILE, 'utf8'));
const declared = new Set(members.map((m) => m.name));
const declaredAsync = new Set(members.filter((m) => /^Promise<.*>$/.test(m.returns)).map((m) => m.name));

describe('lib/native_api.ts declares the addon', () => {
  it('declares exactly the functions the addon exports', () => {
    const exported = Object.keys(native).filter((k) => typeof (native as unknown as Record<string, unknown>)[k] === 'function');
    expect(exported.length).toBeGreaterThan(200);
    expect({ undeclared: exported.filter((k) => !declared.has(k)).sort(), notExported: [...declared].filter((k) => !exported.includes(k)).sort() })
      .toEqual({ undeclared: [], notExported: [] });
  });

  it('tags every member [sync] or [async: ...] as its return type says', () => {
    const wrong = members.filter((m) => m.tag !== (declaredAsync.has(m.name) ? 'async' : 'sync')).map((m) => `${m.name}: ${m.tag} but returns ${m.returns}`);
    expect(wrong).toEqual([]);
    // Overloads of one function must agree on sync/async.
    const mixed = members.filter((m) => declaredAsync.has(m.name) && !/^Promise</.test(m.returns)).map((m) => m.name);
    expect(mixed).toEqual([]);
  });

  it('declares async exactly the functions whose C++ returns a Promise: the ...Async ones and qwenGenerate', () => {
    const byRule = [...declared].filter((n) => n.endsWith('Async') || ASYNC_EXCEPTIONS.has(n)).sort();
    expect([...declaredAsync].sort()).toEqual(byRule);
    expect([...declaredAsync].sort()).toEqual([...asyncInCpp()].sort());
    expect(declaredAsync.size).toBeGreaterThanOrEqual(6);
  });
});

describe('the declared-async functions return Promises', () => {
  const made: Handle[] = [];
  const keep = (h: Handle) => (made.push(h), h);
  const dir = mkdtempSync(path.join(tmpdir(), 'vsr1-native-api-'));
  const F32 = 6, I64 = 4;
  afterAll(() => {
    for (const h of made) native.dispose(h);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A safetensors header padded with spaces to a multiple of 8 bytes, as the format's writers do. */
  const stHeader = (h: object) => {
    const j = JSON.stringify(h);
    return j + ' '.repeat((8 - (j.length % 8)) % 8);
  };
  /** A tiny random Qwen2.5-VL (text path only) and a 6-token row of inputs. */
  function tinyModel(): { model: number; inputs: QwenInputs; ids: Handle; free: () => void } {
    const spec: QwenModelSpec = {
      vision: { depth: 1, hiddenSize: 16, intermediateSize: 32, numHeads: 2, inChannels: 3, patchSize: 14, temporalPatchSize: 2, spatialMergeSize: 2, windowSize: 112, outHiddenSize: 32, ropeTheta: 10000, fullattBlockIndexes: [0] },
      text: { vocabSize: 64, hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1, rmsNormEps: 1e-6, ropeTheta: 1e6, mropeSection: [2, 3, 3], tieWordEmbeddings: true },
      imageTokenId: 60,
    };
    const model = native.qwenNew(spec, F32, 'cpu');
    native.qwenInitRandom(model, 0.1, 1);
    const params = native.qwenParams(model).handles;
    const ids = keep(native.fromBuffer(new BigInt64Array([1, 5, 9, 2, 7, 3].map(BigInt)), I64, [1, 6], I64, null));
    const pos = keep(native.expand(keep(native.view(keep(native.arange(0, 6, 1, I64, null)), [1, 1, 6])), [3, 1, 6]));
    return { model, inputs: { inputIds: ids, positionIds: pos }, ids, free: () => { params.forEach((h) => native.dispose(h)); native.qwenFree(model); } };
  }

  /** One valid call of each declared-async function; each returns the check of its resolved value. */
  const calls: Record<string, () => Promise<void>> = {
    async backwardAsync() {
      const x = keep(native.fromBuffer(new Float32Array([1, 2, 3]), F32, [3], F32, null));
      native.requiresGrad_(x, true);
      const loss = keep(native.sum(keep(native.mul(x, x))));
      const p = native.backwardAsync(loss, null, false);
      expect(p).toBeInstanceOf(Promise);
      expect(await p).toBeUndefined();
      const g = native.grad(x);
      expect(g).not.toBeNull();
      expect(Array.from(new Float32Array(native.toBuffer(keep(g!))[0]))).toEqual([2, 4, 6]);
      // The sync twin returns a plain value.
      const loss2 = keep(native.sum(keep(native.mul(x, x))));
      expect(native.backward(loss2, null, false)).toBeUndefined();
    },
    async writeSafetensorsAsync() {
      const t = keep(native.fromBuffer(new Float32Array([1, 2, 3, 4, 5, 6]), F32, [2, 3], F32, null));
      const padded = stHeader({ t: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } });
      const p = native.writeSafetensorsAsync(path.join(dir, 'a.safetensors'), padded, [t]);
      expect(p).toBeInstanceOf(Promise);
      expect(await p).toBeUndefined();
      expect(native.writeSafetensors(path.join(dir, 'b.safetensors'), padded, [t])).toBeUndefined();
      expect(readFileSync(path.join(dir, 'a.safetensors'))).toEqual(readFileSync(path.join(dir, 'b.safetensors')));
    },
    async readSpansAsync() {
      const file = path.join(dir, 'r.safetensors');
      const header = stHeader({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } });
      native.writeSafetensors(file, header, [keep(native.fromBuffer(new Float32Array([7, 8, 9]), F32, [3], F32, null))]);
      const p = native.readSpansAsync(file, 8 + header.length, [[F32, [3], 0, 12]]);
      expect(p).toBeInstanceOf(Promise);
      const hs = (await p).map(keep);
      expect(hs).toHaveLength(1);
      expect(Array.from(new Float32Array(native.toBuffer(hs[0]!)[0]))).toEqual([7, 8, 9]);
      const sync = native.readSpans(file, 8 + header.length, [[F32, [3], 0, 12]]).map(keep);
      expect(Array.isArray(sync)).toBe(true);
      expect(native.equal(sync[0]!, hs[0]!)).toBe(true);
    },
    async qwenLogProbsAsync() {
      const m = tinyModel();
      try {
        const targets = keep(native.narrow(m.ids, 1, 3, 3));
        const p = native.qwenLogProbsAsync(m.model, m.inputs, targets, 3, 1, true, null);
        expect(p).toBeInstanceOf(Promise);
        const hs = (await p).map((h) => keep(h!));
        expect(hs.map((h) => native.shape(h))).toEqual([[1, 3], [1, 3]]);
        const sync = native.qwenLogProbs(m.model, m.inputs, targets, 3, 1, true, null).map((h) => keep(h!));
        expect(native.allclose(sync[0]!, hs[0]!, 1e-5, 1e-6)).toBe(true);
      } finally { m.free(); }
    },
    async qwenLogProbsPackedAsync() {
      const m = tinyModel();
      try {
        const inputs: QwenInputs = { ...m.inputs, cuSeqlens: [0, 3, 6] };
        const p = native.qwenLogProbsPackedAsync(m.model, inputs, [1, 4], [2, 2], 2, 1, false, null);
        expect(p).toBeInstanceOf(Promise);
        const hs = (await p).map((h) => keep(h!));
        expect(hs.map((h) => native.shape(h))).toEqual([[2, 2]]);
        const sync = native.qwenLogProbsPacked(m.model, inputs, [1, 4], [2, 2], 2, 1, false, null).map((h) => keep(h!));
        expect(native.allclose(sync[0]!, hs[0]!, 1e-5, 1e-6)).toBe(true);
      } finally { m.free(); }
    },
    async qwenGenerate() {
      const m = tinyModel();
      try {
        const next = keep(native.fromBuffer(new BigInt64Array([6n]), I64, [1], I64, null));
        const mask = keep(native.onesLike(m.ids));
        const steps: number[] = [];
        const p = native.qwenGenerate(m.model, { ...m.inputs, attentionMask: mask }, next, {
          n: 1, maxNewTokens: 3, temperature: 1, topP: 1, topK: -1, greedy: true, logitBias: [], stopTokenIds: [], padTokenId: 0, seed: 0,
        }, (step) => steps.push(step));
        expect(p).toBeInstanceOf(Promise);
        const out = await p;
        for (const h of [out.tokens, out.logProbs, out.lengths]) keep(h);
        expect(native.shape(out.tokens)).toEqual([1, 3]);
        expect(native.item(out.lengths)).toBe(3);
      } finally { m.free(); }
    },
  };

  it('exercises every declared-async member here', () => {
    expect(Object.keys(calls).sort()).toEqual([...declaredAsync].sort());
  });
  for (const [name, run] of Object.entries(calls)) it(`${name} returns a Promise that resolves as declared`, run);
});
