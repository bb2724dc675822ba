/**
 * Checkpoint weights <-> the addon's parameters. The addon names parameters as transformers 5
 * does (model.visual.*, model.language_model.*, lm_head.weight); original hub checkpoints use
 * visual.* and model.* (the legacy layout), which is also what we write back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as torch from '../../torch/index.js';

export function legacyName(name: string): string {
  if (name.startsWith('model.visual.')) return name.slice('model.'.length);
  if (name.startsWith('model.language_model.')) return 'model.' + name.slice('model.language_model.'.length);
  return name;
}
export function canonicalName(name: string): string {
  if (name.startsWith('visual.')) return 'model.' + name;
  if (name.startsWith('model.') && !name.startsWith('model.visual.') && !name.startsWith('model.language_model.')) {
    return 'model.language_model.' + name.slice('model.'.length);
  }
  return name;
}

/**
 * Copies every parameter from the checkpoint in `dir`. Missing tensors, unexpected tensors and
 * shape mismatches are errors naming the tensor and file.
 */
export async function loadWeightsInto(dir: string, params: Map<string, torch.Tensor>, tied: boolean): Promise<void> {
  const ck = new torch.ShardedCheckpoint(dir);
  const byCanonical = new Map<string, string>();
  for (const k of ck.keys()) byCanonical.set(canonicalName(k), k);
  const missing = [...params.keys()].filter((n) => !byCanonical.has(n));
  if (missing.length) {
    throw new Error(`${dir}: checkpoint is missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
  }
  const unexpected = [...byCanonical.keys()].filter((n) => !params.has(n) && !(tied && n === 'lm_head.weight'));
  if (unexpected.length) {
    throw new Error(`${dir}: checkpoint has unexpected tensor${unexpected.length > 1 ? 's' : ''} ${unexpected.slice(0, 5).join(', ')} (does config.json match the weights?)`);
  }
  for (const [name, p] of params) {
    const key = byCanonical.get(name)!;
    const e = ck.entry(key);
    const want = p.shape;
    if (e.shape.length !== want.length || e.shape.some((d, i) => d !== want[i])) {
      throw new Error(`${dir}: tensor ${key} has shape [${e.shape}] but the model expects [${want}]`);
    }
    // The file is read off the JS thread; the copy into the parameter is quick.
    const t = await ck.getAsync(key);
    try {
      torch.noGrad(() => p.copy_(t));
    } finally {
      t.dispose();
    }
  }
}

/** Writes parameters as safetensors (legacy names; sharded above `maxShardBytes`). */
export function saveWeights(dir: string, params: Map<string, torch.Tensor>, tied: boolean, maxShardBytes = 4 * 2 ** 30): void {
  for (const [file, tensors] of weightFiles(dir, params, tied, maxShardBytes)) torch.saveSafetensors(file, tensors, { format: 'pt' });
}

/** saveWeights with the files written off the JS thread. */
export async function saveWeightsAsync(dir: string, params: Map<string, torch.Tensor>, tied: boolean, maxShardBytes = 4 * 2 ** 30): Promise<void> {
  for (const [file, tensors] of weightFiles(dir, params, tied, maxShardBytes)) await torch.saveSafetensorsAsync(file, tensors, { format: 'pt' });
}

/** The safetensors files of a checkpoint folder and their tensors (the index file is written here). */
function weightFiles(dir: string, params: Map<string, torch.Tensor>, tied: boolean, maxShardBytes: number): Array<[string, Map<string, torch.Tensor>]> {
  mkdirSync(dir, { recursive: true });
  const items = [...params.entries()].filter(([n]) => !(tied && n === 'lm_head.weight')).map(([n, t]) => ({ name: legacyName(n), t, bytes: t.numel() * bytesOf(t.dtype) }));
  const shards: (typeof items)[] = [[]];
  let size = 0, total = 0;
  for (const it of items) {
    if (size > 0 && size + it.bytes > maxShardBytes) { shards.push([]); size = 0; }
    shards[shards.length - 1].push(it);
    size += it.bytes;
    total += it.bytes;
  }
  if (shards.length === 1) return [[path.join(dir, 'model.safetensors'), new Map(items.map((i) => [i.name, i.t]))]];
  const weightMap: Record<string, string> = {};
  const files = shards.map((s, k): [string, Map<string, torch.Tensor>] => {
    const file = `model-${String(k + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    for (const i of s) weightMap[i.name] = file;
    return [path.join(dir, file), new Map(s.map((i) => [i.name, i.t]))];
  });
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));
  return files;
}

function bytesOf(d: string): number {
  return d === 'float64' || d === 'int64' ? 8 : d === 'float32' || d === 'int32' ? 4 : d === 'bfloat16' || d === 'float16' ? 2 : 1;
}
