import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parquetWriteFile, type SchemaElement } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { VisionDataset, type BadRow } from '../../lib/data/dataset.js';
import { checkEncodedImage, sniffImageFormat } from '../../lib/data/image_source.js';
import { DataLoader } from '../../lib/data/loader.js';
import { resolveDataFiles } from '../../lib/data/parquet.js';
import { EpochSampler, epochPermutation } from '../../lib/data/sampler.js';

let dir: string;
let png: Uint8Array;
let jpeg: Uint8Array;

const imagesSchema = (cols: string[]): SchemaElement[] => [
  { name: 'root', num_children: cols.length + 1 },
  ...cols.map((name): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' })),
  { name: 'images', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];

/** Writes a Vision-SR1-47K-style parquet file (problem, answer, images: list<{bytes, path}>). */
function writeParquet(path: string, rows: Array<{ problem: string | null; answer: string | null; images: Array<{ bytes: Uint8Array | null; path: string | null }> | null }>, rowGroupSize = 3) {
  parquetWriteFile({
    filename: path,
    schema: imagesSchema(['problem', 'answer']),
    rowGroupSize,
    columnData: [
      { name: 'problem', data: rows.map((r) => r.problem) },
      { name: 'answer', data: rows.map((r) => r.answer) },
      { name: 'images', data: rows.map((r) => r.images) },
    ],
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vsr1-data-'));
  png = new Uint8Array(await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer());
  jpeg = new Uint8Array(await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 10, g: 10, b: 200 } } }).jpeg().toBuffer());
  mkdirSync(join(dir, 'img'));
  writeFileSync(join(dir, 'img', 'a.png'), png);
  writeFileSync(join(dir, 'img', 'b.jpg'), jpeg);
  writeFileSync(join(dir, 'img', 'junk.png'), 'this is text, not an image');
  writeFileSync(join(dir, 'img', 'cut.png'), png.subarray(0, png.length - 20));
  writeFileSync(join(dir, 'img', 'cut.jpg'), jpeg.subarray(0, jpeg.length - 2));
});

describe('image checks', () => {
  it('recognises formats by signature and catches truncation', () => {
    expect(sniffImageFormat(png)).toBe('png');
    expect(sniffImageFormat(jpeg)).toBe('jpeg');
    expect(sniffImageFormat(new TextEncoder().encode('GIF89a....'))).toBe('gif');
    expect(sniffImageFormat(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImageFormat(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(checkEncodedImage(png, png, png.length)).toBeNull();
    expect(checkEncodedImage(png, png.subarray(0, png.length - 20), png.length - 20)).toMatch(/truncated PNG/);
    expect(checkEncodedImage(jpeg, jpeg.subarray(0, jpeg.length - 2), jpeg.length - 2)).toMatch(/truncated JPEG/);
    expect(checkEncodedImage(new Uint8Array(), new Uint8Array(), 0)).toBe('empty image');
  });
});

describe('JSONL dataset', () => {
  it('keeps good rows and reports each bad one with file:line and reason', async () => {
    const b64 = Buffer.from(png).toString('base64');
    const lines = [
      { problem: 'What colour? <image>', answer: 'red', images: ['img/a.png'] }, // 1 good
      { problem: 'Which?', answer: 'B', images: 'img/b.jpg' }, // 2 good: single image, no placeholder
      { problem: 'no answer', images: ['img/a.png'] }, // 3 missing key
      { problem: 'How many?', answer: 3, images: [join(dir, 'img', 'a.png')] }, // 4 good, numeric answer, absolute path
      { problem: 7, answer: 'x', images: ['img/a.png'] }, // 5 wrong type
      '{"problem": "broken json', // 6
      { problem: 'q', answer: 'a', images: ['img/nope.png'] }, // 7 missing file
      { problem: 'q', answer: 'a', images: ['img/junk.png'] }, // 8 not an image
      { problem: 'q', answer: 'a', images: ['img/cut.png'] }, // 9 truncated
      { problem: 'q', answer: 'a', images: [] }, // 10 no images
      { problem: '<image> vs <image>', answer: 'a', images: ['img/a.png'] }, // 11 placeholder count
      { problem: 'embedded', answer: 'C', images: [{ bytes: b64, path: 'x.png' }] }, // 12 good: base64 bytes
      { problem: 'q', answer: 'a', images: [42] }, // 13 bad cell
    ];
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n\n');
    const seen: BadRow[] = [];
    const ds = await VisionDataset.load({ files: file, onBadRow: (b) => seen.push(b) });
    expect(ds.size).toBe(4);
    expect(ds.skipped).toBe(9);
    expect([...seen].sort((a, b) => a.row - b.row)).toEqual(ds.badRows);
    const byRow = Object.fromEntries(ds.badRows.map((b) => [b.row, b.reason]));
    expect(ds.badRows.every((b) => b.file === file)).toBe(true);
    expect(byRow[3]).toBe('missing key "answer"');
    expect(byRow[5]).toBe('"problem" must be a string, received number');
    expect(byRow[6]).toMatch(/^invalid JSON/);
    expect(byRow[7]).toBe(`image file not found: ${join(dir, 'img', 'nope.png')}`);
    expect(byRow[8]).toMatch(/^not a recognised image format \(first bytes 74 68 69 73/);
    expect(byRow[9]).toMatch(/^truncated PNG/);
    expect(byRow[10]).toBe('"images" is empty');
    expect(byRow[11]).toBe('"problem" has 2 <image> placeholder(s) but the row has 1 image(s)');
    expect(byRow[13]).toBe('images[0]: image must be a path, bytes or {bytes, path}, received number');
    const ex = await ds.getBatch([0, 1, 2, 3]);
    expect(ex.map((e) => e.id)).toEqual([1, 2, 4, 12].map((r) => `${file}:${r}`));
    expect(ex[2].answer).toBe('3');
    expect(ex[0].images[0]).toEqual({ kind: 'file', path: join(dir, 'img', 'a.png') });
    expect(ex[3].images[0].kind === 'bytes' && Buffer.from(ex[3].images[0].bytes).equals(Buffer.from(png))).toBe(true);
    expect(ds.summary(2)).toContain(`skipped 9 bad row(s)\n  ${file}:3: missing key "answer"\n  ${file}:5:`);
    await expect(ds.get(4)).rejects.toThrow(/dataset index 4 out of range/);
  });

  it('uses configured keys and maxRows; JSON arrays count rows from 0', async () => {
    const file = join(dir, 'rows.json');
    writeFileSync(file, JSON.stringify([{ question: 'q0', gt: 'a', pics: ['img/a.png'] }, { question: 'q1', pics: ['img/a.png'] }, { question: 'q2', gt: 'b', pics: ['img/b.jpg'] }, { question: 'q3', gt: 'c', pics: ['img/b.jpg'] }]));
    const ds = await VisionDataset.load({ files: file, promptKey: 'question', answerKey: 'gt', imageKey: 'pics', maxRows: 2 });
    expect(ds.size).toBe(2);
    expect(ds.badRows).toEqual([{ file, row: 1, reason: 'missing key "gt"' }]);
    expect((await ds.get(1)).problem).toBe('q2');
    writeFileSync(join(dir, 'obj.json'), '{"a": 1}');
    await expect(VisionDataset.load({ files: join(dir, 'obj.json') })).rejects.toThrow(/expected a JSON array of rows, received object/);
  });
});

describe('kept columns', () => {
  it('keeps the requested columns as text, absent where a row lacks them', async () => {
    const file = join(dir, 'cols.jsonl');
    const rows = [
      { problem: 'q0', answer: 'a', images: ['img/a.png'], family: 'count', level: 2 },
      { problem: 'q1', answer: 'b', images: ['img/a.png'], level: { hard: true } },
      { problem: 'q2', answer: 'c', images: ['img/a.png'], family: null },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const ds = await VisionDataset.load({ files: file, keepColumns: ['family', 'level'] });
    expect((await ds.getBatch([0, 1, 2])).map((e) => e.columns)).toEqual([{ family: 'count', level: '2' }, { level: '{"hard":true}' }, {}]);
    expect((await VisionDataset.load({ files: file })).size).toBe(3);
    expect((await (await VisionDataset.load({ files: file })).get(0)).columns).toEqual({});
  });
});

describe('parquet dataset', () => {
  const rows = () => [
    { problem: 'p0 <image>', answer: 'a0', images: [{ bytes: png, path: 'p0.png' }] },
    { problem: 'p1', answer: null, images: [{ bytes: png, path: null }] }, // null answer
    { problem: 'p2', answer: 'a2', images: [{ bytes: new TextEncoder().encode('garbage bytes here'), path: 'g.png' }] }, // corrupt
    { problem: 'p3', answer: 'a3', images: [{ bytes: null, path: 'img/b.jpg' }] }, // path fallback
    { problem: 'p4 <image> and <image>', answer: 'a4', images: [{ bytes: jpeg, path: null }, { bytes: png, path: null }] },
    { problem: 'p5', answer: 'a5', images: null }, // no images
    { problem: 'p6', answer: 'a6', images: [{ bytes: jpeg.subarray(0, 40), path: null }] }, // truncated
    { problem: 'p7', answer: 'a7', images: [{ bytes: png, path: null }] },
  ];

  it('reads embedded bytes (utf8: false) across row groups, kept or re-read lazily', async () => {
    const file = join(dir, 'data.parquet');
    writeParquet(file, rows());
    for (const keep of [true, false]) {
      const ds = await VisionDataset.load({ files: file, keepImageBytes: keep, keepColumns: ['answer'] });
      expect(ds.size).toBe(4);
      expect(ds.badRows.map((b) => [b.row, b.reason.split(' (')[0]])).toEqual([
        [1, '"answer" must be a string or number, received null'],
        [2, 'not a recognised image format'],
        [5, '"images" is empty'],
        [6, 'truncated JPEG'],
      ]);
      const ex = await ds.getBatch([3, 0, 2, 1]); // out of order, spanning row groups
      expect(ex.map((e) => e.id)).toEqual([7, 0, 4, 3].map((r) => `${file}:${r}`));
      expect(ex.map((e) => e.columns.answer)).toEqual(['a7', 'a0', 'a4', 'a3']);
      const b = ex[0].images[0];
      expect(b.kind === 'bytes' && Buffer.from(b.bytes).equals(Buffer.from(png))).toBe(true);
      expect(ex[1].images[0]).toMatchObject({ kind: 'bytes', path: 'p0.png' });
      expect(ex[2].images.map((im) => im.kind === 'bytes' && sniffImageFormat(im.bytes))).toEqual(['jpeg', 'png']);
      expect(ex[3].images[0]).toEqual({ kind: 'file', path: join(dir, 'img', 'b.jpg') });
    }
  });

  it('reads a list of raw image bytes and other key names', async () => {
    const file = join(dir, 'raw.parquet');
    parquetWriteFile({
      filename: file,
      schema: [
        { name: 'root', num_children: 3 },
        { name: 'q', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'a', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' }, // unannotated text: arrives as bytes
        { name: 'imgs', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      ],
      columnData: [
        { name: 'q', data: ['one', 'two'] },
        { name: 'a', data: [new TextEncoder().encode('ä'), new Uint8Array([0xff, 0xfe])] },
        { name: 'imgs', data: [[png], [png]] },
      ],
    });
    const ds = await VisionDataset.load({ files: file, promptKey: 'q', answerKey: 'a', imageKey: 'imgs', keepColumns: ['a'] });
    expect(ds.size).toBe(1);
    expect((await ds.get(0)).answer).toBe('ä');
    expect((await ds.get(0)).columns).toEqual({ a: 'ä' }); // a kept bytes column reads as UTF-8 text
    expect(ds.badRows[0]).toEqual({ file, row: 1, reason: '"a" is bytes that are not valid UTF-8' });
  });

  it('resolves a Hugging Face folder of shards by split', async () => {
    const hf = join(dir, 'hf');
    mkdirSync(join(hf, 'data'), { recursive: true });
    mkdirSync(join(hf, '.cache'), { recursive: true });
    const r = rows();
    writeParquet(join(hf, 'data', 'train-00000-of-00002.parquet'), [r[0], r[7]]);
    writeParquet(join(hf, 'data', 'train-00001-of-00002.parquet'), [r[4]]);
    writeParquet(join(hf, 'data', 'test-00000-of-00001.parquet'), [r[0]]);
    writeFileSync(join(hf, '.cache', 'train-x.parquet'), 'ignored');
    writeFileSync(join(hf, 'README.md'), '# card');
    expect(resolveDataFiles(`${hf}@train`).map((f) => f.slice(hf.length + 1))).toEqual(['data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet']);
    expect(resolveDataFiles(hf)).toEqual(resolveDataFiles(`${hf}@train`));
    expect(resolveDataFiles(`${hf}@test`)).toHaveLength(1);
    expect(() => resolveDataFiles(`${hf}@validation`)).toThrow(/no shard of split "validation" among 3 files/);
    expect(() => resolveDataFiles(join(dir, 'nothing'))).toThrow(/no such file or folder/);
    const ds = await VisionDataset.load({ files: `${hf}@train` });
    expect(ds.size).toBe(3);
    expect((await ds.get(2)).problem).toBe('p4 <image> and <image>');
  });
});

describe('sampler', () => {
  it('shuffles deterministically per (seed, epoch) and covers every index', () => {
    const p = epochPermutation(100, 1, 0);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(epochPermutation(100, 1, 0)).toEqual(p);
    expect(epochPermutation(100, 1, 1)).not.toEqual(p);
    expect(epochPermutation(100, 2, 0)).not.toEqual(p);
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('drops the last partial batch, or keeps it', () => {
    const a = new EpochSampler(10, { batchSize: 4, seed: 3 });
    expect(a.batchesPerEpoch).toBe(2);
    const e0 = [a.next(), a.next()];
    const e1 = a.next();
    expect(e0.map((b) => [b.epoch, b.batch, b.indices.length])).toEqual([[0, 0, 4], [0, 1, 4]]);
    expect([e1.epoch, e1.batch]).toEqual([1, 0]);
    const b = new EpochSampler(10, { batchSize: 4, dropLast: false, shuffle: false });
    expect([b.next(), b.next(), b.next(), b.next()].map((x) => x.indices)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]);
    expect(() => new EpochSampler(3, { batchSize: 4 })).toThrow(/gives no batch of 4 with drop_last/);
  });

  it('resumes from a saved state with exactly the same subsequent batches', () => {
    for (const dropLast of [true, false]) {
      const ref = new EpochSampler(23, { batchSize: 5, seed: 7, dropLast });
      const all = Array.from({ length: 14 }, () => ref.next());
      for (const cut of [0, 3, 4, 5, 9]) {
        const s = new EpochSampler(23, { batchSize: 5, seed: 7, dropLast });
        for (let i = 0; i < cut; i++) s.next();
        const saved = JSON.parse(JSON.stringify(s.state()));
        const resumed = new EpochSampler(23, { batchSize: 5, seed: 7, dropLast }, saved);
        expect(Array.from({ length: 14 - cut }, () => resumed.next())).toEqual(all.slice(cut));
      }
    }
    expect(() => new EpochSampler(23, { batchSize: 5, seed: 8 }, { epoch: 0, index: 5, seed: 7 })).toThrow(/seed 7 differs from data.seed 8/);
    expect(() => new EpochSampler(23, { batchSize: 5, seed: 7 }, { epoch: 0, index: 3, seed: 7 })).toThrow(/not a batch boundary/);
  });

  it('peek returns the next batch without moving, across the epoch boundary too', () => {
    const s = new EpochSampler(10, { batchSize: 4, seed: 5 });
    for (let i = 0; i < 5; i++) {
      const before = s.state();
      const peeked = s.peek();
      expect(s.state()).toEqual(before);
      expect(s.next()).toEqual(peeked);
    }
    expect(s.state().epoch).toBe(2); // batches 3 and 5 rolled over to new epochs
  });

  it('DataLoader state resumes the example stream', async () => {
    const file = join(dir, 'many.jsonl');
    writeFileSync(file, Array.from({ length: 11 }, (_, i) => JSON.stringify({ problem: `q${i}`, answer: `${i}`, images: ['img/a.png'] })).join('\n'));
    const ds = await VisionDataset.load({ files: file });
    const a = new DataLoader(ds, { batchSize: 3, seed: 1 });
    expect(a.totalSteps(2)).toBe(6);
    expect(a.totalSteps(2, 4)).toBe(4);
    await a.next();
    await a.next();
    const state = a.state();
    const restAfter = [];
    for (let i = 0; i < 5; i++) restAfter.push((await a.next()).examples.map((e) => e.id));
    const b = new DataLoader(ds, { batchSize: 3, seed: 1 }, JSON.parse(JSON.stringify(state)));
    const restB = [];
    for (let i = 0; i < 5; i++) restB.push((await b.next()).examples.map((e) => e.id));
    expect(restB).toEqual(restAfter);
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(0);
  });
});
