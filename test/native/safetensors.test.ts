/** safetensors: files written by Python read back exactly, ours read by Python, byte-identical. */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../../lib/index.js';
import { oracleAvailable, runOracle } from '../helpers/oracle.js';

type Desc = { dtype: string; shape: number[]; data: number[] };
const tmp = () => mkdtempSync(path.join(tmpdir(), 'vsr1-st-'));

describe.runIf(oracleAvailable(['torch', 'safetensors']))('safetensors vs Python', () => {
  it('reads a Python-written file exactly (every dtype, bf16 included)', () => {
    const dir = tmp();
    const expected = runOracle<Record<string, Desc>>('scripts/oracle/safetensors_io.py', null, ['write', dir]);
    const f = torch.SafetensorsFile.open(path.join(dir, 'py.safetensors'));
    expect(f.metadata).toEqual({ format: 'pt', note: 'oracle' });
    expect(new Set(f.keys())).toEqual(new Set(Object.keys(expected)));
    for (const [name, e] of Object.entries(expected)) {
      const t = f.get(name);
      expect(t.dtype, name).toBe(e.dtype);
      expect(t.shape, name).toEqual(e.shape);
      const d = t.dtype === 'bool' ? t.to('int64').toFlatArray() : t.toFlatArray();
      expect(d, name).toEqual(e.data);
      t.dispose();
    }
  });

  it('writes files Python reads exactly, byte-identical to Python re-saving them', () => {
    const dir = tmp();
    const file = path.join(dir, 'ours.safetensors');
    const ts = {
      'model.w': torch.randn([3, 5]),
      'model.b': torch.randn([5], { dtype: 'bfloat16' }),
      a_half: torch.randn([2, 2], { dtype: 'float16' }),
      ids: torch.arange(0, 6).reshape(2, 3),
      mask: torch.tensor([true, false]),
      d: torch.randn([4], { dtype: 'float64' }),
      i32: torch.arange(0, 3, 1, { dtype: 'int32' }),
    };
    torch.saveSafetensors(file, ts, { format: 'pt' });
    const py = runOracle<{ tensors: Record<string, Desc>; metadata: Record<string, string> }>('scripts/oracle/safetensors_io.py', null, ['read', file]);
    expect(py.metadata).toEqual({ format: 'pt' });
    for (const [name, t] of Object.entries(ts)) {
      expect(py.tensors[name].shape).toEqual(t.shape);
      expect(py.tensors[name].data).toEqual(t.dtype === 'bool' ? t.to('int64').toFlatArray() : t.toFlatArray());
    }
    const resaved = path.join(dir, 'py.safetensors');
    runOracle('scripts/oracle/safetensors_io.py', null, ['resave', file, resaved]);
    expect(Buffer.compare(readFileSync(file), readFileSync(resaved))).toBe(0);
  });
});

describe('safetensors files', () => {
  it('round-trips, reads lazily, and follows a sharded index', () => {
    const dir = tmp();
    const a = torch.randn([4, 4]);
    const b = torch.randn([3], { dtype: 'bfloat16' });
    torch.saveSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), { a });
    torch.saveSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), { b });
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }));
    const ck = new torch.ShardedCheckpoint(dir);
    expect(ck.keys().sort()).toEqual(['a', 'b']);
    expect(ck.get('a').toFlatArray()).toEqual(a.toFlatArray());
    expect(ck.get('b').toFlatArray()).toEqual(b.toFlatArray());
    expect(ck.entry('b')).toEqual({ dtype: 'bfloat16', shape: [3], offsets: [0, 6] });
    expect(() => ck.get('c')).toThrow(/no tensor 'c'/);
  });

  it('names the file and the problem for bad input', () => {
    const dir = tmp();
    expect(() => torch.SafetensorsFile.open(path.join(dir, 'missing.safetensors'))).toThrow(/not found: .*missing.safetensors/);
    const junk = path.join(dir, 'junk.safetensors');
    writeFileSync(junk, Buffer.from('hello world, not a safetensors file'));
    expect(() => torch.SafetensorsFile.open(junk)).toThrow(/junk.safetensors: not a safetensors file/);
    // A truncated file: header promises more bytes than there are.
    const ok = path.join(dir, 'ok.safetensors');
    torch.saveSafetensors(ok, { x: torch.randn([64]) });
    const bytes = readFileSync(ok);
    const cut = path.join(dir, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    expect(() => torch.SafetensorsFile.open(cut).get('x')).toThrow(/cut.safetensors: file is truncated/);
    expect(() => new torch.ShardedCheckpoint(path.join(dir, 'nope'))).toThrow(/no model.safetensors/);
  });
});
