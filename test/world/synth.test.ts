import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../lib/cli/data_synth.js';
import { vsr1ParquetBuffer } from '../../lib/data/parquet_writer.js';
import { splitSizes, synthesizeWorld } from '../../lib/world/synth.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vsr1-world-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

const sizes = { sft: 12, rl: 20, val: 5, test: 8, 'test-shortcut': 6 };

describe('world synthesis', () => {
  it('splits a total size over the five splits', () => {
    const s = splitSizes(1000);
    expect(s).toEqual({ sft: 250, rl: 550, val: 50, test: 100, 'test-shortcut': 50 });
    const t = splitSizes(7);
    expect(Object.values(t).reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.min(...Object.values(t))).toBeGreaterThanOrEqual(1);
    expect(() => splitSizes(3)).toThrow(/world size/);
  });

  it('writes byte-identical folders for the same seed, different for another seed', async () => {
    const a = tmp(), b = tmp(), c = tmp();
    await synthesizeWorld({ out: a, sizes, settings: { seed: 3 } });
    await synthesizeWorld({ out: b, sizes, settings: { seed: 3 } });
    await synthesizeWorld({ out: c, sizes, settings: { seed: 4 } });
    const ha = hashTree(a);
    expect(Object.keys(ha).length).toBe(51 + 5 * 2 + 1);
    expect(hashTree(b)).toEqual(ha);
    expect(hashTree(c)['rl.jsonl']).not.toBe(ha['rl.jsonl']);
  });

  it('parquet and JSONL hold the same rows in the Vision-SR1-47K schema, images readable back', async () => {
    const out = tmp();
    const { manifest } = await synthesizeWorld({ out, sizes, settings: { seed: 9, imageSize: 64 } });
    for (const split of Object.keys(sizes)) {
      const jsonl = readFileSync(join(out, `${split}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const buf = readFileSync(join(out, `${split}.parquet`));
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const rows = await parquetReadObjects({ file, compressors, utf8: false });
      expect(rows.length).toBe(sizes[split as keyof typeof sizes]);
      const dec = new TextDecoder();
      const str = (v: unknown) => (typeof v === 'string' ? v : dec.decode(v as Uint8Array));
      rows.forEach((r, i) => {
        const j = jsonl[i];
        expect(Object.keys(j).slice(0, 3)).toEqual(['problem', 'answer', 'images']);
        expect(str(r.problem)).toBe(j.problem);
        expect(str(r.answer)).toBe(j.answer);
        expect(str(r.description)).toBe(j.description);
        expect(str(r.think)).toBe(j.think);
        expect(JSON.parse(str(r.scene))).toEqual(j.scene);
        const images = r.images as Array<{ bytes: Uint8Array; path: unknown }>;
        expect(images.length).toBe(1);
        expect(str(images[0]!.path)).toBe(j.images[0]);
        expect(Buffer.from(images[0]!.bytes).equals(readFileSync(join(out, j.images[0])))).toBe(true);
      });
      const kv = parquetMetadata(file).key_value_metadata ?? [];
      const hf = JSON.parse(kv.find((k) => k.key === 'huggingface')!.value!);
      expect(hf.info.features.images).toEqual({ feature: { _type: 'Image' }, _type: 'Sequence' });
    }
    const m = manifest as { splits: Record<string, { count: number; textOnlyBaseline: { withinSplit: { accuracy: number } } }>; settings: { imageSize: number } };
    expect(m.settings.imageSize).toBe(64);
    expect(m.splits.rl!.count).toBe(20);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
  });

  it('parquet writer rejects malformed rows, naming the row and column', () => {
    expect(() => vsr1ParquetBuffer([{ problem: 'q', answer: 'a', images: [], extra: {} }], ['think'])).toThrow(/row 0: extra column "think"/);
    expect(() => vsr1ParquetBuffer([{ problem: 'q', answer: 1 as never, images: [] }])).toThrow(/row 0/);
  });

  it('`vsr1 data synth` writes all splits and reports speed and baselines', async () => {
    const out = tmp();
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      const program = new Command('vsr1').exitOverride();
      register(program);
      await program.parseAsync(['node', 'vsr1', 'data', 'synth', '--out', out, '--size', '40', '--seed', '7', '--prior', '0.9', '--image-size', '80']);
    } finally {
      spy.mockRestore();
    }
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.seed).toBe(7);
    expect(m.settings.prior).toBe(0.9);
    expect(m.settings.imageSize).toBe(80);
    expect(Object.values(m.splits as Record<string, { count: number }>).reduce((a, s) => a + s.count, 0)).toBe(40);
    expect(logs[0]).toMatch(/wrote 40 items .* items\/s/);
    expect(logs.some((l) => /test-shortcut .* text-only baseline/.test(l))).toBe(true);
    const bad = new Command('vsr1').exitOverride();
    register(bad);
    await expect(bad.parseAsync(['node', 'vsr1', 'data', 'synth', '--out', out, '--prior', '2'])).rejects.toThrow(/--prior/);
  });
});
