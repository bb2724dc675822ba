/**
 * Native inputs that used to kill or hang the process are errors now: a zero chunk, an empty
 * vocabulary dimension, float or out-of-vocabulary token ids, nonsense sampling values,
 * non-finite logits, a throwing onToken, weight changes during a generation, and a prompt
 * that leaves no room in the context. (test/reliability runs such cases in subprocesses.)
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { engineTestConfig } from '../model/engine_config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { sampleTokens } from '../../lib/models/qwen2_5_vl/sampling.js';
import { addon, native } from '../../lib/native.js';

const config = () => engineTestConfig({ max_position_embeddings: 64 }, 1);
const model = () => QwenVLModel.fromConfig(config(), { seed: 1 });
const prompt = [[1, 2, 3, 4]];

describe('native input guards', () => {
  it('tokenLogProbs: chunk 0, an empty vocabulary dimension and out-of-range targets are errors', () => torch.scope(() => {
    const logits = torch.randn([2, 3, 5]), targets = torch.tensor([[0, 1, 2], [3, 4, 0]]);
    expect(() => native.tokenLogProbs(logits.handle, targets.handle, 1, false, 0)).toThrow(/chunk must be a positive number of rows, got 0/);
    expect(() => native.tokenLogProbs(torch.zeros([2, 3, 0]).handle, targets.handle, 1, false, 4)).toThrow(/non-empty last \(vocabulary\) dimension/);
    expect(() => native.tokenLogProbs(logits.handle, torch.tensor([[0, 1, 9], [3, 4, 0]]).handle, 1, false, 4)).toThrow(/target ids must be in \[0, 5\), got \[0, 9\]/);
    expect(() => native.tokenLogProbs(logits.handle, torch.tensor([[0.5, 1, 2], [3, 4, 0]]).handle, 1, false, 4)).toThrow(/targets must be an integer tensor/);
  }));

  it('the model: chunk 0, float ids and ids outside the vocabulary are errors', () => {
    const m = model();
    try {
      torch.scope(() => {
        const ids = torch.tensor([[1, 2, 3, 4]]);
        expect(() => m.logProbs({ inputIds: ids }, torch.tensor([[2, 3]]), 1, { chunk: 0 })).toThrow(/chunk must be a positive number of rows, got 0/);
        expect(() => m.forward({ inputIds: torch.tensor([[1.5, 2, 3]], { dtype: 'float32' }) })).toThrow(/input ids must be an integer tensor, got Float/);
        expect(() => m.forward({ inputIds: torch.tensor([[1, 300, 3]]) })).toThrow(/input ids must be in \[0, 300\) \(the vocabulary\), got ids from 1 to 300/);
        expect(() => m.forward({ inputIds: torch.tensor([[1, -2, 3]]) })).toThrow(/got ids from -2 to 3/);
      });
    } finally {
      m.dispose();
    }
  });

  it('generate: bad token ids and sampling values are rejected, not run as greedy', async () => {
    const m = model();
    try {
      const base = { inputIds: prompt, maxNewTokens: 3 };
      await expect(m.generate({ ...base, temperature: NaN })).rejects.toThrow(/temperature must be a finite number >= 0/);
      await expect(m.generate({ ...base, temperature: -1 })).rejects.toThrow(/temperature must be a finite number >= 0/);
      await expect(m.generate({ ...base, topP: 0 })).rejects.toThrow(/topP must be in \(0, 1\]/);
      await expect(m.generate({ ...base, topK: 1.5 })).rejects.toThrow(/topK must be an integer/);
      await expect(m.generate({ ...base, inputIds: [[1, 2.5]] })).rejects.toThrow(/inputIds\[0\]\[1\] must be an integer token id in \[0, 300\), got 2.5/);
      await expect(m.generate({ ...base, inputIds: [[1, 999]] })).rejects.toThrow(/got 999/);
      await expect(m.generate({ ...base, maxNewTokens: 0 })).rejects.toThrow(/maxNewTokens must be an integer >= 1/);
      // The engine checks the same values itself (a caller of the native surface skips the TS checks).
      torch.scope(() => {
        expect(() => sampleTokens(torch.randn([2, 5]), { temperature: NaN }, 0)).toThrow(/temperature must be a finite number >= 0/);
        expect(() => sampleTokens(torch.randn([2, 5]), { topP: 0 }, 0)).toThrow(/top_p must be in \(0, 1\]/);
        expect(() => sampleTokens(torch.tensor([[0, NaN, 1]]), {}, 0)).toThrow(/logits hold NaN or infinity/);
      });
    } finally {
      m.dispose();
    }
  });

  it('generate stops at the context length (max_position_embeddings 64) and refuses a prompt that fills it', async () => {
    const m = model();
    try {
      const r = await m.generate({ inputIds: prompt, maxNewTokens: 100_000, stopTokenIds: [], seed: 1 });
      expect(r.sequences[0].length).toBe(60);
      await expect(m.generate({ inputIds: [Array(64).fill(1)], maxNewTokens: 1 })).rejects.toThrow(/context length \(max_position_embeddings\) is 64/);
    } finally {
      m.dispose();
    }
  });

  it('non-finite weights give an error at sampling, not a crash', async () => {
    const m = model();
    try {
      torch.noGrad(() => m.params.get('lm_head.weight')!.fill_(NaN));
      await expect(m.generate({ inputIds: prompt, maxNewTokens: 4, stopTokenIds: [] })).rejects.toThrow(/non-finite logits \(NaN or infinity\) by decode step 0/);
    } finally {
      m.dispose();
    }
  });

  it('a throwing onToken rejects the promise with its error and stops the generation; the model stays usable', async () => {
    const m = model();
    try {
      const seen: number[] = [];
      const p = m.generate({ inputIds: prompt, maxNewTokens: 40, stopTokenIds: [], onToken: (step) => {
        seen.push(step);
        if (step === 1) throw new Error('callback broke');
      } });
      await expect(p).rejects.toThrow('callback broke');
      expect(seen.slice(0, 2)).toEqual([0, 1]);
      expect(seen.length).toBeLessThan(40);
      const again = await m.generate({ inputIds: prompt, maxNewTokens: 3, stopTokenIds: [] });
      expect(again.sequences[0].length).toBe(3);
    } finally {
      m.dispose();
    }
  });

  it('weights cannot change while a generation reads them', async () => {
    const m = model();
    const opt = new torch.AdamW(m.parameters(), { lr: 1e-3 });
    try {
      const p = m.generate({ inputIds: prompt, maxNewTokens: 8, stopTokenIds: [] });
      expect(() => m.setTrainable(() => true)).toThrow(/setTrainable: model is generating/);
      expect(() => opt.step()).toThrow(/AdamW.step: model is generating/);
      expect(() => m.moveTo('cpu')).toThrow(/moveTo: model is generating/);
      await p;
      expect(() => m.setTrainable(() => true)).not.toThrow();
      expect(() => opt.step()).not.toThrow();
    } finally {
      opt.dispose();
      m.dispose();
    }
  });

  it('loading the addon in a worker thread while the main thread holds it is a clear error', async () => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      try { process.dlopen({ exports: {} }, workerData); parentPort.postMessage('loaded'); }
      catch (e) { parentPort.postMessage('error: ' + e.message); }`;
    const w = new Worker(code, { eval: true, workerData: addon.path });
    const msg = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error('worker did not answer in 20 s')), 20_000);
      w.once('message', (m) => { clearTimeout(t); res(m as string); });
      w.once('error', (e) => { clearTimeout(t); rej(e); });
    });
    await w.terminate();
    expect(msg).toMatch(/already loaded by another thread of this process/);
  });
});
