/**
 * Seeded fuzz cases for the bad-input suite: mutated safetensors headers, JSONL rows and
 * config.json values. Each must load, or fail with an Error; none may end the process. Sizes
 * in mutated configs are either small or absurdly large (refused), never a real multi-GB
 * allocation.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { torch } from '../../lib/index.js';
import { VisionDataset } from '../../lib/data/dataset.js';
import { readQwenConfig } from '../../lib/models/qwen2_5_vl/config.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { prng } from '../helpers/prng.js';
import type { Case, Fixtures } from './cases.js';
import { tinyConfigJson } from './cases.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const ODD_VALUES: unknown[] = [0, -1, 1, 2, 3, 7, 1.5, -0.5, 1e12, 2 ** 53, NaN, 'x', '', null, true, [], {}, [1, 2], -1e12];

function safetensorsCase(i: number): Case {
  const r = prng(1000 + i);
  return { name: `fuzz safetensors header #${i}`, expect: 'accept', run: (dir) => {
    const entry: Record<string, unknown> = { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] };
    const header: Record<string, unknown> = { w: entry, __metadata__: { format: 'pt' } };
    const field = pick(r, ['dtype', 'shape', 'data_offsets', 'drop', 'metadata', 'extra']);
    if (field === 'dtype') entry.dtype = pick(r, ['F16', 'BF16', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'Q4', '', 7, null]);
    else if (field === 'shape') entry.shape = pick(r, [[], [4], [2, -2], [1e9, 1e9], [2, 2, 2], 'big', [0, 4], [1.5, 2]]);
    else if (field === 'data_offsets') entry.data_offsets = [pick(r, [0, 4, 16, -8, 1e15]), pick(r, [0, 8, 16, 17, 1e15, -1])];
    else if (field === 'drop') delete entry[pick(r, ['dtype', 'shape', 'data_offsets'])];
    else if (field === 'metadata') header.__metadata__ = pick(r, [null, 5, { a: 1 }, 'text']);
    else header[pick(r, ['', 'w2', '\u0000'])] = pick(r, ODD_VALUES);
    let text = JSON.stringify(header);
    if (r() < 0.25) text = text.slice(0, Math.floor(r() * text.length)); // a torn header
    const hb = Buffer.from(text);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(r() < 0.15 ? BigInt(Math.floor(r() * 2 ** 40)) : BigInt(hb.length));
    const file = join(dir, 'f.safetensors');
    writeFileSync(file, Buffer.concat([len, hb, Buffer.alloc(Math.floor(r() * 24))]));
    const loaded = torch.loadSafetensors(file);
    for (const t of loaded.values()) t.dispose();
  } };
}

function jsonlCase(i: number, f: Fixtures): Case {
  const r = prng(5000 + i);
  return { name: `fuzz jsonl row #${i}`, expect: 'accept', run: async (dir) => {
    writeFileSync(join(dir, 'good.png'), f.png);
    const row: Record<string, unknown> = { problem: 'How many circles?', answer: '2', images: ['good.png'] };
    for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
      const key = pick(r, ['problem', 'answer', 'images', 'extra']);
      row[key] = pick(r, [...ODD_VALUES, ['nope.png'], [{ bytes: 'notbase64!!' }], [{ bytes: null, path: 'good.png' }], [{ path: null }], ['good.png', 'good.png'], '\ud800', 'a'.repeat(5000)]);
    }
    let line = JSON.stringify(row) ?? 'null';
    if (r() < 0.2) line = line.slice(0, Math.floor(r() * line.length));
    const file = join(dir, 'd.jsonl');
    writeFileSync(file, `${line}\n`);
    const ds = await VisionDataset.load({ files: file });
    if (ds.size + ds.badRows.length !== 1) throw new Error(`1 row read, but ${ds.size} kept and ${ds.badRows.length} reported bad`);
  } };
}

function configJsonCase(i: number): Case {
  const r = prng(9000 + i);
  return { name: `fuzz config.json #${i}`, expect: 'accept', run: async (dir) => {
    const c = tinyConfigJson() as Record<string, any>;
    const keys = ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'rms_norm_eps', 'rope_theta', 'image_token_id', 'pad_token_id', 'eos_token_id', 'max_position_embeddings'];
    const vkeys = ['depth', 'hidden_size', 'intermediate_size', 'num_heads', 'patch_size', 'spatial_merge_size', 'window_size', 'out_hidden_size', 'temporal_patch_size', 'in_channels'];
    for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
      if (r() < 0.5) c[pick(r, keys)] = pick(r, ODD_VALUES);
      else c.vision_config[pick(r, vkeys)] = pick(r, ODD_VALUES);
    }
    if (r() < 0.1) c.rope_scaling = pick(r, [null, { type: 'mrope', mrope_section: [1, 1] }, { type: 'mrope', mrope_section: [-1, 3, 6] }]);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
    const m = QwenVLModel.fromConfig(readQwenConfig(dir), { seed: 0 });
    try {
      // A model that builds must also run: a forward over a few ids, then a short generation.
      torch.scope(() => m.forward({ inputIds: torch.tensor([[1, 2, 3]]) }));
      await m.generate({ inputIds: [[1, 2, 3]], maxNewTokens: 2 });
    } finally {
      m.dispose();
    }
  } };
}

/** 200 safetensors headers, 200 JSONL rows and 150 config.json files. */
export function fuzzCases(f: Fixtures): Case[] {
  return [
    ...Array.from({ length: 200 }, (_, i) => safetensorsCase(i)),
    ...Array.from({ length: 200 }, (_, i) => jsonlCase(i, f)),
    ...Array.from({ length: 150 }, (_, i) => configJsonCase(i)),
  ];
}
