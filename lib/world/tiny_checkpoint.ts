/**
 * A randomly initialised tiny world model written as a Hugging Face checkpoint folder:
 * config.json, model.safetensors, tokenizer.json, tokenizer_config.json, chat_template.json,
 * preprocessor_config.json and generation_config.json. QwenVLModel.load, QwenTokenizer.fromDir,
 * loadChatTemplate and the image processor read it like any Qwen2.5-VL checkpoint.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QWEN2_5_VL_CHAT_TEMPLATE } from '../tokenizer/chat_template.js';
import { TINY_WORLD_INIT_STD, tinyWorldConfig, tinyWorldPreprocessorConfig, type TinyWorldOptions } from './presets.js';
import { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { buildTinyTokenizerConfig, buildTinyTokenizerJson } from './tiny_tokenizer.js';

export interface TinyCheckpointOptions {
  /** Seed of the random initialisation (default 0). */
  seed?: number;
  /** Std of the normal init of weight matrices and embeddings (default TINY_WORLD_INIT_STD, 0.1). */
  initStd?: number;
  /** Architecture overrides (default: the tiny world preset). */
  arch?: TinyWorldOptions;
  /** Replace an existing folder (default false: an existing checkpoint is an error). */
  overwrite?: boolean;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * Writes the checkpoint into `dir` (built in a temp folder next to it, then renamed, so a crash
 * never leaves a half-written checkpoint). Returns `dir`.
 */
export function createTinyCheckpoint(dir: string, o: TinyCheckpointOptions = {}): string {
  if (existsSync(dir) && !o.overwrite) throw new Error(`createTinyCheckpoint: ${dir} already exists (pass overwrite to replace it)`);
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-tiny-${process.pid}-${Date.now()}`);
  const cfg = tinyWorldConfig(o.arch);
  const model = QwenVLModel.fromConfig(cfg, { seed: o.seed ?? 0, initStd: o.initStd ?? TINY_WORLD_INIT_STD });
  try {
    model.save(tmp);
    writeFileSync(path.join(tmp, 'tokenizer.json'), json(buildTinyTokenizerJson()));
    writeFileSync(path.join(tmp, 'tokenizer_config.json'), json(buildTinyTokenizerConfig()));
    writeFileSync(path.join(tmp, 'chat_template.json'), json({ chat_template: QWEN2_5_VL_CHAT_TEMPLATE }));
    writeFileSync(path.join(tmp, 'preprocessor_config.json'), json(tinyWorldPreprocessorConfig()));
    writeFileSync(path.join(tmp, 'generation_config.json'), json({ eos_token_id: cfg.eosTokenIds, pad_token_id: cfg.padTokenId, do_sample: false }));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    model.dispose();
  }
  return dir;
}
