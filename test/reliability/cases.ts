/**
 * The in-process half of the bad-input corpus: each case feeds one bad input to one entry point
 * (image decoding, datasets, parquet, safetensors, config.json, tokenizer.json, YAML configs,
 * the native API) and says what a clean refusal looks like. `accept` cases may also succeed
 * (a fuzzed file can stay valid); a failure must then still be an Error with a message. The
 * child runner (child.ts) runs them so that a signal or a hang cannot take the test process down.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { torch } from '../../lib/index.js';
import { loadSftConfig, loadTrainConfig } from '../../lib/config/load.js';
import { VisionDataset } from '../../lib/data/dataset.js';
import { openParquet, readParquetRowGroups } from '../../lib/data/parquet.js';
import { decodeImage } from '../../lib/models/qwen2_5_vl/image_decode.js';
import { parseQwenConfig, readQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { sampleTokens } from '../../lib/models/qwen2_5_vl/sampling.js';
import { native } from '../../lib/native.js';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { claimedSize, damagedParquetPage, damagedPixels } from './images.js';
import { fuzzCases } from './fuzz.js';
import { engineTestConfigJson } from '../model/engine_config.js';

export interface Case {
  name: string;
  /** Runs the input; `dir` is a fresh folder for its files. */
  run: (dir: string) => Promise<unknown> | unknown;
  /** What the error must say; 'accept' = success is fine too (fuzz). */
  expect: RegExp | 'accept';
}

/** Everything a case may need: a good PNG, a good tiny model folder, a good parquet file. */
export interface Fixtures {
  png: Buffer;
  modelDir: string;
  parquet: string;
}

const write = (dir: string, name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

/** The guard tests' model (engine test config, 1 layer, context 64) as config.json fields; a fresh object each call. */
export const tinyConfigJson = (): Record<string, unknown> => engineTestConfigJson({ num_hidden_layers: 1, max_position_embeddings: 64 }, 1);

/** A config.json with `edit` applied, read the way a checkpoint's is. */
function configCase(name: string, edit: (c: Record<string, any>) => void, expect: RegExp): Case {
  return { name: `config.json: ${name}`, expect, run: (dir) => {
    const c = tinyConfigJson();
    edit(c);
    write(dir, 'config.json', JSON.stringify(c));
    QwenVLModel.fromConfig(readQwenConfig(dir)).dispose();
  } };
}

function imageCases(f: Fixtures): Case[] {
  const img = (name: string, bytes: Buffer, expect: RegExp): Case => ({ name: `image: ${name}`, expect, run: (dir) => decodeImage(write(dir, 'x.png', bytes)) });
  return [
    img('empty file', Buffer.alloc(0), /x\.png.*empty/),
    img('text with a .png name', Buffer.from('hello, not an image'), /cannot decode image .*x\.png/),
    img('truncated PNG', f.png.subarray(0, f.png.length >> 1), /cannot decode image .*x\.png/),
    img('damaged pixel data', damagedPixels(f.png), /cannot decode image .*x\.png/),
    img('header claims 30000 x 30000', claimedSize(f.png, 30000, 30000), /x\.png.*30000 x 30000 = 900000000 pixels is above the limit/),
    img('header claims 16000 x 16000', claimedSize(f.png, 16000, 16000), /16000 x 16000 = 256000000 pixels is above the limit/),
    img('header claims 0 x 0', claimedSize(f.png, 0, 0), /cannot decode image .*x\.png/),
    img('PNG signature then noise', Buffer.concat([f.png.subarray(0, 8), Buffer.alloc(300, 7)]), /cannot decode image .*x\.png/),
    img('truncated JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), /cannot decode image .*x\.png/),
    { name: 'image: a folder in place of a file', expect: /cannot read image file .*sub/, run: (dir) => { mkdirSync(join(dir, 'sub')); return decodeImage(join(dir, 'sub')); } },
  ];
}

/** A JSONL dataset whose one bad line must be counted as a bad row (the good line kept). */
function rowCase(name: string, bad: string, reason: RegExp, f: Fixtures): Case {
  return { name: `jsonl row: ${name}`, expect: /^bad row counted$/, run: async (dir) => {
    write(dir, 'good.png', f.png);
    const file = write(dir, 'd.jsonl', `${JSON.stringify({ problem: 'What colour?', answer: 'red', images: ['good.png'] })}\n${bad}\n`);
    const ds = await VisionDataset.load({ files: file });
    if (ds.size !== 1 || ds.badRows.length !== 1) throw new Error(`expected 1 good and 1 bad row, got ${ds.size} and ${ds.badRows.length}`);
    if (!reason.test(ds.badRows[0].reason) || ds.badRows[0].row !== 2) throw new Error(`bad row reported as ${JSON.stringify(ds.badRows[0])}`);
    throw new Error('bad row counted');
  } };
}

function dataCases(f: Fixtures): Case[] {
  const row = (o: unknown) => JSON.stringify(o);
  const pq = (name: string, edit: (b: Buffer) => Buffer | Promise<Buffer>, expect: RegExp): Case => ({ name: `parquet: ${name}`, expect, run: async (dir) => {
    const p = write(dir, 'd.parquet', await edit(readFileSync(f.parquet)));
    for await (const g of readParquetRowGroups(await openParquet(p))) void g;
  } });
  return [
    rowCase('invalid JSON', '{"problem": "x", ', /invalid JSON/, f),
    rowCase('no answer', row({ problem: 'x', images: ['good.png'] }), /answer/, f),
    rowCase('problem is a number', row({ problem: 7, answer: 'a', images: ['good.png'] }), /problem/, f),
    rowCase('images is an object of nothing', row({ problem: 'x', answer: 'a', images: { a: 1 } }), /image/, f),
    rowCase('missing image file', row({ problem: 'x', answer: 'a', images: ['nope.png'] }), /not found/, f),
    rowCase('image claims 30000 x 30000', row({ problem: 'x', answer: 'a', images: [{ bytes: claimedSize(f.png, 30000, 30000).toString('base64') }] }), /above the limit/, f),
    rowCase('a row that is an array', '[1, 2, 3]', /object/, f),
    { name: 'jsonl: empty dataset file', expect: /no rows|empty|no usable/i, run: async (dir) => {
      const ds = await VisionDataset.load({ files: write(dir, 'e.jsonl', '') });
      if (ds.size === 0) throw new Error('no rows');
    } },
    { name: 'jsonl: missing file', expect: /nope\.jsonl/, run: () => VisionDataset.load({ files: '/nonexistent/nope.jsonl' }) },
    pq('not parquet at all', () => Buffer.from('PAR1 this is not a parquet file at all'), /d\.parquet: cannot read as parquet/),
    pq('cut in half', (b) => b.subarray(0, b.length >> 1), /d\.parquet: cannot read as parquet/),
    pq('a damaged column page', () => damagedParquetPage(f.parquet), /d\.parquet: cannot read row group 0 \(rows 0-\d+\), column 'answer'/),
  ];
}

function fileFormatCases(f: Fixtures): Case[] {
  const st = (name: string, bytes: Buffer, expect: RegExp): Case => ({ name: `safetensors: ${name}`, expect, run: (dir) => torch.loadSafetensors(write(dir, 'm.safetensors', bytes)) });
  const header = (h: string, body = Buffer.alloc(0), len?: bigint) => {
    const hb = Buffer.from(h);
    const n = Buffer.alloc(8);
    n.writeBigUInt64LE(len ?? BigInt(hb.length));
    return Buffer.concat([n, hb, body]);
  };
  const tok = (name: string, text: string, expect: RegExp): Case => ({ name: `tokenizer.json: ${name}`, expect, run: (dir) => QwenTokenizer.fromFiles(write(dir, 'tokenizer.json', text)) });
  const yaml = (name: string, text: string, expect: RegExp, kind: 'sft' | 'train' = 'train'): Case => ({ name: `yaml: ${name}`, expect, run: (dir) => (kind === 'sft' ? loadSftConfig : loadTrainConfig)(write(dir, 'c.yaml', text)) });
  return [
    st('empty file', Buffer.alloc(0), /m\.safetensors/),
    st('header length beyond the file', header('{}', Buffer.alloc(0), 1n << 40n), /m\.safetensors/),
    st('header length 2^63', header('{}', Buffer.alloc(0), 1n << 63n), /m\.safetensors/),
    st('header not JSON', header('{"a": [1, 2'), /m\.safetensors/),
    st('unknown dtype', header(JSON.stringify({ w: { dtype: 'Q4', shape: [2], data_offsets: [0, 8] } }), Buffer.alloc(8)), /m\.safetensors/),
    st('offsets past the data', header(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 800] } }), Buffer.alloc(8)), /m\.safetensors/),
    st('shape disagrees with offsets', header(JSON.stringify({ w: { dtype: 'F32', shape: [3, 3], data_offsets: [0, 8] } }), Buffer.alloc(8)), /m\.safetensors/),
    st('negative shape', header(JSON.stringify({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }), Buffer.alloc(8)), /m\.safetensors/),
    configCase('num_key_value_heads 0', (c) => { c.num_key_value_heads = 0; }, /num_key_value_heads/),
    configCase('vision num_heads 0', (c) => { c.vision_config.num_heads = 0; }, /num_heads/),
    configCase('patch_size 0', (c) => { c.vision_config.patch_size = 0; }, /patch_size/),
    configCase('spatial_merge_size 0', (c) => { c.vision_config.spatial_merge_size = 0; }, /spatial_merge_size/),
    configCase('window_size below merge x patch', (c) => { c.vision_config.window_size = 20; }, /window_size/),
    configCase('hidden size not divisible by heads', (c) => { c.hidden_size = 66; }, /hidden_size/),
    configCase('vocab_size -1', (c) => { c.vocab_size = -1; }, /vocab_size/),
    configCase('hidden_size a string', (c) => { c.hidden_size = 'sixty-four'; }, /hidden_size/),
    configCase('max_position_embeddings 0', (c) => { c.max_position_embeddings = 0; }, /max_position_embeddings/),
    { name: 'config.json: not JSON', expect: /config\.json/, run: (dir) => { write(dir, 'config.json', '{"model_type": '); return readQwenConfig(dir); } },
    { name: 'config.json: missing', expect: /config\.json/, run: (dir) => readQwenConfig(dir) },
    tok('not JSON', '{"model": ', /tokenizer\.json/),
    tok('no model section', '{"added_tokens": []}', /tokenizer\.json/),
    tok('model of the wrong type', JSON.stringify({ model: { type: 'Unigram', vocab: [] } }), /tokenizer\.json/),
    yaml('malformed', 'data: [unclosed\n', /c\.yaml/),
    yaml('unknown key', 'trainer:\n  max_stepz: 3\n', /max_stepz/),
    yaml('wrong type', 'trainer:\n  max_steps: three\n', /max_steps/),
    yaml('unknown key (sft)', 'optim:\n  learning_rate: 1\n', /learning_rate/, 'sft'),
    { name: 'yaml: missing file', expect: /nope\.yaml/, run: () => loadTrainConfig('/nonexistent/nope.yaml') },
  ];
}

function nativeCases(): Case[] {
  const n = (name: string, run: () => unknown, expect: RegExp): Case => ({ name: `native: ${name}`, expect, run });
  const logits = () => torch.randn([2, 5]);
  const withModel = async (use: (m: QwenVLModel) => Promise<unknown> | unknown) => {
    const m = QwenVLModel.fromConfig(parseQwenConfig(tinyConfigJson(), 'tiny'), { seed: 1 });
    try {
      return await use(m);
    } finally {
      m.dispose();
    }
  };
  return [
    n('tokenLogProbs chunk 0', () => native.tokenLogProbs(logits().handle, torch.tensor([0, 1]).handle, 1, false, 0), /chunk must be a positive/),
    n('tokenLogProbs 0-wide logits', () => native.tokenLogProbs(torch.zeros([2, 0]).handle, torch.tensor([0, 1]).handle, 1, false, 4), /non-empty last/),
    n('model logProbs chunk 0', () => withModel((m) => m.logProbs({ inputIds: torch.tensor([[1, 2, 3]]) }, torch.tensor([[2, 3]]), 1, { chunk: 0 })), /chunk must be a positive/),
    n('indexSelect with a float index', () => torch.randn([3]).indexSelect(0, torch.tensor([0.5])), /index_select.*int32 or int64/),
    n('indexSelect out of range', () => torch.randn([3]).indexSelect(0, torch.tensor([7])), /index out of range/),
    n('reshape to a wrong size', () => torch.randn([2, 3]).reshape([4, 4]), /reshape|shape/),
    n('matmul shape mismatch', () => torch.randn([2, 3]).matmul(torch.randn([4, 2])), /matmul/),
    n('a freed tensor', () => { const t = torch.randn([2]); t.dispose(); return t.add(1); }, /disposed|freed|handle/i),
    n('a handle that never existed', () => native.neg(123456789), /disposed|handle/i),
    n('zeros with a negative size', () => torch.zeros([-1, 2]), /zeros/),
    n('narrow out of range', () => torch.randn([3]).narrow(0, 2, 5), /narrow|range/),
    n('softmax dim out of range', () => torch.randn([3]).softmax(4), /softmax|dim|range/i),
    n('embedding ids out of range', () => native.embedding(torch.randn([4, 2]).handle, torch.tensor([9]).handle), /index out of range|embedding/),
    n('forward with float ids', () => withModel((m) => m.forward({ inputIds: torch.tensor([[1.5, 2]], { dtype: 'float32' }) })), /input ids must be an integer tensor/),
    n('forward with ids outside the vocabulary', () => withModel((m) => m.forward({ inputIds: torch.tensor([[1, 301]]) })), /input ids must be in \[0, 300\)/),
    n('sample with NaN logits', () => sampleTokens(torch.tensor([[0, NaN]]), {}, 0), /NaN or infinity/),
    n('generate temperature NaN', () => withModel((m) => m.generate({ inputIds: [[1, 2]], maxNewTokens: 2, temperature: NaN })), /temperature/),
    n('generate top-p 0', () => withModel((m) => m.generate({ inputIds: [[1, 2]], maxNewTokens: 2, topP: 0 })), /topP/),
    n('generate a prompt past the context length', () => withModel((m) => m.generate({ inputIds: [Array(64).fill(1)], maxNewTokens: 2 })), /context length/),
    n('generate with NaN weights', () => withModel((m) => { torch.noGrad(() => m.params.get('lm_head.weight')!.fill_(NaN)); return m.generate({ inputIds: [[1, 2]], maxNewTokens: 2, stopTokenIds: [] }); }), /non-finite logits/),
    n('onToken throws', () => withModel((m) => m.generate({ inputIds: [[1, 2]], maxNewTokens: 8, stopTokenIds: [], onToken: () => { throw new Error('from onToken'); } })), /from onToken/),
    n('optimizer step while generating', () => withModel(async (m) => {
      const opt = new torch.AdamW(m.parameters());
      const p = m.generate({ inputIds: [[1, 2]], maxNewTokens: 4, stopTokenIds: [] });
      try {
        opt.step();
      } finally {
        await p;
        opt.dispose();
      }
    }), /model is generating/),
  ];
}

/** Every case, curated then fuzzed (seeded: the same list on every run). */
export function allCases(f: Fixtures): Case[] {
  return [...imageCases(f), ...dataCases(f), ...fileFormatCases(f), ...nativeCases(), ...fuzzCases(f)];
}
